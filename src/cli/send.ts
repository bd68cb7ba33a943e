import { hostname } from 'node:os';
import type pg from 'pg';
import { type Address, type EmailAddress, parseAddresses, parseEmailAddress } from '../addresses/index.js';
import { ArchiveClient } from '../archive/client.js';
import { maskUrl, required, SettingError, type Settings } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { acquireRunLock, type RunLock } from '../db/run-lock.js';
import { recordRunEnd, recordRunStart } from '../db/run-log.js';
import type { Mode } from '../domain/mode.js';
import { type Night, parseNights } from '../domain/night.js';
import type { RunReport } from '../domain/result.js';
import { MailDelivery } from '../mail/smtp-mailer.js';
import { type RunPorts, runNight } from '../run/pipeline.js';
import { dateOf, digestText, exitCodeOf, joinReports, reportJson, reportTable, totalsOf } from '../run/report.js';
import { type CommandContext, exitCodeForError, loggerOf, settingsOf, writePieces } from './context.js';

export interface SendOptions {
  date: string;
  check: boolean;
  dryRun: boolean;
  match?: string;
  force: boolean;
  json: boolean;
  concurrency?: number;
  logFile?: string;
  /** In a dry run, receives each message that would be sent (for `--out`). */
  drafts?: RunPorts['drafts'];
  /** Receives the whole report before it is printed (for `--out`'s index page). */
  onReport?: (report: RunReport) => Promise<void>;
}

function oneAddress(variable: string, text: string): Address {
  const parsed = parseAddresses(text);
  const first = parsed.addresses[0];
  if (!first || parsed.addresses.length > 1 || parsed.rejected.length > 0) {
    throw new SettingError(variable, `must be one email address, e.g. "Gemini Archive <archive@gemini.edu>" (got "${text}")`);
  }
  return first;
}

function addressList(variable: string, text: string | undefined): EmailAddress[] {
  if (!text) return [];
  return text.split(',').map((piece) => {
    const address = parseEmailAddress(piece.trim());
    if (!address) throw new SettingError(variable, `must be a comma-separated list of addresses ("${piece.trim()}" is not one)`);
    return address;
  });
}

interface SendPlan {
  nights: Night[];
  mode: Mode;
  base: string;
  from: Address;
  replyTo?: Address;
  bcc: EmailAddress[];
  errorsTo: EmailAddress[];
  databaseUrl: string;
}

/** Every setting the run needs, checked before anything is opened. */
function planSend(options: SendOptions, settings: Settings, now: Date): SendPlan {
  const mode: Mode = options.check ? 'check' : 'pi';
  const nights = parseNights(options.date, now);
  const databaseUrl = required(settings, 'DATABASE_URL');
  const base = mode === 'check' ? required(settings, 'FITS_SERVER_URL') : settings.ARCHIVE_URL;
  const fromText = options.dryRun
    ? (settings.EMAIL_FROM ?? 'yougotdata <dry-run@localhost.localdomain>')
    : required(settings, 'EMAIL_FROM');
  return {
    nights,
    mode,
    base,
    from: oneAddress('EMAIL_FROM', fromText),
    replyTo: settings.EMAIL_REPLY_TO ? oneAddress('EMAIL_REPLY_TO', settings.EMAIL_REPLY_TO) : undefined,
    bcc: addressList('EMAIL_BCC', settings.EMAIL_BCC),
    errorsTo: addressList('ERRORS_TO', settings.ERRORS_TO),
    databaseUrl,
  };
}

async function mailDigest(report: RunReport, plan: SendPlan, mail: MailDelivery, now: Date): Promise<string | null> {
  const text = digestText(report);
  if (!text || plan.errorsTo.length === 0) return null;
  const result = await mail.send({
    from: plan.from,
    to: plan.errorsTo.map((address) => ({ name: null, address })),
    cc: [],
    bcc: [],
    subject: `yougotdata: ${report.mode === 'pi' ? 'PI' : 'CHECK'} run for night ${dateOf(report)} needs attention`,
    text,
    messageId: `<yougotdata.digest.${dateOf(report)}.${report.mode}.${now.getTime()}@${plan.from.address.split('@')[1]}>`,
    date: now,
  });
  return result.kind === 'failed' ? result.error : null;
}

/** `yougotdata send`: the daily job. Returns the exit code. */
export async function sendCommand(options: SendOptions, context: CommandContext): Promise<number> {
  let db: pg.Pool | undefined;
  let lock: RunLock | undefined;
  let archive: ArchiveClient | undefined;
  let mail: MailDelivery | undefined;
  const log = loggerOf(context, { logFile: options.logFile });
  try {
    const settings = settingsOf(context);
    const plan = planSend(options, settings, context.now());
    const concurrency = options.concurrency ?? settings.ARCHIVE_CONCURRENCY;
    const date = plan.nights.length === 1 ? plan.nights[0] : `${plan.nights[0]}..${plan.nights.at(-1)}`;
    // PostgreSQL keeps 63 bytes of it: the pid first, so a long host name cannot cut it off.
    const applicationName = `yougotdata send ${plan.mode} pid ${process.pid} ${date} on ${hostname()}`;
    db = await openDatabase({ url: plan.databaseUrl, applicationName, maxConnections: Math.min(concurrency, 8) + 1 });
    if (!options.dryRun) {
      lock = await acquireRunLock(plan.databaseUrl, plan.mode, applicationName);
      await migrate(db);
    }
    archive = new ArchiveClient({ timeoutMs: settings.ARCHIVE_TIMEOUT_MS, retries: settings.ARCHIVE_RETRIES, concurrency });
    mail = options.dryRun ? undefined : new MailDelivery({ smtpUrl: settings.SMTP_URL, timeoutMs: settings.SMTP_TIMEOUT_MS });
    const progress =
      context.stderr.isTTY && !options.json
        ? (done: number, total: number) => context.stderr.write(`\r${done}/${total} notifications${done === total ? '\n' : ''}`)
        : undefined;
    const ports: RunPorts = { db, archive, mail: mail ?? null, clock: context.now, log, progress, drafts: options.drafts, lock };
    const reports: RunReport[] = [];
    for (const night of plan.nights) {
      log.info({ night, mode: plan.mode, base: maskUrl(plan.base), dryRun: options.dryRun }, 'run starts');
      const runId = options.dryRun
        ? null
        : await recordRunStart(db, { night, mode: plan.mode, dryRun: false, host: hostname(), pid: process.pid });
      const report = await runNight(
        {
          night,
          mode: plan.mode,
          dryRun: options.dryRun,
          force: options.force,
          match: options.match,
          base: plan.base,
          from: plan.from,
          replyTo: plan.replyTo,
          bcc: plan.bcc,
          workers: concurrency * 2,
          lookbackNights: settings.LOOKBACK_NIGHTS,
        },
        ports,
      );
      const totals = totalsOf(report.results);
      if (runId !== null) await recordRunEnd(db, runId, totals, exitCodeOf(report)).catch(() => {});
      log.info({ night, totals, exitCode: exitCodeOf(report) }, 'run ends');
      reports.push(report);
    }
    const report = joinReports(reports);
    await options.onReport?.(report);
    if (mail) {
      const digestError = await mailDigest(report, plan, mail, context.now());
      if (digestError) log.error({ errorsTo: plan.errorsTo }, `the digest could not be sent: ${digestError}`);
    }
    await writePieces(context.stdout, options.json ? reportJson(report) : reportTable(report));
    return exitCodeOf(report);
  } catch (error) {
    return exitCodeForError(error, context);
  } finally {
    mail?.close();
    await archive?.close();
    await lock?.release();
    await db?.end().catch(() => {});
    log.flush();
  }
}
