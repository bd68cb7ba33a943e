import { describe, expect, it } from 'vitest';
import { selectionsToConfirm } from '../../../src/support/audit/row-reading.js';
import { audit, kinds, manual, one, synced } from './sample-rows.js';

describe('invalid-selection', () => {
  it.each([
    ['empty', ''],
    ['NULL', null],
    ['only slashes and spaces', ' / / '],
  ])('a %s selection is blank', (_name, selection) => {
    const problem = one([manual(7, { selection })], 'invalid-selection');
    expect(problem).toMatchObject({ id: 7, field: 'selection', source: 'manual', ids: [7] });
    expect(problem.detail).toMatch(/^the selection is blank\. Until it is fixed the job sends nothing for this row/);
    expect(problem.fix).toMatch(/^Edit row #7 \(added by hand\): fill in the selection/);
  });

  it('a synced row with a blank selection is set back to what the sync wrote', () => {
    const problem = one([synced(7, { selection: '' })], 'invalid-selection');
    expect(problem.source).toBe('sync');
    expect(problem.fix).toContain('set the selection back to "GN-2026B-Q-7/science"');
    expect(problem.fix).toContain('the sync writes a selection only when it creates the row, so this edit lasts');
  });

  it('a date in the selection: the fix drops it', () => {
    const problem = one([manual(3, { selection: 'GN-2026B-Q-3/20261126/science' })], 'invalid-selection');
    expect(problem.detail).toContain('"20261126" sets a date or night');
    expect(problem.fix).toBe('Edit row #3 (added by hand): change the selection to "GN-2026B-Q-3/science".');
  });

  it('an invisible character: the fix removes it', () => {
    const problem = one([manual(3, { selection: 'GN-2026B-Q-3/scien\u200bce' })], 'invalid-selection');
    expect(problem.detail).toContain('U+200B');
    expect(problem.fix).toContain('change the selection to "GN-2026B-Q-3/science"');
  });

  it('two programs in one selection: the fix says to keep one', () => {
    const problem = one([manual(3, { selection: 'GN-2026B-Q-3/GN-2026B-Q-4/science' })], 'invalid-selection');
    expect(problem.detail).toContain('keep one of them');
    expect(problem.fix).toContain('correct the selection as the detail says');
  });

  it('sends nothing, so no other problem of the selection (scope, duplicates) is reported', () => {
    const rows = [manual(1, { selection: 'science/20261126' }), manual(2, { selection: 'science/20261126' })];
    expect(kinds(rows)).toEqual(['invalid-selection', 'invalid-selection']);
  });

  it('online, a term the archive dropped, with the suggestion', () => {
    const rows = [manual(5, { selection: 'GN2026BQ5/science' })];
    const problem = one(rows, 'invalid-selection', { confirmations: new Map([[5, { state: 'answered', dropped: ['GN2026BQ5'] }]]) });
    expect(problem.detail).toContain('the archive does not recognise "GN2026BQ5" (did you mean GN-2026B-Q-5?) (asked the archive)');
    expect(problem.fix).toBe('Edit row #5 (added by hand): change the selection to "GN-2026B-Q-5/science".');
  });

  it('a reason naming hundreds of terms is cut', () => {
    // As many as fit the 2000 characters a selection may take in a URL.
    const selection = Array.from({ length: 200 }, (_, i) => `2026112${i % 10}`).join('/');
    const problem = one([manual(1, { selection: `GN-2026B-Q-1/${selection}` })], 'invalid-selection');
    expect(problem.detail.length).toBeLessThan(1000);
    expect(problem.detail).toMatch(/more characters\)/);
  });
});

describe('unconfirmed-selection and online confirmation', () => {
  it('offline: names the term, the suggestion, and --online', () => {
    const problem = one([synced(5, { selection: 'GN2026BQ5/science' })], 'unconfirmed-selection');
    expect(problem.detail).toBe(
      'only the archive can confirm "GN2026BQ5" (did you mean GN-2026B-Q-5?); run with --online. If the archive does not recognise it, the job sends nothing for this row',
    );
    expect(problem.fix).toContain('in the selection, replace "GN2026BQ5" with "GN-2026B-Q-5"');
    expect(problem.source).toBe('sync');
  });

  it('offline, without a suggestion: nothing to change yet', () => {
    const problem = one([manual(5, { selection: 'GN-2026B-Q-5/frobnicate' })], 'unconfirmed-selection');
    expect(problem.fix).toBe('Nothing to change until the archive has answered: run `yougotdata audit --online`.');
  });

  it('offline, an unknown term in a selection that names no program warns of the leak if it is accepted', () => {
    const problem = one([manual(5, { selection: 'frobnicate/science' })], 'unconfirmed-selection');
    expect(problem.detail).toContain("if the archive accepts it, every program's matching data is mailed");
  });

  it('is milder than an invalid selection: reported after the address problems', () => {
    const rows = [manual(5, { selection: 'GN-2026B-Q-5/frobnicate', piemail: null }), manual(6, { selection: '' })];
    expect(kinds(rows)).toEqual(['invalid-selection', 'no-pi-address', 'unconfirmed-selection']);
  });

  it('selectionsToConfirm lists each selection once with its rows, and only those needing the archive', () => {
    const rows = [
      manual(1, { selection: 'GN-2026B-Q-1/frobnicate' }),
      manual(2, { selection: ' GN-2026B-Q-1 / frobnicate ' }),
      manual(3, { selection: 'GN-2026B-Q-3/science' }),
      manual(4, { selection: '' }),
      manual(5, { selection: 'GN2026BQ5' }),
      manual(6, { selection: `GN-2026B-Q-6/${'x'.repeat(2000)}` }),
    ];
    expect(selectionsToConfirm(rows)).toEqual([
      { terms: ['GN-2026B-Q-1', 'frobnicate'], ids: [1, 2] },
      { terms: ['GN2026BQ5'], ids: [5] },
    ]);
  });

  it('online, a confirmed selection is valid: no problem', () => {
    const rows = [manual(1, { selection: 'GN-2026B-Q-1/frobnicate' })];
    expect(kinds(rows, { confirmations: new Map([[1, { state: 'answered', dropped: [] }]]) })).toEqual([]);
  });

  it('online, a confirmed selection that names no program is a data leak', () => {
    const rows = [manual(1, { selection: 'frobnicate/science' })];
    expect(kinds(rows, { confirmations: new Map([[1, { state: 'answered', dropped: [] }]]) })).toEqual(['unscoped-selection']);
  });

  it('online, a summary page that failed leaves the terms unconfirmed, with the error', () => {
    const rows = [manual(1, { selection: 'GN-2026B-Q-1/frobnicate' })];
    const problem = one(rows, 'unconfirmed-selection', { confirmations: new Map([[1, { state: 'failed', error: 'HTTP 503' }]]) });
    expect(problem.detail).toContain('its summary page could not be read: HTTP 503');
  });

  it('online, a row the caller did not ask about is said to be not asked', () => {
    const problem = one([manual(1, { selection: 'GN-2026B-Q-1/frobnicate' })], 'unconfirmed-selection', { confirmations: new Map() });
    expect(problem.detail).toContain('and it was not asked');
    expect(audit([manual(1)], { confirmations: new Map() }).online).toBe(true);
  });
});

describe('unscoped-selection', () => {
  it('a selection naming no program mails every program’s data: the worst kind', () => {
    const rows = [
      manual(4, { selection: 'GMOS-N/science', piemail: 'staff@gemini.edu', ngoemail: null, csemail: null }),
      manual(5, { piemail: null }),
    ];
    const report = audit(rows);
    expect(report.problems[0]).toMatchObject({ kind: 'unscoped-selection', id: 4, field: 'selection' });
    expect(report.problems[0]!.detail).toBe(
      'the selection "GMOS-N/science" names no program, observation or data label: every program\'s files matching it each night are mailed to staff@gemini.edu',
    );
  });

  it('in a synced row: set back to the program', () => {
    const problem = one([synced(4, { selection: 'science' })], 'unscoped-selection');
    expect(problem.fix).toContain('set the selection back to "GN-2026B-Q-4/science"');
  });

  it('names the addresses of both modes, once each', () => {
    const problem = one(
      [manual(4, { selection: 'science', piemail: 'a@x.test', ngoemail: 'b@x.test', csemail: 'A@x.test' })],
      'unscoped-selection',
    );
    expect(problem.detail).toMatch(/mailed to a@x\.test, b@x\.test$/);
  });
});

describe('label-program-mismatch', () => {
  it("a synced row selecting another program's data", () => {
    const problem = one([synced(6, { selection: 'GN-2026B-Q-7/science' })], 'label-program-mismatch');
    expect(problem.detail).toBe(
      "the row is synced for program GN-2026B-Q-6, but its selection is confined to program GN-2026B-Q-7: GN-2026B-Q-6's PI, partner office and contact scientist are mailed GN-2026B-Q-7's data",
    );
    expect(problem.fix).toContain('set the selection back to "GN-2026B-Q-6/science"');
  });

  it('an observation of another program, and an id that only starts like it', () => {
    expect(kinds([synced(6, { selection: 'GN-2026B-Q-61-2/science' })])).toEqual(['label-program-mismatch']);
  });

  it('only for synced rows: a manual label is free text', () => {
    expect(kinds([manual(6, { label: 'GN-2026B-Q-6 extra', selection: 'GN-2026B-Q-7/science' })])).toEqual([]);
  });
});
