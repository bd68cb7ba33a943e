import { describe, expect, it } from 'vitest';
import { kinds, manual, one, only, synced } from './sample-rows.js';

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
