import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ServerBreaker } from '../archive/breaker.js';
import { ArchiveClient } from '../archive/client.js';
import { required, type Settings } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { NotificationTable } from '../db/notification-table.js';
import { acquireRunLock, type RunLock } from '../db/run-lock.js';
import { RunLog } from '../db/run-log.js';
import { SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { type Night, parseNights } from '../domain/night.js';
import type { RunReport } from '../domain/result.js';
import { type ProgressLine, progressLine } from '../log/progress-line.js';
import { discardingMailer, type Mailer } from '../mail/mailer.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { type RunMonitor, runMonitor } from '../monitoring/run-monitor.js';
import { Outbox } from '../preview/outbox.js';
import { exitCodeOf, problemLines, reportJson, reportTable, totalsOfEvery } from '../run/report.js';
import { type SendRequest, sendNights } from '../run/send-run.js';
import { writePieces } from '../streams/pieces.js';
import { type CommandContext, EXIT } from './process-context.js';
import { describeFatal, exitCodeForError, loggerOf, settingsOf } from './context.js';

export interface SendOptions {
  date: string;
  check: boolean;
  dryRun: boolean;
  match?: string;
  force: boolean;
  json: boolean;
  concurrency?: number;
  logFile?: string;
  /** With --dry-run: write each message as an .eml file and an index page here. */
  out?: string;
}

/** A dry run needs a From to compose messages, but never sends them. */
const DRY_RUN_FROM = { name: 'yougotdata', address: 'dry-run@localhost.localdomain' } as const;

/** How messages name the server a mode searches. */
const SERVER: Record<Mode, string> = { pi: 'the archive', check: 'the summit FITS server' };

/** Every setting the run needs, checked before anything is opened. */
function requestOf(options: SendOptions, settings: Settings, now: Date): SendRequest & { databaseUrl: string } {
  const mode: Mode = options.check ? 'check' : 'pi';
  const nights = parseNights(options.date, now);
  const databaseUrl = required(settings, 'DATABASE_URL');
  const base = mode === 'check' ? required(settings, 'FITS_SERVER_URL') : settings.ARCHIVE_URL;
  const from = options.dryRun ? (settings.EMAIL_FROM ?? (DRY_RUN_FROM as SendRequest['sender']['from'])) : required(settings, 'EMAIL_FROM');
  const concurrency = options.concurrency ?? settings.ARCHIVE_CONCURRENCY;
  return {
    nights,
    mode,
    force: options.force,
    match: options.match,
    base,
    sender: { from, replyTo: settings.EMAIL_REPLY_TO },
    bcc: settings.EMAIL_BCC,
    errorsTo: settings.ERRORS_TO,
    lookbackNights: settings.LOOKBACK_NIGHTS,
    workers: concurrency * 2,
    databaseUrl,
  };
}

const dateText = (nights: readonly Night[]) => (nights.length === 1 ? (nights[0] as string) : `${nights[0]}..${nights.at(-1)}`);

/** Writes the preview's index page and says where it is; a page that cannot be written fails the command. */
async function finishPreview(outbox: Outbox, report: RunReport, json: boolean, context: CommandContext): Promise<number> {
  try {
    const index = await outbox.finish(report, context.now());
    if (!json)
      context.stdout.write(`Preview: ${outbox.count} ${outbox.count === 1 ? 'message' : 'messages'} in ${outbox.dir}; open ${index}\n`);
    return exitCodeOf(report);
  } catch (error) {
    context.stderr.write(`yougotdata: the preview page could not be written: ${(error as Error).message}\n`);
    return Math.max(exitCodeOf(report), EXIT.failed);
  }
}

/** What a monitor is told at the end: the report's figures, or the fatal error that ended the run before it. */
interface Ending {
  report: RunReport | null;
  exitCode: number;
  fatal: string | null;
}

/** `yougotdata send`: the daily job. Returns the exit code. */
export async function sendCommand(options: SendOptions, context: CommandContext): Promise<number> {
  const closing: (() => Promise<unknown>)[] = [];
  const startedAt = context.now();
  const runId = randomUUID();
  let log: Logger | undefined;
  let progress: ProgressLine | undefined;
  // Set once the run has ended: a worker still finishing after a fatal error must not draw the progress again.
  let ended = false;
  let monitor: RunMonitor | undefined;
  let monitored: { mode: Mode; date: string; archive: ArchiveClient | null } | undefined;
  const ending: Ending = { report: null, exitCode: EXIT.failed, fatal: null };
  try {
    const settings = settingsOf(context);
    const request = requestOf(options, settings, context.now());
    const shown = progressLine(context.stderr, { enabled: !options.json });
    progress = shown;
    const runLog = loggerOf(context, settings, { logFile: options.logFile, progress: shown });
    log = runLog;
    const stopper = new AbortController();
    const unsubscribe = context.onStop?.((signal) => {
      runLog.warn(
        `${signal}: stopping: no new notification is taken; the messages being sent finish, ` +
          `then the run reports (another ${signal} exits at once)`,
      );
      stopper.abort(signal);
    });
    if (unsubscribe) closing.push(async () => unsubscribe());
    if (!options.dryRun) {
      monitor = await runMonitor({
        healthcheckUrl: settings.HEALTHCHECK_URL,
        metricsFile: settings.METRICS_FILE,
        runId,
        warn: (fields, message) => runLog.warn(fields, message),
      });
      monitored = { mode: request.mode, date: dateText(request.nights), archive: null };
      monitor.start();
    }
    const concurrency = options.concurrency ?? settings.ARCHIVE_CONCURRENCY;
    // PostgreSQL keeps 63 bytes of it: the pid first, so a long host name cannot cut it off.
    const applicationName = `yougotdata send ${request.mode} pid ${process.pid} ${dateText(request.nights)} on ${hostname()}`;
    const db = await openDatabase({ url: request.databaseUrl, applicationName, maxConnections: Math.min(concurrency, 8) + 1 });
    closing.push(() => db.end().catch(() => {}));
    let lock: RunLock | null = null;
    if (!options.dryRun) {
      lock = await acquireRunLock(request.databaseUrl, request.mode, applicationName);
      closing.push(() => (lock as RunLock).release());
      await migrate(db);
    }
    const archive = new ArchiveClient({
      timeoutMs: settings.ARCHIVE_TIMEOUT_MS,
      retries: settings.ARCHIVE_RETRIES,
      concurrency,
      stop: stopper.signal,
    });
    closing.push(() => archive.close());
    if (monitored) monitored.archive = archive;
    const outbox = options.out === undefined ? null : new Outbox(resolve(context.cwd, options.out), request.nights);
    const smtp = options.dryRun
      ? null
      : new SmtpMailer({ smtpUrl: settings.SMTP_URL, timeoutMs: settings.SMTP_TIMEOUT_MS, stop: stopper.signal });
    const mailer: Mailer = smtp ?? outbox ?? discardingMailer;
    closing.push(() => mailer.close());
    await smtp?.refuseCredentialsInTheClear();
    const report = await sendNights(request, {
      notifications: new NotificationTable(db),
      record: new SendRecord(db),
      runLog: lock ? new RunLog(db) : null,
      archive,
      mailer,
      lock,
      breaker: new ServerBreaker(SERVER[request.mode], settings.ARCHIVE_MAX_FAILURES),
      stop: stopper.signal,
      clock: context.now,
      log: runLog,
      progress: (done, total) => {
        if (ended) return;
        shown.show(`${done}/${total} notifications`);
        if (done === total) shown.end();
      },
      host: hostname(),
      pid: process.pid,
    });
    shown.end();
    ending.report = report;
    await writePieces(context.stdout, options.json ? reportJson(report) : reportTable(report));
    ending.exitCode = outbox ? await finishPreview(outbox, report, options.json, context) : exitCodeOf(report);
    return ending.exitCode;
  } catch (error) {
    // The error's line is written straight to stderr: on a terminal it must start below the progress, not after it.
    ended = true;
    progress?.end();
    ending.exitCode = exitCodeForError(error, context, { json: options.json });
    ending.fatal = describeFatal(error, context).message;
    return ending.exitCode;
  } finally {
    for (const close of closing.reverse()) await close();
    if (monitor && monitored) {
      const results = ending.report?.results ?? [];
      await monitor.finish({
        runId,
        mode: monitored.mode,
        date: monitored.date,
        startedAt,
        endedAt: context.now(),
        exitCode: ending.exitCode,
        totals: totalsOfEvery(results),
        messagesSent: results.filter((r) => r.status === 'sent').length,
        archiveRequests: monitored.archive?.requests ?? 0,
        problems: ending.report ? problemLines(ending.report) : [ending.fatal ?? 'the run ended before its report'],
      });
    }
    log?.flush();
  }
}
