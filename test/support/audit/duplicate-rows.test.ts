import { describe, expect, it } from 'vitest';
import { audit, kinds, manual, one, synced } from './sample-rows.js';

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
