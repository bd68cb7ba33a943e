/** A label like the program sync's that the sync does not maintain: its addresses are never kept up to date. */
import { isProgramId } from '../../archive/selection-grammar.js';
import { fixAdvice, syncedProgramOf, syncLabelOf } from '../program-sync.js';
import type { Finding } from './problem.js';
import type { RowReading } from './row-reading.js';
import type { Suggest } from './selection.js';
import { quoted } from './wording.js';

const LOOKALIKE_SYNC_LABEL = /^\s*auto\s*-\s*/i;

/** The program a label like the sync's (`auto - GN-…`, `Auto -GN…`) was meant for, when it is not exactly the sync's. */
function lookalikeProgram(label: string | null, suggest: Suggest): string | undefined {
  if (label === null || syncedProgramOf(label) !== null || !LOOKALIKE_SYNC_LABEL.test(label)) return undefined;
  const rest = label.replace(LOOKALIKE_SYNC_LABEL, '').trim();
  if (isProgramId(rest)) return rest;
  const suggestion = suggest(rest);
  return suggestion !== undefined && isProgramId(suggestion) ? suggestion : undefined;
}

export function labelFindings(reading: RowReading, syncedRows: ReadonlyMap<string, number>, suggest: Suggest): Finding[] {
  const { row } = reading;
  const programId = lookalikeProgram(row.label, suggest);
  if (programId === undefined) return [];
  const syncLabel = syncLabelOf(programId);
  const synced = syncedRows.get(programId);
  const detail =
    `the label ${quoted(row.label ?? '')} is not exactly ${quoted(syncLabel)}, the label the program sync looks for: ` +
    `the sync never updates this row's addresses${synced === undefined ? '' : `, and row #${synced} is the program's synced row`}`;
  const change =
    synced === undefined
      ? `set the label to exactly ${quoted(syncLabel)} if the sync should keep its addresses up to date, ` +
        'or give it a label not starting with "Auto" if staff keep it'
      : `delete this row if it only repeats row #${synced}, or give it a label not starting with "Auto" if staff keep it`;
  return [{ kind: 'unsynced-auto-label', field: null, detail, advice: fixAdvice(row, null, { row: change, source: change }) }];
}
