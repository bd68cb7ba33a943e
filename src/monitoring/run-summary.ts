import { FAILURE_CLASSES, type FailureClass } from '../bounce/reading.js';
import type { Mode } from '../domain/mode.js';
import type { Result, RunProblem, RunReport, Status } from '../domain/result.js';
import { problemsOf, totalsOfEvery } from '../run/report.js';

/** What a monitor learns of one finished run of `send`: the end ping's body and the metrics file are made from it. */
export interface RunSummary {
  /** Ties the start and end pings of one run (healthchecks.io's `rid`). */
  runId: string;
  mode: Mode;
  /** `YYYYMMDD`, or `A..B` for a range. */
  date: string;
  startedAt: Date;
  endedAt: Date;
  exitCode: number;
  /** Notifications per status: every status, 0 where none. */
  totals: Record<Status, number>;
  /** Messages the mail server accepted (notifications and follow-ups; not the digest). */
  messagesSent: number;
  /** Requests made to the archive or the summit FITS server, retries included. */
  archiveRequests: number;
  /**
   * When the last earlier run of this mode that exited 0 ended, as the run log records it (docs/commands.md#metrics);
   * null when there was none, or the run could not read the log (the database unreachable).
   */
  lastSuccessAt: Date | null;
  /**
   * Failures of this mode's messages that `bounce` recorded and the run's digest was to tell, one per recipient per
   * report, per class (every class, 0 where none; docs/commands.md#metrics).
   */
  bounces: Record<FailureClass, number>;
  /** One each: a notification that needs attention, the run's early stop, or the error that ended it. */
  problems: readonly RunProblem[];
}

/** Failures counted per class, every class present (a failure without one counts as `other`). */
export function bouncesByClass(failures: readonly { class: FailureClass | null }[]): Record<FailureClass, number> {
  const counts = Object.fromEntries(FAILURE_CLASSES.map((c) => [c, 0])) as Record<FailureClass, number>;
  for (const failure of failures) counts[failure.class ?? 'other'] += 1;
  return counts;
}

/** What a run had done when it ended, as far as it got: a fatal error may leave no report, only what was recorded. */
export interface RunOutcome {
  /** Each notification's results as they were recorded. */
  recorded: readonly Result[];
  report: RunReport | null;
  /** The error that ended the run: its kind and one line. */
  fatal: { kind: string; message: string } | null;
}

/**
 * The summary of a run from its report; after a fatal error, from what it recorded until then, so the messages it did
 * send are counted, with the error as the first problem.
 */
export function runSummaryOf(run: Omit<RunSummary, 'totals' | 'messagesSent' | 'problems'>, outcome: RunOutcome): RunSummary {
  const totals = totalsOfEvery(outcome.recorded);
  const fatal: RunProblem[] = outcome.fatal
    ? [{ brief: `the run ended on a fatal error (${outcome.fatal.kind})`, full: outcome.fatal.message }]
    : [];
  return {
    ...run,
    totals,
    messagesSent: totals.sent,
    problems: outcome.report ? problemsOf(outcome.report) : [...fatal, ...problemsOf({ results: outcome.recorded, interrupted: null })],
  };
}
