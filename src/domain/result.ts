import type { Mode } from './mode.js';
import type { Night } from './night.js';

/**
 * Every way one notification's night can end, in the order reports list them. `unknown`: the whole message went to the
 * mail server and its reply never came, so it may have been delivered (docs/commands.md#statuses).
 */
export const STATUSES = ['sent', 'dry-run', 'no-data', 'already-sent', 'invalid-selection', 'no-recipients', 'failed', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

/** A person should look: nothing was sent until something is fixed (or the next run retries), or nobody knows if it was. */
export const PROBLEM_STATUSES: readonly Status[] = ['failed', 'invalid-selection', 'no-recipients', 'unknown'];
/** Nothing to send, and nothing wrong. */
export const QUIET_STATUSES: readonly Status[] = ['no-data', 'already-sent'];

/**
 * A failure nothing was tried for: the run stopped, or a server was found down. `notTried` is the reason, as data (the
 * digest gathers such results into one paragraph per reason, however many there are); `error` is how every report
 * words it.
 */
export interface NotTried {
  error: string;
  notTried: string;
}
export const notTried = (reason: string): NotTried => ({ error: `not tried: ${reason}`, notTried: reason });
/** Why a stopped run tried no more: the same words wherever it is noticed, so the digest says it once. */
export const stoppedBy = (stop: AbortSignal): string => `stopped by ${String(stop.reason ?? 'a signal')}`;

/** A recipient the mail server refused, with its reply. */
export interface Refusal {
  address: string;
  reply: string;
}

/**
 * What the relay answered to one SMTP transaction it accepted (`250 2.0.0 Ok: queued as 4XyZ`), for the recipients it
 * took; `queueId` is the relay's name for the message, which comes back in the bounces it writes.
 */
export interface RelayReply {
  recipients: string[];
  reply: string;
  queueId: string | null;
}

/** What happened to one notification for one night in one run. */
export interface Result {
  id: number;
  label: string | null;
  selection: string | null;
  /** The night this result is about: the run's, or an earlier one found by the look-back. */
  night: Night;
  status: Status;
  /** Files listed in the message (new files only), or found, for statuses that send nothing. */
  files: number;
  to: readonly string[];
  cc: readonly string[];
  rejected: readonly string[];
  refused: readonly Refusal[];
  error: string | null;
  /** Why nothing was tried for it, if nothing was: then `error` is `not tried: <reason>`. */
  notTried: string | null;
  messageId: string | null;
  /** The archive search, for the report reader and the digest. */
  url: string | null;
}

/**
 * One thing in a run that needs a person, as a monitor outside may be told of it: `brief` holds notification ids,
 * nights, statuses and counts only; `full` adds the selection and the reason, with the addresses, names and mail
 * server replies it may hold (docs/commands.md#healthcheck).
 */
export interface RunProblem {
  brief: string;
  full: string;
}

/** What one run of `send` did: every result, in table order. */
export interface RunReport {
  /** The nights asked for: one, or each of a `--date A..B` range. */
  nights: Night[];
  mode: Mode;
  dryRun: boolean;
  results: Result[];
  /** Why the run stopped before its end (a signal, the server down), or null: the run then exits 75. */
  interrupted: string | null;
}
