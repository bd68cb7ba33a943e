import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Address, EmailAddress } from '../addresses/index.js';
import { archiveUrl, type ArchiveClient } from '../archive/client.js';
import type { ArchiveEntry } from '../archive/entry.js';
import type { Mode, Night } from '../archive/night.js';
import { confirmSelection, filesOutsideScope, unrecognisedTerms, type ValidSelection } from '../archive/selection.js';
import type { MailDelivery } from '../mail/delivery.js';
import { renderMessage } from '../mail/render.js';
import { readNotifications, type Notification } from '../notifications/notification-table.js';
import { recordDelivery, recordIntent, recordProblem, recordsOfNight, type SendRecord } from '../notifications/send-record.js';
import { planJob, type Job } from './job.js';
import type { Result, RunReport, Status } from './report.js';

export interface RunRequest {
  night: Night;
  mode: Mode;
  dryRun: boolean;
  force: boolean;
  match?: string;
  /** The archive (PI) or the summit FITS server (CHECK). */
  base: string;
  from: Address;
  replyTo?: Address;
  bcc: EmailAddress[];
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
}

/** The files a notification gets tonight, or why it gets none. */
type Search =
  | { ok: true; selection: ValidSelection; entries: ArchiveEntry[]; url: string }
  | { ok: false; status: 'failed' | 'invalid-selection'; error: string; url: string | null };

/** One run of the daily job for one night and mode: every notification independent of the others. */
export async function runNight(request: RunRequest, ports: RunPorts): Promise<RunReport> {
  const notifications = await readNotifications(ports.db, request.match);
  const records = await recordsOfNight(ports.db, request.night, request.mode);
  const results: Result[] = new Array(notifications.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let index = next++; index < notifications.length; index = next++) {
      const notification = notifications[index] as Notification;
      results[index] = await processNotification(notification, records.get(notification.id), request, ports).catch((error: unknown) =>
        resultOf(planJob(notification, request.mode, request.bcc), 'failed', { error: `unexpected error: ${(error as Error).message}` }));
      done += 1;
      ports.progress?.(done, notifications.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.workers) }, worker));
  return { night: request.night, mode: request.mode, dryRun: request.dryRun, results };
}

function resultOf(job: Job, status: Status, extra: Partial<Result> = {}): Result {
  return {
    id: job.notification.id,
    label: job.notification.label,
    selection: job.notification.selection,
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

/** The selection checked (asking the server about terms the local grammar does not know), then the search. */
async function search(job: Job, request: RunRequest, archive: ArchiveClient): Promise<Search> {
  const reading = job.selection;
  if (reading.kind === 'invalid') return { ok: false, status: 'invalid-selection', error: reading.reason, url: null };
  let selection: ValidSelection;
  if (reading.kind === 'needs-confirmation') {
    const page = await archive.summaryPage(request.base, request.night, reading.terms);
    if (!page.ok) return { ok: false, status: 'failed', error: `could not confirm the selection with the archive: ${page.error}`, url: page.url };
    const confirmed = confirmSelection(reading, unrecognisedTerms(page.value));
    if (confirmed.kind === 'invalid') return { ok: false, status: 'invalid-selection', error: confirmed.reason, url: page.url };
    selection = confirmed.selection;
  } else {
    selection = reading.selection;
  }
  const terms = request.mode === 'check' ? [...selection.terms, 'CHECK'] : selection.terms;
  const answer = await archive.searchFiles(request.base, request.night, terms);
  if (!answer.ok) return { ok: false, status: 'failed', error: `archive search failed: ${answer.error}`, url: answer.url };
  return { ok: true, selection, entries: answer.value, url: answer.url };
}

async function processNotification(notification: Notification, record: SendRecord | undefined, request: RunRequest, ports: RunPorts): Promise<Result> {
  const job = planJob(notification, request.mode, request.bcc);
  const log = ports.log.child({ notification: notification.id, selection: notification.selection });
  if (record?.status === 'sent' && !request.force) {
    return resultOf(job, 'already-sent', { files: record.files.length, messageId: record.messageId, to: record.to, cc: record.cc });
  }
  const found = await search(job, request, ports.archive);
  if (!found.ok) return problem(job, found.status, found.error, found.url, request, ports, log);
  const { selection, entries, url } = found;
  if (entries.length === 0) return resultOf(job, 'no-data', { url });
  const foreign = filesOutsideScope(selection.scope, entries);
  if (foreign.length > 0) {
    const programs = [...new Set(foreign.map((e) => e.program_id ?? '(no program)'))].sort();
    const error = `archive returned files of other programs: ${programs.join(', ')} (${foreign.length} of ${entries.length} files); nothing sent`;
    return problem(job, 'failed', error, url, request, ports, log, entries.length);
  }
  if (job.recipients.to.length === 0) {
    const field = request.mode === 'pi' ? 'piemail' : 'csemail';
    return problem(job, 'no-recipients', `no valid address in ${field}; nothing sent`, url, request, ports, log, entries.length);
  }
  const searchUrl = archiveUrl(request.base, 'searchform', request.night, selection.terms.concat(request.mode === 'check' ? ['CHECK'] : []));
  const content = renderMessage({ mode: request.mode, night: request.night, selection: selection.text, searchUrl, entries });
  const messageId = `<yougotdata.${notification.id}.${request.night}.${request.mode}.${randomUUID()}@${request.from.address.split('@')[1]}>`;
  const base = resultOf(job, 'dry-run', { files: entries.length, url, messageId });
  if (request.dryRun || !ports.mail) return base;

  const key = { notificationId: notification.id, night: request.night, mode: request.mode };
  const files = entries.map((e) => e.name);
  try {
    await recordIntent(ports.db, { ...key, selection: selection.text, to: base.to, cc: base.cc, rejected: job.recipients.rejected, files, messageId });
  } catch (error) {
    const message = `not sent: the send record could not be written (${(error as Error).message})`;
    log.error({ err: error }, message);
    return { ...base, status: 'failed', error: message, messageId: null };
  }
  const delivery = await ports.mail.send({
    from: request.from,
    replyTo: request.mode === 'pi' ? request.replyTo : undefined,
    to: job.recipients.to,
    cc: job.recipients.cc,
    bcc: job.recipients.bcc,
    ...content,
    messageId,
    date: ports.clock(),
  });
  if (delivery.kind === 'failed') {
    return problem(job, 'failed', delivery.error, url, request, ports, log, entries.length, delivery.refused);
  }
  const sent: Result = { ...base, status: 'sent', refused: delivery.refused };
  for (const refusal of delivery.refused) log.warn({ recipient: refusal.address, reply: refusal.reply }, 'recipient refused');
  try {
    await recordDelivery(ports.db, key, delivery);
  } catch (error) {
    const message = `delivered, but the send record could not be updated (${(error as Error).message}): a rerun will send it again`;
    log.error({ err: error }, message);
    return { ...sent, error: message };
  }
  log.info({ messageId, to: sent.to, cc: sent.cc, files: entries.length }, 'sent');
  return sent;
}

async function problem(
  job: Job, status: Exclude<Status, 'sent' | 'dry-run' | 'no-data' | 'already-sent'>, error: string, url: string | null,
  request: RunRequest, ports: RunPorts, log: Logger, files = 0, refused: Result['refused'] = [],
): Promise<Result> {
  log.warn({ status, url }, error);
  const result = resultOf(job, status, { error, url, files, refused });
  if (request.dryRun) return result;
  try {
    await recordProblem(ports.db, {
      notificationId: job.notification.id, night: request.night, mode: request.mode, status,
      selection: job.notification.selection, error, rejected: job.recipients.rejected, refused,
    });
  } catch (recordError) {
    log.error({ err: recordError }, 'the send record could not be written');
  }
  return result;
}
