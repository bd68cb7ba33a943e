import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/domain/result.js';
import { bouncesByClass, runSummaryOf } from '../../src/monitoring/run-summary.js';
import { RESULT_NIGHT, result } from '../harness/result.js';
import { RUN_ID, statusTotals } from '../harness/run-summary.js';

const night = RESULT_NIGHT;
const run = {
  runId: RUN_ID,
  mode: 'pi' as const,
  date: night,
  startedAt: new Date('2026-11-27T18:00:00Z'),
  endedAt: new Date('2026-11-27T18:00:12Z'),
  exitCode: 1,
  archiveRequests: 3,
  lastSuccessAt: null,
  bounces: bouncesByClass([]),
};
const results = [
  result({ id: 1, status: 'sent', files: 2 }),
  result({ id: 2, status: 'failed', error: 'archive search failed: HTTP 503' }),
  result({ id: 3, status: 'sent', files: 1 }),
];

describe('runSummaryOf: what the monitor is told when a run ends', () => {
  it('a run that reported: its totals, the messages sent, a problem per result that needs a person', () => {
    const report: RunReport = { nights: [night], mode: 'pi', dryRun: false, results, interrupted: 'stopped by SIGTERM' };
    const summary = runSummaryOf(run, { recorded: results, report, fatal: null });
    expect(summary).toMatchObject({ ...run, totals: statusTotals({ sent: 2, failed: 1 }), messagesSent: 2 });
    expect(summary.problems.map((p) => p.brief)).toEqual(['the run stopped early', '#2 20261126 failed']);
  });

  it('a run a fatal error ended: what it recorded until then, the error first', () => {
    const summary = runSummaryOf(
      { ...run, exitCode: 75 },
      { recorded: results.slice(0, 2), report: null, fatal: { kind: 'locked', message: 'another pi run holds the lock' } },
    );
    expect(summary).toMatchObject({ exitCode: 75, totals: statusTotals({ sent: 1, failed: 1 }), messagesSent: 1 });
    expect(summary.problems).toEqual([
      { brief: 'the run ended on a fatal error (locked)', full: 'another pi run holds the lock' },
      { brief: '#2 20261126 failed', full: '#2 GN-2026B-Q-1/science 20261126 failed: archive search failed: HTTP 503' },
    ]);
  });

  it('a run that ended before any notification: every status 0, only the error', () => {
    const summary = runSummaryOf(run, { recorded: [], report: null, fatal: { kind: 'database-unavailable', message: 'lost it' } });
    expect(summary.totals).toEqual(statusTotals());
    expect(summary.problems.map((p) => p.brief)).toEqual(['the run ended on a fatal error (database-unavailable)']);
  });
});
