import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../src/archive/entry.js';
import type { SelectionScope } from '../../src/archive/selection.js';
import type { NightAnnouncements } from '../../src/domain/notice.js';
import { decideNight, type NightFacts } from '../../src/run/decide.js';
import { archiveEntry } from '../harness/archive-entry.js';

const entry = (name: string, programId: string | null = 'GN-2026B-Q-1', extra: Partial<ArchiveEntry> = {}): ArchiveEntry =>
  archiveEntry(name, { program_id: programId, ...extra });

const program: SelectionScope = { kind: 'program', id: 'GN-2026B-Q-1' };
const announced = (files: string[], first = '<yougotdata.1.20261126.pi.a@gemini.edu>'): NightAnnouncements => ({
  files: new Set(files),
  lastMessage: { id: 7, sentAt: new Date('2026-11-26T18:00:00Z') },
  firstMessageId: first,
});
const facts = (over: Partial<NightFacts>): NightFacts => ({
  mode: 'pi',
  entries: [],
  scope: program,
  announced: undefined,
  hasRecipients: true,
  ...over,
});
const names = (entries: readonly ArchiveEntry[]) => entries.map((e) => e.name);
const [a, b, c] = [entry('N20261126S0001'), entry('N20261126S0002'), entry('N20261126S0003')];

describe('decideNight: what one notification gets for one night', () => {
  it('no files: no data, whatever else is true', () => {
    expect(decideNight(facts({}))).toEqual({ kind: 'no-data' });
    expect(decideNight(facts({ hasRecipients: false, announced: announced(['x']) }))).toEqual({ kind: 'no-data' });
  });

  it('new files and someone to send To: send every file', () => {
    const decision = decideNight(facts({ entries: [a, b] }));
    expect(decision).toMatchObject({ kind: 'send', answered: 2, gone: [], previous: undefined });
    expect(decision.kind === 'send' && names(decision.files)).toEqual([a.name, b.name]);
  });

  it('some files announced before: send only the new ones, as a follow-up of the earlier notice', () => {
    const before = announced([a.name]);
    const decision = decideNight(facts({ entries: [a, b, c], announced: before }));
    expect(decision).toMatchObject({ kind: 'send', answered: 3, gone: [], previous: before });
    expect(decision.kind === 'send' && names(decision.files)).toEqual([b.name, c.name]);
  });

  it('every file announced before: already sent, counting the files found', () => {
    expect(decideNight(facts({ entries: [a, b], announced: announced([a.name, b.name]) }))).toEqual({
      kind: 'already-sent',
      files: 2,
      gone: [],
    });
  });

  it('an announced file gone from the answer is named, never mailed again', () => {
    expect(decideNight(facts({ entries: [b], announced: announced([a.name, b.name]) }))).toEqual({
      kind: 'already-sent',
      files: 1,
      gone: [a.name],
    });
    const decision = decideNight(facts({ entries: [c], announced: announced([a.name]) }));
    expect(decision).toMatchObject({ kind: 'send', gone: [a.name] });
  });

  it('new files but nobody to send To: no recipients, naming the field of the mode', () => {
    expect(decideNight(facts({ entries: [a, b], hasRecipients: false }))).toEqual({
      kind: 'no-recipients',
      field: 'piemail',
      files: 2,
      gone: [],
    });
    expect(decideNight(facts({ mode: 'check', entries: [a], hasRecipients: false }))).toMatchObject({
      kind: 'no-recipients',
      field: 'csemail',
    });
  });

  it('nobody to send To and nothing new: already sent (nothing would be mailed anyway)', () => {
    expect(decideNight(facts({ entries: [a], announced: announced([a.name]), hasRecipients: false }))).toMatchObject({
      kind: 'already-sent',
    });
  });

  it.each([
    ['another program', [a, entry('N20261126S0009', 'GN-2026B-Q-2')], ['GN-2026B-Q-2'], 1],
    [
      'two other programs and a file with none',
      [entry('S1', 'GS-2026B-Q-9'), entry('S2', null), a, entry('S3', 'GN-2026B-Q-2')],
      ['(no program)', 'GN-2026B-Q-2', 'GS-2026B-Q-9'],
      3,
    ],
    ['only other programs', [entry('S1', 'GN-2026B-Q-3')], ['GN-2026B-Q-3'], 1],
  ])(
    'files outside the scope (%s): other programs, nothing sent, even to someone who has had the rest',
    (_what, entries, programs, foreign) => {
      for (const over of [{}, { announced: announced([a.name]) }, { hasRecipients: false }]) {
        expect(decideNight(facts({ entries, ...over }))).toEqual({ kind: 'other-programs', programs, foreign, files: entries.length });
      }
    },
  );

  it('an observation scope keeps the observation, a data label its suffixed files', () => {
    const observation: SelectionScope = { kind: 'observation', id: 'GN-2026B-Q-1-1' };
    expect(decideNight(facts({ scope: observation, entries: [a] })).kind).toBe('send');
    const other = entry('N2', 'GN-2026B-Q-1', { observation_id: 'GN-2026B-Q-1-2' });
    expect(decideNight(facts({ scope: observation, entries: [a, other] })).kind).toBe('other-programs');
    const label: SelectionScope = { kind: 'dataLabel', id: 'GN-2026B-Q-1-1-001' };
    const processed = entry('N3', 'GN-2026B-Q-1', { data_label: 'GN-2026B-Q-1-1-001-MRG-ADD' });
    expect(decideNight(facts({ scope: label, entries: [a, processed] })).kind).toBe('send');
  });

  it('no scope (a selection not confined to a program): every file may be sent', () => {
    const decision = decideNight(facts({ scope: null, entries: [a, entry('N9', 'GS-2026B-Q-9')] }));
    expect(decision.kind === 'send' && decision.files).toHaveLength(2);
  });

  it('decides the same whatever the order of the answer', () => {
    const before = announced([b.name]);
    const one = decideNight(facts({ entries: [a, b, c], announced: before }));
    const other = decideNight(facts({ entries: [c, b, a], announced: before }));
    expect(one.kind === 'send' && new Set(names(one.files))).toEqual(other.kind === 'send' && new Set(names(other.files)));
  });
});
