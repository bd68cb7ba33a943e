import { describe, expect, it } from 'vitest';
import { MAX_EMAIL_FIELD, selectionsToConfirm } from '../../../src/support/audit/row-reading.js';
import { audit, kinds, manual, one, only, synced } from './sample-rows.js';

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
