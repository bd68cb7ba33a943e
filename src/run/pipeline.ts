import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Address, EmailAddress } from '../addresses/index.js';
import { type ArchiveClient, archiveUrl } from '../archive/client.js';
import type { ArchiveEntry } from '../archive/entry.js';
import { confirmSelection, filesOutsideScope, unrecognisedTerms, type ValidSelection } from '../archive/selection.js';
import { countNotifications, NotificationPages } from '../db/notification-table.js';
import { type RunLock, RunLockLost } from '../db/run-lock.js';
import {
  type Announcements,
  announcementsOf,
  type NightAnnouncements,
  NightCheckLog,
  recentlyCompleteNights,
  recordDelivery,
  recordFailedMessage,
  recordIntent,
} from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { type Night, shiftNight } from '../domain/night.js';
import type { Notification } from '../domain/notification.js';
import { QUIET_STATUSES, type Result, type RunReport, type Status } from '../domain/result.js';
import { renderMessage } from '../mail/render.js';
import type { MailDelivery, OutgoingMessage } from '../mail/smtp-mailer.js';
import { type Job, planJob } from './plan.js';

export interface RunRequest {
  night: Night;
  mode: Mode;
  dryRun: boolean;
  /** Announce the run's night again in full, even what was announced before. */
  force: boolean;
  match?: string;
  /** The archive (PI) or the summit FITS server (CHECK). */
  base: string;
  from: Address;
  replyTo?: Address;
  bcc: EmailAddress[];
  /** Earlier nights re-checked for files never announced (0: the old job's behaviour). */
  lookbackNights: number;
  /** Notifications in progress at once; archive requests are bounded separately by the client. */
  workers: number;
}

export interface RunPorts {
  db: pg.Pool;
  archive: ArchiveClient;
  /** Absent in a dry run: nothing is sent. */
  mail: MailDelivery | null;
  clock: () => Date;
  log: Logger;
  progress?: (done: number, total: number) => void;
  /** In a dry run, each message that would be sent, with its result, as it is composed. */
  drafts?: (draft: Draft) => Promise<void>;
  /** The run lock: checked before each message is recorded and handed over (absent in a dry run). */
  lock?: Pick<RunLock, 'assertHeld'>;
}

export interface Draft {
  result: Result;
  message: OutgoingMessage;
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
  checks: NightCheckLog | null;
}

/** One run of the daily job for one night and mode: every notification independent of the others. */
export async function runNight(request: RunRequest, ports: RunPorts): Promise<RunReport> {
  const notifications = new NotificationPages(ports.db, request.match);
  const total = ports.progress ? await countNotifications(ports.db, request.match) : 0;
  const lookback = Array.from({ length: request.lookbackNights }, (_, i) => shiftNight(request.night, -(i + 1)));
  const state: RunState = {
    request,
    ports,
    announced: await announcementsOf(ports.db, request.mode, [request.night, ...lookback]),
    recentlyComplete: await recentlyCompleteNights(ports.db, request.mode, lookback, new Date(ports.clock().getTime() - RECHECK_AFTER_MS)),
    lookback,
    checks: request.dryRun ? null : new NightCheckLog(ports.db, ports.clock),
  };
  const results: { id: number; results: Result[] }[] = [];
  let done = 0;
  const worker = async () => {
    for (let notification = await notifications.next(); notification; notification = await notifications.next()) {
      const row = notification;
      const outcome = await processNotification(row, state).catch((error: unknown) => {
        // Losing the lock ends the run; anything else fails this notification only.
        if (error instanceof RunLockLost) throw error;
        return [
          resultOf(planJob(row, request.mode, request.bcc), request.night, 'failed', {
            error: `unexpected error: ${(error as Error).message}`,
          }),
        ];
      });
      results.push({ id: row.id, results: outcome });
      done += 1;
      ports.progress?.(done, Math.max(total, done));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.workers) }, worker));
  await state.checks
    ?.flush()
    .catch((error: unknown) => ports.log.warn({ err: error }, 'night checks could not be recorded; the next run re-checks those nights'));
  // In table order, whatever order the workers finished in.
  results.sort((a, b) => a.id - b.id);
  return { nights: [request.night], mode: request.mode, dryRun: request.dryRun, results: results.flatMap((r) => r.results) };
}

function resultOf(job: Job, night: Night, status: Status, extra: Partial<Result> = {}): Result {
  return {
    id: job.notification.id,
    label: job.notification.label,
    selection: job.notification.selection,
    night,
    status,
    files: 0,
    to: job.recipients.to.map((a) => a.address),
    cc: job.recipients.cc.map((a) => a.address),
    rejected: job.recipients.rejected,
    refused: [],
    error: null,
    messageId: null,
    url: null,
    ...extra,
  };
}

type Checked =
  | { ok: true; selection: ValidSelection }
  | { ok: false; status: 'failed' | 'invalid-selection'; error: string; url: string | null };

/** The selection checked, asking the server only about terms the local grammar does not know. */
async function checkSelection(job: Job, { request, ports }: RunState): Promise<Checked> {
  const reading = job.selection;
  if (reading.kind === 'invalid') return { ok: false, status: 'invalid-selection', error: reading.reason, url: null };
  if (reading.kind === 'valid') return { ok: true, selection: reading.selection };
  const page = await ports.archive.summaryPage(request.base, request.night, reading.terms);
  if (!page.ok)
    return { ok: false, status: 'failed', error: `could not confirm the selection with the archive: ${page.error}`, url: page.url };
  const confirmed = confirmSelection(reading, unrecognisedTerms(page.value));
  if (confirmed.kind === 'invalid') return { ok: false, status: 'invalid-selection', error: confirmed.reason, url: page.url };
  return { ok: true, selection: confirmed.selection };
}

/** The run's night first, so a slow look-back never holds up tonight's message; then the look-back nights. */
async function processNotification(notification: Notification, state: RunState): Promise<Result[]> {
  const { request, ports } = state;
  const job = planJob(notification, request.mode, request.bcc);
  const log = ports.log.child({ notification: notification.id, selection: notification.selection });
  const checked = await checkSelection(job, state);
  if (!checked.ok) {
    log.warn({ status: checked.status, url: checked.url }, checked.error);
    state.checks?.add(nightCheck(job, request.night, request.mode, checked.status, 0, checked.error));
    return [resultOf(job, request.night, checked.status, { error: checked.error, url: checked.url })];
  }
  const results = [await processNight(job, checked.selection, request.night, state, log)];
  for (const night of state.lookback) {
    if (state.recentlyComplete.has(`${notification.id}:${night}`)) continue;
    const late = await processNight(job, checked.selection, night, state, log);
    // A look-back night is reported only when it had something to send, or failed.
    if (!QUIET_STATUSES.includes(late.status)) results.push(late);
  }
  return results;
}

function nightCheck(job: Job, night: Night, mode: Mode, status: Status, files: number, error: string | null) {
  return {
    notificationId: job.notification.id,
    night,
    mode,
    status,
    selection: job.notification.selection,
    files,
    rejected: job.recipients.rejected,
    error,
    complete: status === 'no-data' || status === 'already-sent' || status === 'sent',
  };
}

/** One night of one notification: search, keep the files never announced, send them. */
async function processNight(job: Job, selection: ValidSelection, night: Night, state: RunState, log: Logger): Promise<Result> {
  const { request, ports } = state;
  const terms = request.mode === 'check' ? [...selection.terms, 'CHECK'] : [...selection.terms];
  const finish = (status: Status, extra: Partial<Result> = {}): Result => {
    const result = resultOf(job, night, status, extra);
    if (result.error) log.warn({ night, status, url: result.url }, result.error);
    state.checks?.add(nightCheck(job, night, request.mode, status, result.files, result.error));
    return result;
  };
  const answer = await ports.archive.searchFiles(request.base, night, terms);
  if (!answer.ok) return finish('failed', { error: `archive search failed: ${answer.error}`, url: answer.url });
  const entries = answer.value;
  const url = answer.url;
  if (entries.length === 0) return finish('no-data', { url });
  const foreign = filesOutsideScope(selection.scope, entries);
  if (foreign.length > 0) {
    const programs = [...new Set(foreign.map((e) => e.program_id ?? '(no program)'))].sort();
    const error = `archive returned files of other programs: ${programs.join(', ')} (${foreign.length} of ${entries.length} files); nothing sent`;
    return finish('failed', { error, url, files: entries.length });
  }
  const earlier = request.force && night === request.night ? undefined : state.announced.get(job.notification.id)?.get(night);
  const fresh = newFiles(entries, earlier, log, night);
  if (fresh.length === 0) return finish('already-sent', { files: entries.length, url });
  if (job.recipients.to.length === 0) {
    const field = request.mode === 'pi' ? 'piemail' : 'csemail';
    return finish('no-recipients', { error: `no valid address in ${field}; nothing sent`, url, files: fresh.length });
  }
  const searchUrl = archiveUrl(request.base, 'searchform', night, terms);
  const content = renderMessage({
    mode: request.mode,
    night,
    selection: selection.text,
    searchUrl,
    entries: fresh,
    previousNotice: earlier?.lastMessage.sentAt,
    late: night !== request.night,
    answered: entries.length,
  });
  const messageId = `<yougotdata.${job.notification.id}.${night}.${request.mode}.${randomUUID()}@${request.from.address.split('@')[1]}>`;
  const outgoing: OutgoingMessage = {
    from: request.from,
    replyTo: request.mode === 'pi' ? request.replyTo : undefined,
    to: job.recipients.to,
    cc: job.recipients.cc,
    bcc: job.recipients.bcc,
    ...content,
    messageId,
    date: ports.clock(),
  };
  if (request.dryRun || !ports.mail) {
    const draft = resultOf(job, night, 'dry-run', { files: fresh.length, url, messageId });
    await ports.drafts?.({ result: draft, message: outgoing });
    return draft;
  }

  const key = { notificationId: job.notification.id, night, mode: request.mode };
  const files = fresh.map((e) => e.name);
  const recipients = { to: job.recipients.to.map((a) => a.address as string), cc: job.recipients.cc.map((a) => a.address as string) };
  let message: number;
  // A run that lost its lock (its session ended) may be running beside the next one: it sends nothing more.
  await ports.lock?.assertHeld();
  try {
    message = await recordIntent(ports.db, {
      ...key,
      selection: selection.text,
      ...recipients,
      files,
      messageId,
      followsUp: earlier?.lastMessage.id ?? null,
    });
  } catch (error) {
    return finish('failed', {
      error: `not sent: the send record could not be written (${(error as Error).message})`,
      url,
      files: fresh.length,
    });
  }
  const delivery = await ports.mail.send(outgoing);
  if (delivery.kind === 'failed') {
    await recordFailedMessage(ports.db, message, delivery.error, delivery.refused).catch(() => {});
    return finish('failed', { error: delivery.error, url, files: fresh.length, refused: delivery.refused });
  }
  for (const refusal of delivery.refused) log.warn({ night, recipient: refusal.address, reply: refusal.reply }, 'recipient refused');
  try {
    await recordDelivery(ports.db, message, key, files, delivery);
  } catch (error) {
    const problem = `delivered, but the send record could not be updated (${(error as Error).message}): a rerun will send it again`;
    return finish('sent', { error: problem, url, files: fresh.length, refused: delivery.refused, messageId });
  }
  log.info({ night, messageId, to: recipients.to, cc: recipients.cc, files: fresh.length }, 'sent');
  return finish('sent', { url, files: fresh.length, refused: delivery.refused, messageId });
}

/** The files of the answer never announced; an announced file gone from the answer is logged, never mailed. */
function newFiles(entries: readonly ArchiveEntry[], earlier: NightAnnouncements | undefined, log: Logger, night: Night): ArchiveEntry[] {
  if (!earlier) return [...entries];
  const present = new Set(entries.map((e) => e.name));
  const gone = [...earlier.files].filter((name) => !present.has(name));
  if (gone.length > 0)
    log.warn(
      { night, files: gone },
      `${gone.length} announced file(s) no longer in the archive's answer (deleted or no longer canonical); not mailed`,
    );
  return entries.filter((e) => !earlier.files.has(e.name));
}
