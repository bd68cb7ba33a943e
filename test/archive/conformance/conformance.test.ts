/**
 * The job's selection check and the archive stand-in against FitsStorage's own reading of every case in the tables
 * (docs/archive.md#selection-grammar): the job never searches what the archive would widen, ignore or fail on, never
 * refuses what it reads (but where a table says why it stays stricter), and the stand-in reads as the archive does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confirmSelection, readSelection, selectionTerms } from '../../../src/archive/selection.js';
import { MalformedTermError, readSelection as standInReads } from '../../../src/demo/archive-stand-in/terms.js';
import type { ConformanceCase, ConformanceTable, JobAction } from './cases.js';
import { dates } from './dates.js';
import { ids } from './ids.js';
import { selectionThings } from './selection-things.js';
import { vocabulary } from './vocabulary.js';

const tables: readonly ConformanceTable[] = [selectionThings, ids, dates, vocabulary];

const ACTION: Record<ReturnType<typeof readSelection>['kind'], JobAction> = {
  valid: 'search',
  'needs-confirmation': 'confirm',
  invalid: 'refuse',
};

const SCOPE_FIELD = { program: 'program_id', observation: 'observation_id', dataLabel: 'data_label' } as const;

/** Whether the archive reads the selection as written: nothing dropped, no date, no id ignored, no failure. */
const readsCleanly = ({ archive }: ConformanceCase): boolean =>
  archive !== 'server-error' && archive.dropped.length === 0 && !archive.date && archive.ignored.length === 0;

const label = (c: ConformanceCase) => (c.selection.length > 80 ? `${c.selection.slice(0, 77)}…` : c.selection);

describe.each(tables.map((table) => [table.source, table] as const))('%s', (_source, table) => {
  it.each(table.cases.map((c) => [label(c), c] as const))('%s', (_label, c) => {
    const reading = readSelection(c.selection);
    expect(ACTION[reading.kind], JSON.stringify(reading)).toBe(c.job);

    // The promise: nothing the archive would widen, ignore or fail on is searched; nothing it reads is refused,
    // unless the table names the reason the job stays stricter.
    if (c.job === 'search') expect(readsCleanly(c)).toBe(true);
    if (c.job === 'refuse' && readsCleanly(c)) expect(c.stricter).toBeDefined();
    if (c.stricter !== undefined) expect(c.job).toBe('refuse');

    const archive = c.archive;
    if (archive !== 'server-error') {
      // Every term the archive drops is one the job asks about (or refuses the row over).
      if (reading.kind === 'needs-confirmation') expect(reading.unknownTerms).toEqual(expect.arrayContaining([...archive.dropped]));
      // Searched at once, or once the archive confirmed it dropped nothing: the job's scope is the archive's.
      if (reading.kind === 'valid') expect(reading.selection.scope).toEqual(archive.scope);
      if (reading.kind === 'needs-confirmation' && archive.dropped.length === 0) {
        expect(confirmSelection(reading, [])).toMatchObject({ kind: 'valid', selection: { scope: archive.scope } });
      }
    }
  });

  it.each(table.cases.map((c) => [label(c), c] as const))('the stand-in reads %s as the archive does', (_label, c) => {
    const terms = selectionTerms(c.selection);
    const archive = c.archive;
    if (archive === 'server-error') {
      expect(() => standInReads(terms, 'archive', Date.now())).toThrow(MalformedTermError);
      return;
    }
    const read = standInReads(terms, 'archive', Date.now());
    expect(read.unrecognised).toEqual(archive.dropped);
    expect(read.scope).toEqual(archive.scope && { field: SCOPE_FIELD[archive.scope.kind], value: archive.scope.id });
    expect(read.dates.length > 0).toBe(archive.date);
  });
});

describe('the tables', () => {
  it('hold every case once, and say where their cases come from', () => {
    for (const table of tables) expect(table.source).toMatch(/FitsStorage|issue/);
    const selections = tables.flatMap((table) => table.cases.map((c) => c.selection));
    expect(new Set(selections).size).toBe(selections.length);
  });
});

describe('generated selections: typos of every known word, id and date, against the stand-in', () => {
  const seeds = [...tables.flatMap((table) => table.cases.flatMap((c) => selectionTerms(c.selection))).filter((term) => term.length < 60)];
  const typo = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...'0123456789-_:.+ WTZxAaBQ='.split(''))), { maxLength: 3 }),
    )
    .map(([seed, edits]) =>
      edits.reduce((text, [at, char], i) => {
        const where = at % (text.length + 1);
        // Replace, insert or delete one character.
        return i % 3 === 0
          ? text.slice(0, where) + char + text.slice(where + 1)
          : i % 3 === 1
            ? text.slice(0, where) + char + text.slice(where)
            : text.slice(0, where) + text.slice(where + 1);
      }, seed),
    );
  const selection = fc.array(fc.oneof(fc.constantFrom(...seeds), typo), { minLength: 1, maxLength: 3 }).map((terms) => terms.join('/'));

  it('the job searches only what the stand-in reads whole, and refuses what it reads only for the reasons docs/archive.md gives', () => {
    fc.assert(
      fc.property(selection, (text) => {
        const terms = selectionTerms(text);
        const reading = readSelection(text);
        let archive: ReturnType<typeof standInReads> | 'server-error';
        try {
          archive = standInReads(terms, 'archive', Date.now());
        } catch (error) {
          if (!(error instanceof MalformedTermError)) throw error;
          archive = 'server-error';
        }
        const clean = archive !== 'server-error' && archive.unrecognised.length === 0 && archive.dates.length === 0;
        if (reading.kind === 'valid') {
          expect(clean).toBe(true);
          const scope = reading.selection.scope;
          expect(archive !== 'server-error' && archive.scope).toEqual(scope && { field: SCOPE_FIELD[scope.kind], value: scope.id });
        }
        if (reading.kind === 'invalid' && clean) {
          expect(reading.reason).toMatch(
            /the selection names|makes the archive search QA NotFail|characters in a URL|cannot be a search term/,
          );
        }
        if (reading.kind === 'needs-confirmation' && archive !== 'server-error') {
          expect(reading.unknownTerms).toEqual(expect.arrayContaining(archive.unrecognised));
        }
      }),
      { numRuns: 5000 },
    );
  });
});
