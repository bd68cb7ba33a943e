import type { ArchiveEntry } from '../../src/archive/entry.js';

/**
 * One file of an archive answer, as the job reads it (the parsed entry, not the archive's JSON: for that, the
 * stand-in's `makeEntry`): a Gemini-North science file of GN-2026B-Q-1 unless `over` says otherwise.
 */
export function archiveEntry(name: string, over: Partial<ArchiveEntry> = {}): ArchiveEntry {
  const programId = over.program_id === undefined ? 'GN-2026B-Q-1' : over.program_id;
  return {
    name,
    filename: `${name}.bz2`,
    program_id: programId,
    observation_id: programId ? `${programId}-1` : null,
    data_label: programId ? `${programId}-1-001` : null,
    telescope: 'Gemini-North',
    instrument: 'GMOS-N',
    ut_datetime: '2026-11-26 06:00:00',
    object: 'M101',
    observation_class: 'science',
    observation_type: 'OBJECT',
    qa_state: 'Pass',
    exposure_time: 30,
    ...over,
  };
}
