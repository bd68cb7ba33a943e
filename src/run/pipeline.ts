/**
 * One run of the daily job for one night and mode. Each notification goes through the same stages, independent of
 * the others: plan (its row read), check the selection, search the night(s), decide, compose, deliver, report.
 * Workers take rows as the table yields them; archive requests are bounded separately, by the client.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EmailAddress } from '../addresses/index.js';
import type { ServerBreaker } from '../archive/breaker.js';
import { type ArchiveAnswer, type ArchiveClient, archiveUrl, searchTerms } from '../archive/client.js';
import type { ValidSelection } from '../archive/selection.js';
import { judgeSelection } from '../archive/selection-verdict.js';
import type { NotificationTable } from '../db/notification-table.js';
import { type RunLock, RunLockLost } from '../db/run-lock.js';
import { type Announcements, NightOutcomeLog, type SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { type Night, nightsBefore } from '../domain/night.js';
import type { Intent, NightOutcome } from '../domain/notice.js';
import type { Notification } from '../domain/notification.js';
import { notTried, QUIET_STATUSES, type Refusal, type Result, type RunReport, type Status, stoppedBy } from '../domain/result.js';
import type { Mailer } from '../mail/mailer.js';
import { SmtpLoginRefused } from '../mail/smtp-mailer.js';
import { composeNotice, type NoticeInput, type Sender } from './compose.js';
import { decideNight, type NightDecision } from './decide.js';
import { type Delivered, deliverNotice } from './deliver.js';
import { type Plan, planNotification } from './plan.js';
import { type NightAnswer, searchNights } from './search.js';

export interface RunRequest {
  night: Night;
  mode: Mode;
  /** Announce the run's night again in full, even what was announced before. */
  force: boolean;
  match?: string;
  /** The archive (PI) or the summit FITS server (CHECK). */
  base: string;
  sender: Sender;
  bcc: readonly EmailAddress[];
  /** Earlier nights re-checked for files never announced (0: the old job's behaviour). */
  lookbackNights: number;
  /** Notifications in progress at once; archive requests are bounded separately by the client. */
  workers: number;
}

/** What a run needs of the world, each a small adapter. */
export interface RunPorts {
  notifications: Pick<NotificationTable, 'count' | 'pages'>;
  record: Pick<
    SendRecord,
    'announcements' | 'recentlyComplete' | 'unconfirmed' | 'intent' | 'sent' | 'failed' | 'unknown' | 'recordOutcomes'
  >;
  archive: Pick<ArchiveClient, 'searchFiles' | 'summaryPage'>;
  mailer: Mailer;
  /** The run lock, checked before each message is recorded and handed over; null when nothing is delivered. */
  lock: Pick<RunLock, 'assertHeld'> | null;
  /** Opens when the server searched is down: the rest of the run asks it nothing more. */
  breaker: ServerBreaker;
  /** Aborted by SIGTERM or SIGINT, or by `halt`: no new notification is taken, no new message handed over. */
  stop: AbortSignal;
  /** Aborts `stop` after an error that ends the run, so the other workers stop too (docs/commands.md#a-run). */
  halt(reason: string): void;
  /** Each notification's results once recorded: what a run that ends on a fatal error has done. */
  recorded?: (results: readonly Result[]) => void;
  clock: () => Date;
  log: Logger;
  progress?: (done: number, total: number) => void;
}

/** A look-back night found fully announced this recently is not asked again: no work twice in a rerun. */
const ASK_AGAIN_AFTER_MS = 60 * 60 * 1000;

/** What every notification of one night's run shares. */
interface NightRun {
  request: RunRequest;
  ports: RunPorts;
  announced: Announcements;
  recentlyComplete: Set<string>;
  lookback: Night[];
  /** Null when nothing is delivered: a dry run records nothing. */
  outcomes: NightOutcomeLog | null;
  /** `${id}:${night}` → an earlier run's message the mail server never answered: sending it again is said. */
  unconfirmed: Map<string, { messageId: string; createdAt: Date }>;
  /** `${id}:${night}` of messages this run handed over whole and never got an answer for: not sent again by it. */
  unanswered: Set<string>;
}

/** What ends a run rather than one notification: the run lock lost, the mail server refusing the login. */
const endsTheRun = (error: unknown) => error instanceof RunLockLost || error instanceof SmtpLoginRefused;

/** `unanswered` is shared by the nights of one run, so a look-back night never sends again what an earlier one did. */
export async function runNight(request: RunRequest, ports: RunPorts, unanswered = new Set<string>()): Promise<RunReport> {
  const rows = ports.notifications.pages(request.match);
  const total = ports.progress ? await ports.notifications.count(request.match) : 0;
  const lookback = nightsBefore(request.night, request.lookbackNights);
  const since = new Date(ports.clock().getTime() - ASK_AGAIN_AFTER_MS);
  const warn = (message: string) => ports.log.warn(message);
  const state: NightRun = {
    request,
    ports,
    announced: await ports.record.announcements(request.mode, [request.night, ...lookback]),
    recentlyComplete: await ports.record.recentlyComplete(request.mode, lookback, since),
    lookback,
    outcomes: ports.mailer.delivers ? new NightOutcomeLog(ports.record, ports.clock, warn) : null,
    unconfirmed: ports.mailer.delivers ? await ports.record.unconfirmed(request.mode, [request.night, ...lookback]) : new Map(),
    unanswered,
  };
  const results: { id: number; results: Result[] }[] = [];
  let done = 0;
  // The first error that ends the run halts every worker; the run throws it once they have all stopped.
  let fatal: { error: unknown } | null = null;
  const worker = async () => {
    try {
      while (!fatal) {
        const row = await rows.next();
        if (!row) return;
        const rowResults = await processNotification(row, state);
        results.push({ id: row.id, results: rowResults });
        ports.recorded?.(rowResults);
        done += 1;
        ports.progress?.(done, Math.max(total, done));
      }
    } catch (error) {
      if (fatal) return;
      fatal = { error };
      ports.halt('a fatal error');
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.workers) }, worker));
  await state.outcomes?.flush();
  if (fatal) throw (fatal as { error: unknown }).error;
  // In table order, whatever order the workers finished in.
  results.sort((a, b) => a.id - b.id);
  return {
    nights: [request.night],
    mode: request.mode,
    dryRun: !ports.mailer.delivers,
    results: results.flatMap((r) => r.results),
    interrupted: interruption(ports),
  };
}

/** Why the run stopped early, if it did: no notification is taken after this, and the run exits 75. */
function interruption(ports: Pick<RunPorts, 'breaker' | 'mailer' | 'stop'>): string | null {
  if (ports.stop.aborted) return stoppedBy(ports.stop);
  return ports.breaker.open ?? ports.mailer.unreachable ?? null;
}

/**
 * The archive as one notification uses it: nothing is asked once the breaker is open, and when the notification is
 * done (`settle`), the breaker learns whether the server answered it or failed it for a transient cause.
 */
function breakerArchive(ports: RunPorts): { archive: RunPorts['archive']; settle(): void } {
  let answered = false;
  let transient: string | null = null;
  const through = async <T>(ask: () => Promise<ArchiveAnswer<T>>, url: () => string): Promise<ArchiveAnswer<T>> => {
    const open = ports.breaker.open;
    if (open) return { ok: false, ...notTried(open), url: url(), attempts: 0, transient: false };
    const answer = await ask();
    if (answer.ok) answered = true;
    else if (answer.transient) transient = answer.error;
    return answer;
  };
  return {
    archive: {
      searchFiles: (base, nights, selection, mode) =>
        through(
          () => ports.archive.searchFiles(base, nights, selection, mode),
          () => archiveUrl(base, 'jsonsummary', nights, searchTerms(selection.terms, mode)),
        ),
      summaryPage: (base, night, terms) =>
        through(
          () => ports.archive.summaryPage(base, night, terms),
          () => archiveUrl(base, 'summary/nolinks', night, terms),
        ),
    },
    settle() {
      if (answered) ports.breaker.answered();
      else if (transient !== null) ports.breaker.failed(transient);
    },
  };
}

/**
 * Losing the run lock ends the run; any other surprise fails this notification only. After a stop or with the
 * breaker open, a notification is reported as not tried, without a request.
 */
async function processNotification(row: Notification, state: NightRun): Promise<Result[]> {
  const plan = planNotification(row, state.request.mode, state.request.bcc);
  const skipped = interruption(state.ports);
  if (skipped) {
    return recorded(state, [resultOf(plan, state.request.night, 'failed', notTried(skipped))]);
  }
  const counted = breakerArchive(state.ports);
  try {
    return await processPlan(plan, state, counted.archive);
  } catch (error) {
    if (endsTheRun(error)) throw error;
    return [resultOf(plan, state.request.night, 'failed', { error: `unexpected error: ${(error as Error).message}` })];
  } finally {
    counted.settle();
  }
}

/** The run's night first, so a slow look-back never holds up tonight's message; then the look-back nights. */
async function processPlan(plan: Plan, state: NightRun, archive: RunPorts['archive']): Promise<Result[]> {
  const { request, ports } = state;
  const log = ports.log.child({ notification: plan.notification.id, selection: plan.notification.selection });
  const verdict = await judgeSelection(plan.selection, (terms) => archive.summaryPage(request.base, request.night, terms));
  if (verdict.kind !== 'valid') {
    const [status, error]: [Status, string] =
      verdict.kind === 'invalid'
        ? ['invalid-selection', verdict.reason]
        : ['failed', `could not confirm the selection with the archive: ${verdict.error}`];
    log.warn({ status, url: verdict.url }, error);
    return recorded(state, [resultOf(plan, request.night, status, { error, url: verdict.url })]);
  }
  const lookback = state.lookback.filter((night) => {
    const key = `${plan.notification.id}:${night}`;
    return !state.recentlyComplete.has(key) && !state.unanswered.has(key);
  });
  const search = await searchNights([request.night, ...lookback], (nights) =>
    archive.searchFiles(request.base, nights, verdict.selection, request.mode),
  );
  for (const note of search.notes) log.warn({ night: request.night }, note);
  const [tonight, ...earlier] = search.answers as [NightAnswer, ...NightAnswer[]];
  const results = [await processNight(plan, verdict.selection, request.night, tonight, state, log)];
  for (const [i, night] of lookback.entries()) {
    results.push(await processNight(plan, verdict.selection, night, earlier[i] as NightAnswer, state, log));
  }
  // A look-back night is reported only when it had something to send, or failed; every night is recorded.
  return recorded(state, results).filter((result, i) => i === 0 || !QUIET_STATUSES.includes(result.status));
}

/** One night of one notification: decide on the archive's answer, compose the notice, deliver it, say how it ended. */
async function processNight(
  plan: Plan,
  selection: ValidSelection,
  night: Night,
  answer: NightAnswer,
  state: NightRun,
  log: Logger,
): Promise<Result> {
  const { request, ports } = state;
  const finish = ([status, extra]: Outcome): Result => {
    const result = resultOf(plan, night, status, { url: answer.url, ...extra });
    if (result.error) log.warn({ night, status, url: result.url }, result.error);
    return result;
  };
  if (!answer.ok) return finish(['failed', searchFailure(answer)]);
  const decision = decideNight({
    mode: request.mode,
    entries: answer.entries,
    scope: selection.scope,
    announced: request.force && night === request.night ? undefined : state.announced.get(plan.notification.id)?.get(night),
    hasRecipients: plan.recipients.to.length > 0,
  });
  if ('gone' in decision && decision.gone.length > 0) logGone(decision.gone, night, log);
  if (decision.kind !== 'send') return finish(nothingToSend(decision));
  const { message, intent } = composeNotice(noticeInput(plan, selection, night, decision, state));
  const key = `${plan.notification.id}:${night}`;
  const unconfirmed = state.unconfirmed.get(key);
  if (unconfirmed) logResending(unconfirmed, night, log);
  const delivered = await deliverNotice(message, intent, { ...ports, log });
  if (delivered.status === 'unknown') state.unanswered.add(key);
  if (delivered.status === 'sent')
    log.info({ night, messageId: intent.messageId, to: intent.to, cc: intent.cc, files: intent.files.length }, 'sent');
  return finish(deliveryOutcome(delivered, intent));
}

/** A night's status and what its result says beyond the notification's own facts. */
type Outcome = [Status, Partial<Result>];

/** A search that failed, or that was not even made (the run stopped, the breaker open): the digest groups those. */
const searchFailure = (answer: Extract<NightAnswer, { ok: false }>): Partial<Result> =>
  answer.notTried !== undefined ? notTried(answer.notTried) : { error: `archive search failed: ${answer.error}` };

/** The notice a decision to send makes: this notification, night and files, in the run's mode, from its sender. */
function noticeInput(
  plan: Plan,
  selection: ValidSelection,
  night: Night,
  decision: Extract<NightDecision, { kind: 'send' }>,
  { request, ports }: NightRun,
): NoticeInput {
  return {
    mode: request.mode,
    notificationId: plan.notification.id,
    night,
    runNight: request.night,
    selection,
    base: request.base,
    sender: request.sender,
    recipients: plan.recipients,
    files: decision.files,
    answered: decision.answered,
    previous: decision.previous,
    date: ports.clock(),
    uniqueId: randomUUID(),
  };
}

function logGone(gone: readonly string[], night: Night, log: Logger): void {
  log.warn(
    { night, files: gone },
    `${gone.length} announced file(s) no longer in the archive's answer (deleted or no longer canonical); not mailed`,
  );
}

function logResending(unconfirmed: { messageId: string; createdAt: Date }, night: Night, log: Logger): void {
  log.warn(
    { night, previous: unconfirmed.messageId },
    `sending again: the message handed to the mail server at ${unconfirmed.createdAt.toISOString()} was never answered, ` +
      'so nothing confirmed its delivery; this one may be a second copy',
  );
}

/** The status and detail of a notice handed to the mailer, from what became of it. */
function deliveryOutcome(delivered: Delivered, intent: Intent): Outcome {
  const { messageId } = intent;
  const files = intent.files.length;
  switch (delivered.status) {
    case 'dry-run':
      return ['dry-run', { files, messageId }];
    case 'failed':
      return ['failed', { error: delivered.error, notTried: delivered.notTried ?? null, files, refused: delivered.refused }];
    case 'unknown':
      return ['unknown', { error: delivered.error, files, refused: delivered.refused, messageId }];
    case 'sent':
      return ['sent', { error: delivered.problem, files, refused: delivered.refused, messageId }];
  }
}

/** The status and detail of a decision that sends nothing. */
function nothingToSend(decision: Exclude<NightDecision, { kind: 'send' }>): Outcome {
  switch (decision.kind) {
    case 'no-data':
      return ['no-data', {}];
    case 'already-sent':
      return ['already-sent', { files: decision.files }];
    case 'no-recipients':
      return ['no-recipients', { error: `no valid address in ${decision.field}; nothing sent`, files: decision.files }];
    case 'other-programs': {
      const error =
        `archive returned files of other programs: ${decision.programs.join(', ')} ` +
        `(${decision.foreign} of ${decision.files} files); nothing sent`;
      return ['failed', { error, files: decision.files }];
    }
  }
}

/** One empty list for the results that refused nobody: most of a run's, which the report keeps to its end. */
const NO_REFUSALS: readonly Refusal[] = Object.freeze([]);

function resultOf(plan: Plan, night: Night, status: Status, extra: Partial<Result> = {}): Result {
  return {
    id: plan.notification.id,
    label: plan.notification.label,
    selection: plan.notification.selection,
    night,
    status,
    files: 0,
    to: plan.addressed.to,
    cc: plan.addressed.cc,
    rejected: plan.recipients.rejected,
    refused: NO_REFUSALS,
    error: null,
    notTried: null,
    messageId: null,
    url: null,
    ...extra,
  };
}

/** One notification's results, recorded as its nights' outcomes: a row per archive request (a dry run records nothing). */
function recorded(state: NightRun, results: Result[]): Result[] {
  state.outcomes?.add(results.map((result) => nightOutcome(result, state.request.mode)));
  return results;
}

/** What the send record keeps of a night, from its result. */
function nightOutcome(result: Result, mode: Mode): NightOutcome {
  const { id, night, status, selection, files, rejected, error, url } = result;
  const complete = status === 'no-data' || status === 'already-sent' || status === 'sent';
  return { notificationId: id, night, mode, status, selection, files, rejected, error, complete, url };
}
