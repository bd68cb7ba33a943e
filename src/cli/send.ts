import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ServerBreaker } from '../archive/breaker.js';
import type { ArchiveClient } from '../archive/client.js';
import { required, type Settings } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { DeliveryRecord } from '../db/delivery-record.js';
import { migrate } from '../db/migrations.js';
import { NotificationTable } from '../db/notification-table.js';
import { acquireRunLock, type RunLock } from '../db/run-lock.js';
import { RunLog } from '../db/run-log.js';
import { SendRecord } from '../db/send-record.js';
import { type Mode, profileOf } from '../domain/mode.js';
import { nightsText, parseNights } from '../domain/night.js';
import type { Result, RunProblem, RunReport } from '../domain/result.js';
import { type ProgressLine, progressLine } from '../log/progress-line.js';
import { discardingMailer, type Mailer } from '../mail/mailer.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { type RunMonitor, runMonitor } from '../monitoring/run-monitor.js';
import { bouncesByClass } from '../monitoring/run-summary.js';
import { Outbox } from '../preview/outbox.js';
import { exitCodeOf, problemsOf, reportJson, reportTable, totalsOfEvery } from '../run/report.js';
import { type SendRequest, sendNights } from '../run/send-run.js';
import { writePieces } from '../streams/pieces.js';
import { archiveClientOf, loggerOf, reportFatal, StoppedAtOnce, serverOf, settingsOf, tracingOf } from './context.js';
import { type CommandContext, EXIT } from './process-context.js';

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

/** Every setting the run needs, checked before anything is opened. */
function requestOf(
  options: SendOptions,
  settings: Settings,
  now: Date,
): SendRequest & { databaseUrl: string; concurrency: number; date: string } {
  const mode: Mode = options.check ? 'check' : 'pi';
  const nights = parseNights(options.date, now);
  const databaseUrl = required(settings, 'DATABASE_URL');
  const base = serverOf(settings, mode);
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
    // Read once the database is open (a dry run tells nobody of them).
    bounces: [],
    lookbackNights: settings.LOOKBACK_NIGHTS,
    workers: concurrency * 2,
    databaseUrl,
    concurrency,
    date: nightsText(nights),
  };
}

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

/** Failures of the mode's messages recorded since its previous run started (a day, for the first run): new to tell. */
async function bouncesSinceLastRun(db: Awaited<ReturnType<typeof openDatabase>>, mode: Mode, startedAt: Date) {
  const previous = await new RunLog(db).lastStart(mode);
  return new DeliveryRecord(db).failuresReadSince(previous ?? new Date(startedAt.getTime() - 86_400_000), mode);
}

/** `yougotdata send`: the daily job. Returns the exit code. */
export async function sendCommand(options: SendOptions, context: CommandContext): Promise<number> {
  const closing: (() => Promise<unknown>)[] = [];
  const startedAt = context.now();
  const runId = randomUUID();
  const host = hostname();
  let log: Logger | undefined;
  let progress: ProgressLine | undefined;
  // Set when a real run starts: what the monitor is told at the end, whatever ends the run.
  let monitor: RunMonitor | undefined;
  let request: ReturnType<typeof requestOf> | undefined;
  let archive: ArchiveClient | undefined;
  let report: RunReport | null = null;
  // Every result as it is recorded: what the monitor counts when a fatal error leaves no report.
  const recorded: Result[] = [];
  let reportStarted = false;
  let unsubscribe: (() => void) | undefined;
  let fatal: RunProblem | null = null;
  let lastSuccessAt: Date | null = null;
  let exitCode: number = EXIT.failed;
  try {
    const settings = settingsOf(context);
    request = requestOf(options, settings, context.now());
    const tracing = options.dryRun ? null : tracingOf(settings);
    const shown = progressLine(context.stderr, { enabled: !options.json });
    progress = shown;
    const runLog = loggerOf(context, settings, { logFile: options.logFile, progress: shown });
    log = runLog;
    const stopper = new AbortController();
    // Held until the monitor has been told how the run ended: a signal during the end ping must not kill it.
    unsubscribe = context.onStop?.(
      (signal) => {
        runLog.warn(
          `${signal}: stopping: no new notification is taken; the messages on the wire finish, ` +
            `then the run reports (another ${signal} exits at once)`,
        );
        stopper.abort(signal);
      },
      (signal) => {
        progress?.end();
        reportFatal(new StoppedAtOnce(signal), context, { json: options.json && !reportStarted });
      },
    );
    if (!options.dryRun) {
      monitor = await runMonitor({
        healthcheckUrl: settings.HEALTHCHECK_URL,
        healthcheckDetails: settings.HEALTHCHECK_DETAILS,
        metricsFile: settings.METRICS_FILE,
        runId,
        warn: (fields, message) => runLog.warn(fields, message),
      });
      monitor.start();
    }
    // PostgreSQL keeps 63 bytes of it: the pid first, so a long host name cannot cut it off.
    const applicationName = `yougotdata send ${request.mode} pid ${process.pid} ${request.date} on ${host}`;
    const db = await openDatabase({ url: request.databaseUrl, applicationName, maxConnections: Math.min(request.concurrency, 8) + 1 });
    closing.push(() => db.end().catch(() => {}));
    let lock: RunLock | null = null;
    if (!options.dryRun) {
      lock = await acquireRunLock(request.databaseUrl, request.mode, applicationName);
      closing.push(() => (lock as RunLock).release());
      await migrate(db);
      lastSuccessAt = await new RunLog(db).lastSuccess(request.mode);
      request.bounces = await bouncesSinceLastRun(db, request.mode, startedAt).catch((error: Error) => {
        runLog.warn({}, `the bounces since the last run could not be read (${error.message}): the digest and metrics leave them out`);
        return [];
      });
    }
    const client = archiveClientOf(settings, { concurrency: request.concurrency, stop: stopper.signal });
    archive = client;
    closing.push(() => client.close());
    const outbox = options.out === undefined ? null : await Outbox.open(resolve(context.cwd, options.out), request.nights);
    const smtp = options.dryRun
      ? null
      : new SmtpMailer({ smtpUrl: settings.SMTP_URL, timeoutMs: settings.SMTP_TIMEOUT_MS, stop: stopper.signal, ...tracing });
    const mailer: Mailer = smtp ?? outbox ?? discardingMailer;
    closing.push(() => mailer.close());
    await smtp?.checkLogin();
    report = await sendNights(request, {
      notifications: new NotificationTable(db),
      record: new SendRecord(db),
      runLog: lock ? new RunLog(db) : null,
      archive: client,
      mailer,
      lock,
      breaker: new ServerBreaker(profileOf(request.mode).server.name, settings.ARCHIVE_MAX_FAILURES),
      stop: stopper.signal,
      halt: (reason) => stopper.abort(reason),
      recorded: (results) => recorded.push(...results),
      clock: context.now,
      log: runLog,
      // Only a terminal shows progress: elsewhere the rows are not even counted.
      progress: shown.drawn
        ? (done, total) => {
            shown.show(`${done}/${total} notifications`);
            if (done === total) shown.end();
          }
        : undefined,
      host,
      pid: process.pid,
    });
    shown.end();
    reportStarted = true;
    await writePieces(context.stdout, options.json ? reportJson(report) : reportTable(report));
    exitCode = outbox ? await finishPreview(outbox, report, options.json, context) : exitCodeOf(report);
    return exitCode;
  } catch (error) {
    // The error's line is written straight to stderr: on a terminal it must start below the progress, not after it.
    progress?.end();
    const described = reportFatal(error, context, { json: options.json });
    exitCode = described.exitCode;
    fatal = { brief: `the run ended on a fatal error (${described.kind})`, full: described.message };
    return exitCode;
  } finally {
    for (const close of closing.reverse()) await close();
    if (monitor && request) {
      // After a fatal error, what the run recorded until then: the messages it did send are counted.
      const partial = { results: recorded, interrupted: null };
      const totals = totalsOfEvery(recorded);
      await monitor.finish({
        runId,
        mode: request.mode,
        date: request.date,
        startedAt,
        endedAt: context.now(),
        exitCode,
        totals,
        messagesSent: totals.sent,
        archiveRequests: archive?.requests ?? 0,
        lastSuccessAt,
        bounces: bouncesByClass(request.bounces),
        problems: report ? problemsOf(report) : [...(fatal ? [fatal] : []), ...problemsOf(partial)],
      });
    }
    unsubscribe?.();
    log?.flush();
  }
}
