import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ServerBreaker } from '../archive/breaker.js';
import type { ArchiveClient } from '../archive/client.js';
import { type DeliveryEvent, DeliveryRecord, retainedSince } from '../db/delivery-record.js';
import { migrate } from '../db/migrations.js';
import { NotificationTable } from '../db/notification-table.js';
import { acquireRunLock } from '../db/run-lock.js';
import { RunLog } from '../db/run-log.js';
import { SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import type { Result, RunReport } from '../domain/result.js';
import { discardingMailer, type Mailer } from '../mail/mailer.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { runMonitor } from '../monitoring/run-monitor.js';
import { bouncesByClass, runSummaryOf } from '../monitoring/run-summary.js';
import { Outbox } from '../preview/outbox.js';
import { exitCodeOf, reportJson, reportTable } from '../run/report.js';
import { type SendAsked, type SendSetup, sendSetupOf } from '../run/send-request.js';
import { sendNights } from '../run/send-run.js';
import { writePieces } from '../streams/pieces.js';
import { StoppedAtOnce } from './fatal.js';
import { type CommandContext, EXIT } from './process-context.js';
import { type Database, tracingOf } from './resources.js';
import { type CommandScope, runCommand } from './run-command.js';

export interface SendOptions extends SendAsked {
  json: boolean;
  logFile?: string;
  /** With --dry-run: write each message as an .eml file and an index page here. */
  out?: string;
}

/** What the run has done so far: what the monitor is told when it ends, whatever ends it. */
interface RunSoFar {
  /** Every result as it is recorded: what the monitor counts when a fatal error leaves no report. */
  recorded: Result[];
  report: RunReport | null;
  archive: ArchiveClient | null;
  lastSuccessAt: Date | null;
  /** Failures of the mode's messages not yet told, read when the run started: the digest and the metrics tell them. */
  bounces: readonly DeliveryEvent[];
  bouncesReadAt: Date | null;
}

/** Failures of the mode's messages read since its last digest told them (a day, before any did): new to tell. */
function untoldBounces(db: Database, mode: Mode, toldUntil: Date | null, now: Date): Promise<readonly DeliveryEvent[]> {
  return new DeliveryRecord(db).failuresReadSince(toldUntil ?? new Date(now.getTime() - 86_400_000), mode);
}

/** `yougotdata send`: the daily job. Returns the exit code. */
export async function sendCommand(options: SendOptions, context: CommandContext): Promise<number> {
  const startedAt = context.now();
  const runId = randomUUID();
  const host = hostname();
  return runCommand(context, { json: options.json }, async (scope) => {
    const { settings } = scope;
    const soFar: RunSoFar = { recorded: [], report: null, archive: null, lastSuccessAt: null, bounces: [], bouncesReadAt: null };
    const setup = sendSetupOf(options, settings, context.now());
    const tracing = options.dryRun ? null : tracingOf(settings);
    const shown = scope.progressLine(!options.json);
    const log = scope.logger({ logFile: options.logFile, progress: shown });
    const stop = stopOnSignals(context, scope, log, () => options.json && soFar.report === null);
    if (!options.dryRun) await monitorRun(scope, setup, { runId, startedAt, log, context }, soFar);
    // PostgreSQL keeps 63 bytes of it: the pid first, so a long host name cannot cut it off.
    const applicationName = `yougotdata send ${setup.mode} pid ${process.pid} ${setup.date} on ${host}`;
    const db = await scope.database({ url: setup.databaseUrl, applicationName, maxConnections: setup.poolSize });
    const lock = options.dryRun ? null : await acquireRunLock(setup.databaseUrl, setup.mode, applicationName);
    if (lock) {
      scope.atEnd(() => lock.release());
      await migrate(db);
      await new DeliveryRecord(db).prune(retainedSince(startedAt)).catch((error: Error) => {
        log.warn({}, `reports older than the retention could not be deleted (${error.message}): the next run tries again`);
      });
      const before = await new RunLog(db).before(setup.mode);
      soFar.lastSuccessAt = before.lastSuccess;
      const readAt = context.now();
      try {
        soFar.bounces = await untoldBounces(db, setup.mode, before.bouncesToldUntil, readAt);
        soFar.bouncesReadAt = readAt;
      } catch (error) {
        const why = (error as Error).message;
        log.warn({}, `the bounces since the last digest could not be read (${why}): this run's digest and metrics leave them out`);
      }
    }
    const archive = scope.archive({ concurrency: setup.concurrency, stop: stop.signal });
    soFar.archive = archive;
    const outbox = options.out === undefined ? null : await Outbox.open(resolve(context.cwd, options.out), setup.nights);
    const smtp = options.dryRun
      ? null
      : new SmtpMailer({ smtpUrl: settings.SMTP_URL, timeoutMs: settings.SMTP_TIMEOUT_MS, stop: stop.signal, ...tracing });
    const mailer: Mailer = smtp ?? outbox ?? discardingMailer;
    scope.atEnd(() => mailer.close());
    await smtp?.checkLogin();
    const report = await sendNights(
      { ...setup, bounces: soFar.bounces, bouncesReadAt: soFar.bouncesReadAt },
      {
        notifications: new NotificationTable(db),
        record: new SendRecord(db),
        runLog: lock ? new RunLog(db) : null,
        archive,
        mailer,
        lock,
        breaker: new ServerBreaker(setup.serverName, settings.ARCHIVE_MAX_FAILURES),
        stop: stop.signal,
        halt: (reason) => stop.abort(reason),
        recorded: (results) => soFar.recorded.push(...results),
        clock: context.now,
        log,
        // Only a terminal shows progress: elsewhere the rows are not even counted.
        progress: shown.drawn
          ? (done, total) => {
              shown.show(`${done}/${total} notifications`);
              if (done === total) shown.end();
            }
          : undefined,
        host,
        pid: process.pid,
      },
    );
    shown.end();
    soFar.report = report;
    await writePieces(context.stdout, options.json ? reportJson(report) : reportTable(report));
    return outbox ? await finishPreview(outbox, report, options.json, context) : exitCodeOf(report);
  });
}

/**
 * The first SIGTERM or SIGINT stops the run: no new notification is taken, what is on the wire finishes, the run
 * reports. A second exits at once, with the error document while `json()` says no report has been started.
 */
function stopOnSignals(context: CommandContext, scope: CommandScope, log: Logger, json: () => boolean): AbortController {
  const stopper = new AbortController();
  const unsubscribe = context.onStop?.(
    (signal) => {
      log.warn(
        `${signal}: stopping: no new notification is taken; the messages on the wire finish, ` +
          `then the run reports (another ${signal} exits at once)`,
      );
      stopper.abort(signal);
    },
    (signal) => scope.reportFatal(new StoppedAtOnce(signal), { json: json() }),
  );
  // Held until the monitor has been told how the run ended: a signal during the end ping must not kill it.
  if (unsubscribe) scope.atEnd(unsubscribe);
  return stopper;
}

/**
 * Starts the monitor (its start ping goes out while the run goes on) and has it told at the end how the run ended,
 * once everything else is closed.
 */
async function monitorRun(
  scope: CommandScope,
  setup: SendSetup,
  run: { runId: string; startedAt: Date; log: Logger; context: CommandContext },
  soFar: RunSoFar,
): Promise<void> {
  const { settings } = scope;
  const monitor = await runMonitor({
    healthcheckUrl: settings.HEALTHCHECK_URL,
    healthcheckDetails: settings.HEALTHCHECK_DETAILS,
    metricsFile: settings.METRICS_FILE,
    runId: run.runId,
    warn: (fields, message) => run.log.warn(fields, message),
  });
  monitor.start();
  scope.atEnd(({ exitCode, fatal }) =>
    monitor.finish(
      runSummaryOf(
        {
          runId: run.runId,
          mode: setup.mode,
          date: setup.date,
          startedAt: run.startedAt,
          endedAt: run.context.now(),
          exitCode,
          archiveRequests: soFar.archive?.requests ?? 0,
          lastSuccessAt: soFar.lastSuccessAt,
          bounces: bouncesByClass(soFar.bounces),
        },
        { recorded: soFar.recorded, report: soFar.report, fatal },
      ),
    ),
  );
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
