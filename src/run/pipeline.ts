/**
 * One run of the daily job for one night and mode. Each notification goes through the same stages, independent of
 * the others: plan (its row read), check the selection, search the night(s), decide, compose, deliver, report.
 * Workers take rows as the table yields them; archive requests are bounded separately, by the client.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EmailAddress } from '../addresses/index.js';
import type { ServerBreaker } from '../archive/breaker.js';
import { type ArchiveAnswer, type ArchiveClient, archiveUrl } from '../archive/client.js';
import type { ValidSelection } from '../archive/selection.js';
import { checkSelection, searchTerms } from '../archive/selection-check.js';
import type { NotificationTable } from '../db/notification-table.js';
import { type RunLock, RunLockLost } from '../db/run-lock.js';
import { type Announcements, type NightCheck, NightCheckLog, type SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { type Night, shiftNight } from '../domain/night.js';
import type { Notification } from '../domain/notification.js';
import { isNotTried, notTried, QUIET_STATUSES, type Result, type RunReport, type Status, stoppedBy } from '../domain/result.js';
import type { Mailer } from '../mail/mailer.js';
import { SmtpLoginRefused } from '../mail/smtp-mailer.js';
import { composeNotice, type Sender } from './compose.js';
import { decideNight, type NightDecision } from './decide.js';
import { deliverNotice } from './deliver.js';
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
  record: Pick<SendRecord, 'announcements' | 'recentlyComplete' | 'unconfirmed' | 'intent' | 'sent' | 'failed' | 'unknown' | 'checked'>;
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

/** A look-back night checked and fully announced this recently is not asked again: no work twice in a rerun. */
const RECHECK_AFTER_MS = 60 * 60 * 1000;

/** What every notification of the run shares. */
interface RunState {
  request: RunRequest;
  ports: RunPorts;
  announced: Announcements;
  recentlyComplete: Set<string>;
  lookback: Night[];
  /** Null when nothing is delivered: a dry run records nothing. */
  checks: NightCheckLog | null;
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
  const lookback = Array.from({ length: request.lookbackNights }, (_, i) => shiftNight(request.night, -(i + 1)));
  const since = new Date(ports.clock().getTime() - RECHECK_AFTER_MS);
  const warn = (message: string) => ports.log.warn(message);
  const state: RunState = {
    request,
    ports,
    announced: await ports.record.announcements(request.mode, [request.night, ...lookback]),
    recentlyComplete: await ports.record.recentlyComplete(request.mode, lookback, since),
    lookback,
    checks: ports.mailer.delivers ? new NightCheckLog(ports.record, ports.clock, warn) : null,
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
  await state.checks?.flush();
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
    if (open) return { ok: false, error: notTried(open), url: url(), attempts: 0, transient: false };
    const answer = await ask();
    if (answer.ok) answered = true;
    else if (answer.transient) transient = answer.error;
    return answer;
  };
  return {
    archive: {
      searchFiles: (base, nights, terms) =>
        through(
          () => ports.archive.searchFiles(base, nights, terms),
          () => archiveUrl(base, 'jsonsummary', nights, terms),
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
async function processNotification(row: Notification, state: RunState): Promise<Result[]> {
  const plan = planNotification(row, state.request.mode, state.request.bcc);
  const skipped = interruption(state.ports);
  if (skipped) {
    return recorded(state, [resultOf(plan, state.request.night, 'failed', { error: notTried(skipped) })]);
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
async function processPlan(plan: Plan, state: RunState, archive: RunPorts['archive']): Promise<Result[]> {
  const { request, ports } = state;
  const log = ports.log.child({ notification: plan.notification.id, selection: plan.notification.selection });
  const checked = await checkSelection(plan.selection, (terms) => archive.summaryPage(request.base, request.night, terms));
  if (checked.kind !== 'valid') {
    const [status, error]: [Status, string] =
      checked.kind === 'invalid'
        ? ['invalid-selection', checked.reason]
        : ['failed', `could not confirm the selection with the archive: ${checked.error}`];
    log.warn({ status, url: checked.url }, error);
    return recorded(state, [resultOf(plan, request.night, status, { error, url: checked.url })]);
  }
  const lookback = state.lookback.filter((night) => {
    const key = `${plan.notification.id}:${night}`;
    return !state.recentlyComplete.has(key) && !state.unanswered.has(key);
  });
  const terms = searchTerms(checked.selection.terms, request.mode);
  const search = await searchNights([request.night, ...lookback], (nights) => archive.searchFiles(request.base, nights, terms));
  for (const note of search.notes) log.warn({ night: request.night }, note);
  const [tonight, ...earlier] = search.answers as [NightAnswer, ...NightAnswer[]];
  const results = [await processNight(plan, checked.selection, request.night, tonight, state, log)];
  for (const [i, night] of lookback.entries()) {
    results.push(await processNight(plan, checked.selection, night, earlier[i] as NightAnswer, state, log));
  }
  // A look-back night is reported only when it had something to send, or failed; every night is recorded.
  return recorded(state, results).filter((result, i) => i === 0 || !QUIET_STATUSES.includes(result.status));
}

/** One night of one notification: decide on the archive's answer, and send what was never announced. */
async function processNight(
  plan: Plan,
  selection: ValidSelection,
  night: Night,
  answer: NightAnswer,
  state: RunState,
  log: Logger,
): Promise<Result> {
  const { request, ports } = state;
  const finish = (status: Status, extra: Partial<Result> = {}): Result => {
    const result = resultOf(plan, night, status, extra);
    if (result.error) log.warn({ night, status, url: result.url }, result.error);
    return result;
  };
  // A request not even made (the run stopped, the breaker open) says so plainly: the digest groups those.
  const failure = (error: string) => (isNotTried(error) ? error : `archive search failed: ${error}`);
  if (!answer.ok) return finish('failed', { error: failure(answer.error), url: answer.url });
  const url = answer.url;
  const forced = request.force && night === request.night;
  const decision = decideNight({
    mode: request.mode,
    entries: answer.entries,
    scope: selection.scope,
    announced: forced ? undefined : state.announced.get(plan.notification.id)?.get(night),
    hasRecipients: plan.recipients.to.length > 0,
  });
  if ('gone' in decision && decision.gone.length > 0) {
    log.warn(
      { night, files: decision.gone },
      `${decision.gone.length} announced file(s) no longer in the archive's answer (deleted or no longer canonical); not mailed`,
    );
  }
  if (decision.kind !== 'send') {
    const [status, detail] = nothingToSend(decision);
    return finish(status, { ...detail, url });
  }
  const message = composeNotice({
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
  });
  const files = decision.files.length;
  const key = `${plan.notification.id}:${night}`;
  const unconfirmed = state.unconfirmed.get(key);
  if (unconfirmed) {
    log.warn(
      { night, previous: unconfirmed.messageId },
      `sending again: the message handed to the mail server at ${unconfirmed.createdAt.toISOString()} was never answered, ` +
        'so nothing confirmed its delivery; this one may be a second copy',
    );
  }
  const intent = {
    notificationId: plan.notification.id,
    night,
    mode: request.mode,
    selection: selection.text,
    to: plan.recipients.to.map((a) => a.address as string),
    cc: plan.recipients.cc.map((a) => a.address as string),
    bcc: [...plan.recipients.bcc],
    files: decision.files.map((entry) => entry.name),
    messageId: message.messageId,
    followsUp: decision.previous?.lastMessage.id ?? null,
  };
  const delivered = await deliverNotice(message, intent, {
    mailer: ports.mailer,
    record: ports.record,
    lock: ports.lock,
    stop: ports.stop,
    log,
  });
  if (delivered.status === 'dry-run') return finish('dry-run', { files, url, messageId: message.messageId });
  if (delivered.status === 'failed') return finish('failed', { error: delivered.error, url, files, refused: delivered.refused });
  if (delivered.status === 'unknown') {
    state.unanswered.add(key);
    return finish('unknown', { error: delivered.error, url, files, refused: delivered.refused, messageId: message.messageId });
  }
  log.info({ night, messageId: message.messageId, to: intent.to, cc: intent.cc, files }, 'sent');
  return finish('sent', { error: delivered.problem, url, files, refused: delivered.refused, messageId: message.messageId });
}

/** The status and detail of a decision that sends nothing. */
function nothingToSend(decision: Exclude<NightDecision, { kind: 'send' }>): [Status, Partial<Result>] {
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

function resultOf(plan: Plan, night: Night, status: Status, extra: Partial<Result> = {}): Result {
  return {
    id: plan.notification.id,
    label: plan.notification.label,
    selection: plan.notification.selection,
    night,
    status,
    files: 0,
    to: plan.recipients.to.map((a) => a.address),
    cc: plan.recipients.cc.map((a) => a.address),
    rejected: plan.recipients.rejected,
    refused: [],
    error: null,
    messageId: null,
    url: null,
    ...extra,
  };
}

/** One notification's results, recorded as its checks: a row per archive request (a dry run records nothing). */
function recorded(state: RunState, results: Result[]): Result[] {
  state.checks?.add(results.map((result) => nightCheck(result, state.request.mode)));
  return results;
}

/** What the send record keeps of a night's check, from its result. */
function nightCheck(result: Result, mode: Mode): NightCheck {
  const { id, night, status, selection, files, rejected, error, url } = result;
  const complete = status === 'no-data' || status === 'already-sent' || status === 'sent';
  return { notificationId: id, night, mode, status, selection, files, rejected, error, complete, url };
}
