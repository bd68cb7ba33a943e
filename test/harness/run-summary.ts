import { type RunProblem, STATUSES, type Status } from '../../src/domain/result.js';
import { bouncesByClass, type RunSummary } from '../../src/monitoring/run-summary.js';

/** The run id of runSummary(): a UUID, as send makes one. */
export const RUN_ID = '6f1c2f1e-3b0a-4d9e-9a57-0c6b1d2e3f40';

/** Every status at 0, with the given ones set. */
export const statusTotals = (some: Partial<Record<Status, number>> = {}): Record<Status, number> =>
  Object.fromEntries(STATUSES.map((status) => [status, some[status] ?? 0])) as Record<Status, number>;

/** A problem told the same in brief and in full, where the difference does not matter to a test. */
export const problem = (full: string, brief = full): RunProblem => ({ brief, full });

/** A PI run on the morning after 20261126 that sent three messages and exited 0, with the given fields changed. */
export function runSummary(changes: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: RUN_ID,
    mode: 'pi',
    date: '20261126',
    startedAt: new Date('2026-11-27T18:00:00.005Z'),
    endedAt: new Date('2026-11-27T18:00:12.345Z'),
    exitCode: 0,
    totals: statusTotals({ sent: 3, 'no-data': 10, 'already-sent': 1 }),
    messagesSent: 4,
    archiveRequests: 15,
    lastSuccessAt: null,
    bounces: bouncesByClass([]),
    problems: [],
    ...changes,
  };
}

/** The CHECK run five minutes after the PI run of runSummary(), which failed one notification and exited 1. */
export function failedCheckSummary(changes: Partial<RunSummary> = {}): RunSummary {
  return runSummary({
    runId: 'run-2',
    mode: 'check',
    startedAt: new Date('2026-11-27T18:05:00.000Z'),
    endedAt: new Date('2026-11-27T18:06:30.250Z'),
    exitCode: 1,
    totals: statusTotals({ sent: 2, failed: 1 }),
    messagesSent: 2,
    archiveRequests: 7,
    problems: [problem('#201 20261126 failed: archive search failed: no answer within 20000 ms', '#201 20261126 failed')],
    ...changes,
  });
}
