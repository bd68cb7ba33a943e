import type { Status } from '../../src/domain/result.js';
import type { RunSummary } from '../../src/monitoring/run-summary.js';

const NO_RESULTS: Record<Status, number> = {
  sent: 0,
  'dry-run': 0,
  'no-data': 0,
  'already-sent': 0,
  'invalid-selection': 0,
  'no-recipients': 0,
  failed: 0,
};

export const RUN_ID = '6f1c2f1e-3b0a-4d9e-9a57-0c6b1d2e3f40';

/** A PI run of night 20261125 that took 45 seconds, changed as the test needs. */
export function summaryOf(changes: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: RUN_ID,
    mode: 'pi',
    date: '20261125',
    startedAt: new Date('2026-11-26T08:00:02Z'),
    endedAt: new Date('2026-11-26T08:00:47Z'),
    exitCode: 0,
    totals: { ...NO_RESULTS, sent: 12, 'no-data': 140, 'already-sent': 3 },
    messagesSent: 12,
    archiveRequests: 310,
    problems: [],
    ...changes,
  };
}
