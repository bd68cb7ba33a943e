import { describe, expect, it } from 'vitest';
import { PROBLEM_KINDS } from '../../../src/support/audit/problem.js';
import { problemTotals } from '../../../src/support/audit/report.js';
import { audit, kinds, manual, one, synced } from './sample-rows.js';

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
    expect(report).toEqual({ notifications: 3, online: false, problems: [], notes: [] });
    expect(problemTotals(report)).toEqual(Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, 0])));
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
