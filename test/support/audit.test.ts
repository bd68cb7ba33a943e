import { describe, expect, it } from 'vitest';
import type { Notification } from '../../src/domain/notification.js';
import {
  type AuditOptions,
  auditNotifications,
  MAX_EMAIL_FIELD,
  PROBLEM_KINDS,
  type Problem,
  type ProblemKind,
  selectionsToConfirm,
  totalsOf,
} from '../../src/support/audit.js';

/** A clean row of a synced program: nothing to report. */
const synced = (id: number, extra: Partial<Notification> = {}): Notification => ({
  id,
  label: `Auto - GN-2026B-Q-${id}`,
  selection: `GN-2026B-Q-${id}/science`,
  piemail: `pi${id}@uni.test`,
  ngoemail: 'ngo@partner.test',
  csemail: `cs${id}@gemini.edu`,
  ...extra,
});

/** A clean row staff added by hand. */
const manual = (id: number, extra: Partial<Notification> = {}): Notification => ({
  ...synced(id),
  label: `Extra mail for program ${id}`,
  ...extra,
});

const audit = (rows: Notification[], options?: AuditOptions) => auditNotifications(rows, options);
const kinds = (rows: Notification[], options?: AuditOptions): ProblemKind[] => audit(rows, options).problems.map((p) => p.kind);
const only = (rows: Notification[], kind: ProblemKind, options?: AuditOptions): Problem[] =>
  audit(rows, options).problems.filter((p) => p.kind === kind);
const one = (rows: Notification[], kind: ProblemKind, options?: AuditOptions): Problem => {
  const found = only(rows, kind, options);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('rows the parser reads cleanly are not reported', () => {
  const clean: [string, string][] = [
    ['a spaced list', 'jdoe@gemini.edu asmith@noirlab.edu'],
    ['a newline-separated list', 'jdoe@gemini.edu\nasmith@noirlab.edu\r\n'],
    ['a semicolon list', 'jdoe@gemini.edu; asmith@noirlab.edu;'],
    ['people joined by "and"', 'jdoe@gemini.edu and asmith@noirlab.edu'],
    ['Last, First <addr>', 'Doe, John <jdoe@gemini.edu>'],
    ['two Last, First <addr>', 'Doe, John <jdoe@gemini.edu>, Smith, Ann <asmith@noirlab.edu>'],
    ['"Doe, John" <addr>', '"Doe, John" <jdoe@gemini.edu>'],
    ['mailto: with a trailing dot', 'mailto:jdoe@gemini.edu.'],
    ['Name <addr>', 'John Doe <jdoe@gemini.edu>'],
    ['addr (Name)', 'jdoe@gemini.edu (John Doe)'],
    ['Name addr', 'John Doe jdoe@gemini.edu'],
    ['the same address twice in other case', 'JDoe@Gemini.EDU, jdoe@gemini.edu'],
    ['an IDN', 'jm@müller.de'],
  ];
  it.each(clean)('%s in every email field', (_name, field) => {
    expect(kinds([synced(1, { piemail: field, ngoemail: field, csemail: field })])).toEqual([]);
    expect(kinds([manual(2, { piemail: field, ngoemail: field, csemail: field })])).toEqual([]);
  });

  it('the same address in To and Cc of one row (the job sends it once)', () => {
    expect(kinds([synced(1, { piemail: 'ann@uni.test', ngoemail: 'ANN@uni.test', csemail: 'ann@uni.test' })])).toEqual([]);
  });

  it('an empty or NULL ngoemail (a program without a partner office contact)', () => {
    expect(kinds([synced(1, { ngoemail: null }), synced(2, { ngoemail: '' })])).toEqual([]);
  });

  it('one partner office and contact scientist on many programs (different selections)', () => {
    expect(
      kinds([synced(1, { csemail: 'cs@gemini.edu' }), synced(2, { csemail: 'cs@gemini.edu' }), synced(3, { csemail: 'cs@gemini.edu' })]),
    ).toEqual([]);
  });

  it('a synced row narrowed by hand within its own program', () => {
    expect(kinds([synced(1, { selection: 'GN-2026B-Q-1/science/GMOS-N' })])).toEqual([]);
    expect(kinds([synced(2, { selection: 'GN-2026B-Q-2-5/science' })])).toEqual([]);
    expect(kinds([synced(3, { selection: 'GN-2026B-Q-3-5-012' })])).toEqual([]);
  });

  it('a clean table gives no problem and every kind at 0', () => {
    const report = audit([synced(1), synced(2), manual(3)]);
    expect(report).toEqual({ notifications: 3, online: false, problems: [] });
    expect(totalsOf(report)).toEqual(Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, 0])));
  });
});

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

describe('no-pi-address and no-cs-address', () => {
  it.each([
    [null, 'piemail is NULL'],
    ['', 'piemail is empty'],
    [' ,; ', 'piemail holds no address'],
    ['N/A', 'piemail holds no address, only "N/A"'],
    ['TBD; none', 'piemail holds no address, only "TBD", "none"'],
  ])('piemail %j', (piemail, said) => {
    const problem = one([manual(1, { piemail })], 'no-pi-address');
    expect(problem).toMatchObject({ field: 'piemail', source: 'manual' });
    expect(problem.detail).toBe(`${said}: PI mode mails nobody for this row (ngoemail and csemail are only copied on the mail to the PI)`);
    expect(problem.fix).toBe("Edit row #1 (added by hand): put the PI's address in piemail.");
  });

  it('a synced row: the fix is in the observing database, never the row', () => {
    const problem = one([synced(1, { piemail: 'N/A' })], 'no-pi-address');
    expect(problem.source).toBe('sync');
    expect(problem.fix).toBe(
      "Add a PI email address in the observing database's contact details for program GN-2026B-Q-1 (from its Phase I/II proposal); the sync copies it into row #1 each day, so an edit of the row would be undone.",
    );
  });

  it('a mistyped address: the fix names it, and it is not reported again as a rejected piece', () => {
    const problem = one([manual(1, { piemail: 'jdoe@gemini' })], 'no-pi-address');
    expect(problem.fix).toBe('Edit row #1 (added by hand): correct "jdoe@gemini" in piemail.');
    expect(kinds([manual(1, { piemail: 'jdoe@gemini' })])).toEqual(['no-pi-address']);
  });

  it('no contact scientist: CHECK mode mails nobody', () => {
    const problem = one([synced(1, { csemail: 'TBD' })], 'no-cs-address');
    expect(problem.detail).toBe(
      'csemail holds no address, only "TBD": CHECK mode mails nobody for this row: its data set to CHECK goes unannounced',
    );
    expect(problem.fix).toContain('Add a contact scientist email address in the observing database');
  });

  it('a row with neither gets both, PI first', () => {
    expect(kinds([manual(1, { piemail: null, csemail: null })])).toEqual(['no-pi-address', 'no-cs-address']);
  });
});

describe('rejected-piece', () => {
  it('a placeholder beside an address is harmless: nothing needs doing', () => {
    const problem = one([manual(1, { ngoemail: 'N/A, ngo@partner.test' })], 'rejected-piece');
    expect(problem).toMatchObject({ field: 'ngoemail', ids: [1] });
    expect(problem.detail).toBe('ngoemail: "N/A" is not an address; the job skips it and mails ngo@partner.test');
    expect(problem.fix).toBe(
      'Nothing needs doing for the mail to go out; to tidy it: edit row #1 (added by hand): remove "N/A" from ngoemail.',
    );
  });

  it('harmless in a synced row: nothing needs doing, and the tidying is in the observing database', () => {
    const problem = one([synced(1, { piemail: 'TBD, pi1@uni.test' })], 'rejected-piece');
    expect(problem.fix).toMatch(
      /^Nothing needs doing for the mail to go out; to tidy it: remove "TBD" from the PI email in the observing database/,
    );
    expect(problem.fix).not.toContain('edit row');
  });

  it('an ngoemail of only a placeholder gives no address, and no other problem', () => {
    const problem = one([synced(1, { ngoemail: 'N/A' })], 'rejected-piece');
    expect(problem.detail).toBe('ngoemail: "N/A" is not an address; ngoemail gives no address');
  });

  it('a mistyped address beside a good one: someone gets no mail', () => {
    const problem = one([synced(1, { csemail: 'cs1@gemini.edu, asmith@noirlab' })], 'rejected-piece');
    expect(problem.detail).toBe(
      'csemail: "asmith@noirlab" is not an address; it looks like a mistyped address: whoever it names gets no mail',
    );
    expect(problem.fix).toMatch(
      /^Correct the contact scientist email address in the observing database's contact details for program GN-2026B-Q-1/,
    );
  });

  it('placeholders and mistyped addresses together name the mistyped ones', () => {
    const problem = one([manual(1, { csemail: 'cs1@gemini.edu, N/A, a@b, c@d' })], 'rejected-piece');
    expect(problem.detail).toBe(
      'csemail: "N/A", "a@b", "c@d" are not addresses; "a@b", "c@d" look like mistyped addresses: whoever they name get no mail',
    );
    expect(problem.fix).toBe('Edit row #1 (added by hand): correct "a@b", "c@d" in csemail.');
  });

  it('one problem per field, with many pieces cut and counted', () => {
    const junk = Array.from({ length: 30 }, (_, i) => `junk${i}${'x'.repeat(100)}`).join(', ');
    const problems = only([manual(1, { ngoemail: `ngo@partner.test, ${junk}` })], 'rejected-piece');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.detail).toContain('and 25 more');
    expect(problems[0]!.detail).toContain('more characters)');
    expect(problems[0]!.detail.length).toBeLessThan(1500);
  });
});

describe('duplicate', () => {
  it('one address mailed the same selection by two rows, compared ignoring case, reported once for both rows', () => {
    const rows = [
      synced(1),
      manual(2, { selection: 'GN-2026B-Q-1/science', piemail: 'PI1@Uni.Test', ngoemail: null, csemail: 'cs9@gemini.edu' }),
    ];
    const problem = one(rows, 'duplicate');
    expect(problem).toMatchObject({ id: 1, ids: [1, 2], field: 'piemail', source: 'manual' });
    expect(problem.detail).toBe(
      'rows #1, #2 select the same data: in PI mode pi1@uni.test gets the mail for "GN-2026B-Q-1/science" twice each night',
    );
    expect(problem.fix).toBe(
      'Edit row #2 (added by hand): remove pi1@uni.test, or delete the row if it adds nothing else (the synced row #1 mails it already).',
    );
  });

  it('three rows: one problem naming all of them', () => {
    const rows = [
      manual(1, { selection: 'GN-2026B-Q-9/science' }),
      manual(2, { selection: 'GN-2026B-Q-9/science' }),
      manual(3, { selection: 'GN-2026B-Q-9/science' }),
    ];
    const rowsWithOwnCs = rows.map((row) => ({ ...row, csemail: `cs${row.id}@gemini.edu`, piemail: 'pi@uni.test' }));
    const problems = only(rowsWithOwnCs, 'duplicate');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ id: 1, ids: [1, 2, 3] });
    expect(problems[0]!.detail).toContain('pi@uni.test, ngo@partner.test each get the mail for "GN-2026B-Q-9/science" 3 times each night');
    expect(problems[0]!.fix).toBe(
      'Edit rows #2, #3 (added by hand): remove pi@uni.test, ngo@partner.test, or delete those that add nothing else (#1 keeps them).',
    );
  });

  it('the same terms in another order and spacing are the same search', () => {
    const rows = [synced(1), manual(2, { selection: ' science / GN-2026B-Q-1 ', piemail: 'pi1@uni.test', ngoemail: null, csemail: null })];
    expect(one(rows, 'duplicate').ids).toEqual([1, 2]);
  });

  it('terms setting the same thing in another order are different searches (the archive keeps the last)', () => {
    const rows = [
      manual(1, { selection: 'GN-2026B-Q-1/GMOS-N/GNIRS' }),
      manual(2, { selection: 'GN-2026B-Q-1/GNIRS/GMOS-N', piemail: 'pi1@uni.test', csemail: 'x@gemini.edu', ngoemail: null }),
    ];
    expect(only(rows, 'duplicate')).toEqual([]);
  });

  it('a PI-mode duplicate needs a PI address on each row: a row without one sends nothing in PI mode', () => {
    const rows = [synced(1), manual(2, { piemail: null, ngoemail: 'ngo@partner.test', csemail: 'other@gemini.edu' })];
    expect(only(rows, 'duplicate')).toEqual([]);
  });

  it('a CHECK-mode duplicate: csemail of two rows without PI mail', () => {
    const rows = [
      manual(1, { piemail: null, ngoemail: null }),
      manual(2, { selection: 'GN-2026B-Q-1/science', piemail: null, ngoemail: null, csemail: 'CS1@gemini.edu' }),
    ];
    const problem = one(rows, 'duplicate');
    expect(problem).toMatchObject({ field: 'csemail', ids: [1, 2] });
    expect(problem.detail).toBe('rows #1, #2 select the same data: in CHECK mode cs1@gemini.edu gets it twice');
  });

  it('the contact scientist repeated: one problem for both modes', () => {
    const rows = [
      synced(1),
      manual(2, { selection: 'GN-2026B-Q-1/science', piemail: 'someone@else.test', ngoemail: null, csemail: 'cs1@gemini.edu' }),
    ];
    const problem = one(rows, 'duplicate');
    expect(problem.detail).toBe(
      'rows #1, #2 select the same data: in PI mode cs1@gemini.edu gets the mail for "GN-2026B-Q-1/science" twice each night; in CHECK mode cs1@gemini.edu gets it twice',
    );
    expect(problem.field).toBe('csemail');
  });

  it('an address in piemail of one row and ngoemail of another: no single field', () => {
    const rows = [
      manual(1, { ngoemail: null, csemail: null }),
      manual(2, { selection: 'GN-2026B-Q-1/science', piemail: 'x@uni.test', ngoemail: 'pi1@uni.test', csemail: null }),
    ];
    expect(one(rows, 'duplicate').field).toBeNull();
  });

  it('not for a selection that is invalid on one of the rows', () => {
    const rows = [synced(1), manual(2, { selection: 'GN-2026B-Q-1/science/20261126', ngoemail: null, csemail: null })];
    expect(only(rows, 'duplicate')).toEqual([]);
  });

  it('not across different selections', () => {
    const rows = [synced(1, { piemail: 'same@uni.test' }), synced(2, { piemail: 'same@uni.test' })];
    expect(only(rows, 'duplicate')).toEqual([]);
  });

  it('two synced rows of one label (a copy made by hand): delete the extra', () => {
    const rows = [synced(1), { ...synced(1), id: 2, csemail: 'other@gemini.edu' }];
    const problem = one(rows, 'duplicate');
    expect(problem.source).toBe('sync');
    expect(problem.fix).toBe('Delete row #2, which repeats the label of #1: the sync updates only one row per label.');
  });

  it("two synced programs, one selection edited to the other's: set it back", () => {
    const rows = [synced(1), synced(2, { selection: 'GN-2026B-Q-1/science', piemail: 'pi1@uni.test', csemail: 'x@gemini.edu' })];
    const problem = one(rows, 'duplicate');
    expect(problem.fix).toBe(
      'Set the selection of row #2 back to "GN-2026B-Q-2/science" (the sync writes a selection only when it creates the row, so this edit lasts).',
    );
    expect(kinds(rows)).toEqual(['label-program-mismatch', 'duplicate']);
  });
});

describe('duplicate-row', () => {
  it('identical rows: one problem, and no duplicate of each address', () => {
    const rows = [3, 9, 10, 4].map((id) =>
      manual(id, { label: 'Copy', selection: 'GS-2026B-Q-9/science', piemail: 'pi@uni.test', csemail: 'cs@gemini.edu' }),
    );
    const report = audit(rows);
    expect(report.problems.map((p) => p.kind)).toEqual(['duplicate-row']);
    expect(report.problems[0]).toMatchObject({ id: 3, ids: [3, 4, 9, 10], field: null, source: 'manual' });
    expect(report.problems[0]!.fix).toBe('Delete rows #4, #9, #10 (added by hand), copies of #3.');
  });

  it('identical up to address case, spacing and term order', () => {
    const rows = [
      manual(1, { label: 'Copy', selection: 'GS-2026B-Q-9/science', piemail: 'Ann <ann@uni.test>', csemail: 'cs@gemini.edu' }),
      manual(2, { label: ' Copy ', selection: 'science/GS-2026B-Q-9', piemail: 'ANN@uni.test', csemail: 'CS@gemini.edu' }),
    ];
    expect(kinds(rows)).toEqual(['duplicate-row']);
  });

  it('identical synced rows: the sync keeps a program row only while one is left', () => {
    const problem = one([synced(1), { ...synced(1), id: 2 }], 'duplicate-row');
    expect(problem.source).toBe('sync');
    expect(problem.fix).toContain('Delete row #2, a copy of #1: the sync updates one row per label');
  });

  it('identical rows that send nothing still say so', () => {
    const rows = [
      manual(1, { label: 'x', selection: '', piemail: 'pi@uni.test', csemail: 'cs@gemini.edu' }),
      manual(2, { label: 'x', selection: '', piemail: 'pi@uni.test', csemail: 'cs@gemini.edu' }),
    ];
    expect(one(rows, 'duplicate-row').detail).toContain('they send nothing now, but fixing one leaves the others');
  });

  it('a third row sharing an address with the copies is still a duplicate', () => {
    const rows = [
      manual(1, { label: 'Copy' }),
      { ...manual(1, { label: 'Copy' }), id: 2 },
      manual(3, { selection: 'GN-2026B-Q-1/science', piemail: 'pi1@uni.test', ngoemail: null }),
    ];
    expect(kinds(rows)).toEqual(['duplicate', 'duplicate-row']);
    expect(one(rows, 'duplicate').ids).toEqual([1, 2, 3]);
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

describe('unsynced-auto-label', () => {
  it.each(['auto - GN-2026B-Q-1', 'Auto - GN-2026B-Q-1 ', 'Auto -GN-2026B-Q-1', 'Auto - GN2026BQ1'])(
    '%j is not the sync label',
    (label) => {
      const problem = one([manual(8, { label, selection: 'GN-2026B-Q-1/science' })], 'unsynced-auto-label');
      expect(problem.source).toBe('manual');
      expect(problem.detail).toContain('is not exactly "Auto - GN-2026B-Q-1", the label the program sync looks for');
      expect(problem.fix).toContain('set the label to exactly "Auto - GN-2026B-Q-1"');
    },
  );

  it('names the synced row of the program when there is one', () => {
    const rows = [
      synced(1),
      manual(8, { label: 'auto - GN-2026B-Q-1', piemail: 'other@uni.test', ngoemail: null, csemail: 'x@gemini.edu' }),
    ];
    const problem = one(rows, 'unsynced-auto-label');
    expect(problem.detail).toContain("row #1 is the program's synced row");
    expect(problem.fix).toContain('delete this row if it only repeats row #1');
  });

  it('a label starting with "Auto" that names no program is not reported', () => {
    expect(kinds([manual(8, { label: 'Automatic mail for the GMOS team' })])).toEqual([]);
  });
});

describe('oversized fields and megabytes of junk', () => {
  const MB = 1_000_000;
  const junk: [string, string][] = [
    ['unclosed parentheses', '('.repeat(MB)],
    ['placeholders', 'N/A; '.repeat(MB / 5)],
    ['address-like words', 'a@b '.repeat(MB / 4)],
    ['one long word', 'x'.repeat(MB)],
    ['control characters', '\u001b[2J\u0007'.repeat(MB / 6)],
  ];

  it.each(junk)('%s in every email field: bounded time and a bounded report', (_name, text) => {
    const started = performance.now();
    const report = audit([manual(1, { piemail: text, ngoemail: text, csemail: text })]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.problems.map((p) => [p.kind, p.field])).toEqual([
      ['no-pi-address', 'piemail'],
      ['no-cs-address', 'csemail'],
      ['oversized-field', 'piemail'],
      ['oversized-field', 'ngoemail'],
      ['oversized-field', 'csemail'],
    ]);
    expect(JSON.stringify(report).length).toBeLessThan(10_000);
    expect(report.problems[2]!.detail).toMatch(/^piemail holds [\d,]{7,} characters, far more than any list of addresses/);
  });

  it('an address after the first characters read is said to be unseen', () => {
    const problem = one([manual(1, { piemail: `${'N/A, '.repeat(MB / 5)}pi@uni.test` })], 'no-pi-address');
    expect(problem.detail).toContain(`(in its first ${MAX_EMAIL_FIELD} characters of 1,000,011)`);
  });

  it('addresses within the first characters are read, none cut in half', () => {
    const field = `pi@uni.test, ${'b'.repeat(MAX_EMAIL_FIELD)}@uni.test`;
    const report = audit([manual(1, { piemail: field })]);
    expect(report.problems.map((p) => p.kind)).toEqual(['oversized-field']);
    expect(report.problems[0]!.detail).toMatch(/its first 4096 characters give 1 address$/);
  });

  it('a megabyte selection of distinct unknown terms: bounded time and report, and never sent to the archive', () => {
    const selection = `GN-2026B-Q-1/${Array.from({ length: 100_000 }, (_, i) => `term${i}`).join('/')}`;
    const started = performance.now();
    const rows = [manual(1, { selection, label: 'L'.repeat(MB) })];
    const report = audit(rows);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.problems.map((p) => p.kind)).toEqual(['invalid-selection', 'oversized-field']);
    expect(report.problems[0]!.detail).toContain('more than the 2000 a search link can carry');
    expect(report.problems[0]!.selection).toMatch(/more characters\)$/);
    expect(report.problems[0]!.label!.length).toBeLessThan(300);
    expect(JSON.stringify(report).length).toBeLessThan(5000);
    expect(selectionsToConfirm(rows)).toEqual([]);
  });

  it('a megabyte selection term gets no suggestion (and takes no time looking for one)', () => {
    const started = performance.now();
    const problem = one([manual(1, { selection: `GN-2026B-Q-1/${'sceince'.repeat(150_000)}` })], 'invalid-selection');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(problem.detail).not.toContain('did you mean');
  });
});

describe('--match: the rows the report is about', () => {
  const rows = [
    synced(1),
    manual(2, { selection: 'GN-2026B-Q-1/science', piemail: 'pi1@uni.test', ngoemail: null, csemail: null }),
    manual(3, { piemail: null }),
  ];

  it('counts and reports only those rows, but finds duplicates with the others', () => {
    const report = audit(rows, { only: new Set([2]) });
    expect(report.notifications).toBe(1);
    expect(report.problems.map((p) => [p.kind, p.ids])).toEqual([
      ['no-cs-address', [2]],
      ['duplicate', [1, 2]],
    ]);
  });

  it('a row outside them is not reported', () => {
    expect(audit(rows, { only: new Set([1]) }).problems.map((p) => p.kind)).toEqual(['duplicate']);
  });
});

describe('the report', () => {
  it('orders problems worst first, then by row', () => {
    const rows = [
      manual(1, { ngoemail: 'N/A, ngo@partner.test' }),
      manual(2, { piemail: null }),
      manual(3, { selection: '' }),
      manual(4, { selection: 'science' }),
      manual(5, { csemail: null }),
    ];
    expect(kinds(rows)).toEqual(['unscoped-selection', 'invalid-selection', 'no-pi-address', 'no-cs-address', 'rejected-piece']);
  });

  it('gives label and selection as stored, NULL as null', () => {
    const problem = one([manual(2, { label: null, selection: null })], 'invalid-selection');
    expect(problem).toMatchObject({ label: null, selection: null });
  });

  it('a row can have several problems at once', () => {
    const rows = [synced(5, { selection: 'GN2026BQ5/science', piemail: 'pi5@uni.test, jdoe@gemini', ngoemail: 'N/A', csemail: '' })];
    expect(audit(rows).problems.map((p) => [p.kind, p.field])).toEqual([
      ['no-cs-address', 'csemail'],
      ['unconfirmed-selection', 'selection'],
      ['rejected-piece', 'piemail'],
      ['rejected-piece', 'ngoemail'],
    ]);
  });

  it('a table of thousands of rows is audited quickly', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => synced(i + 1, { ngoemail: 'ngo@partner.test', csemail: `cs${i % 20}@gemini.edu` }));
    const started = performance.now();
    expect(audit(rows).problems).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
