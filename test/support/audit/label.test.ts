import { describe, expect, it } from 'vitest';
import { kinds, manual, one, synced } from './sample-rows.js';

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
