/**
 * What `send` does once its resources are open: each night asked for in turn (a `--date A..B` range oldest first),
 * each logged in the run log, then one report and, when something needs a person, one digest to ERRORS_TO.
 */
import type { EmailAddress } from '../addresses/index.js';
import type { DeliveryEvent } from '../db/delivery-record.js';
import type { RunLog } from '../db/run-log.js';
import { profileOf } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import type { RunReport } from '../domain/result.js';
import { messageIdFor, type OutgoingMessage } from '../mail/message.js';
import { bounceDigestText } from './bounce-digest.js';
import { type RunPorts, type RunRequest, runNight } from './pipeline.js';
import { dateOf, digestText, exitCodeOf, joinReports, totalsOf } from './report.js';

export interface SendRequest extends Omit<RunRequest, 'night'> {
  /** One night, or each of a range, oldest first. */
  nights: readonly Night[];
  /** Who gets the digest of the run's problems. */
  errorsTo: readonly EmailAddress[];
  /** Failures of this mode's messages read since its last digest told them: the digest lists the new hard bounces. */
  bounces: readonly DeliveryEvent[];
  /** When `bounces` were read; once the digest has told them, the next run reads from here. Null: not read. */
  bouncesReadAt: Date | null;
}

export interface SendPorts extends RunPorts {
  /** Null when nothing is delivered: a dry run is not a run cron made. */
  runLog: Pick<RunLog, 'start' | 'end' | 'bouncesTold'> | null;
  host: string;
  pid: number;
}

export async function sendNights(request: SendRequest, ports: SendPorts): Promise<RunReport> {
  const { log, runLog } = ports;
  const reports: RunReport[] = [];
  const unanswered = new Set<string>();
  let runId: number | null = null;
  for (const night of request.nights) {
    log.info({ night, mode: request.mode, dryRun: !ports.mailer.delivers }, 'run starts');
    runId = runLog ? await runLog.start({ night, mode: request.mode, host: ports.host, pid: ports.pid }) : null;
    const report = await runNight({ ...request, night }, ports, unanswered);
    const totals = totalsOf(report.results);
    const exitCode = exitCodeOf(report);
    if (runLog && runId !== null) {
      await runLog.end(runId, totals, exitCode).catch((error: Error) => {
        log.warn({ night }, `the run log could not record this run's end (${error.message}): history will call it crashed`);
      });
    }
    log.info({ night, totals, exitCode }, 'run ends');
    reports.push(report);
    if (report.interrupted) {
      const rest = request.nights.slice(reports.length);
      if (rest.length > 0) log.warn({ night }, `${report.interrupted}: the nights after it were not run (${rest.join(', ')})`);
      break;
    }
  }
  const report = joinReports(reports);
  const digest = ports.mailer.delivers ? composeDigest(report, request, ports.clock()) : null;
  let told = !ports.stop.aborted;
  if (digest && ports.stop.aborted) {
    // A stopped run hands SMTP nothing new, the digest included: the host may be going down, and the rerun's digest
    // says whatever is still wrong.
    log.warn({ errorsTo: request.errorsTo }, `${report.interrupted ?? 'stopped'}: the digest is not sent; the report lists what was left`);
  } else if (digest) {
    const sent = await ports.mailer.send(digest, null);
    told = sent.kind === 'accepted';
    if (sent.kind === 'failed') log.error({ errorsTo: request.errorsTo }, `the digest could not be sent: ${sent.error}`);
  }
  if (told && runLog && runId !== null && request.bouncesReadAt) {
    await runLog.bouncesTold(runId, request.bouncesReadAt).catch((error: Error) => {
      log.warn({}, `the run log could not record that the bounces were told (${error.message}): the next digest repeats them`);
    });
  }
  return report;
}

/**
 * The plain-text digest of a run's problems and of the bounces since the mode's last digest, or null when nothing
 * needs a person or nobody is to be told.
 */
function composeDigest(report: RunReport, request: SendRequest, now: Date): OutgoingMessage | null {
  const { sender, errorsTo } = request;
  const problems = digestText(report);
  const bounces = bounceDigestText(request.bounces, report.mode);
  if ((!problems && !bounces) || errorsTo.length === 0) return null;
  const text = problems
    ? [problems, bounces].filter(Boolean).join('\n')
    : `yougotdata ${profileOf(report.mode).name} run for night ${dateOf(report)}: bounces to see to.\n\n${bounces}`;
  return {
    from: sender.from,
    to: errorsTo.map((address) => ({ name: null, address })),
    cc: [],
    bcc: [],
    subject: `yougotdata: ${profileOf(report.mode).name} run for night ${dateOf(report)} needs attention`,
    text,
    messageId: messageIdFor(['digest', dateOf(report), report.mode, now.getTime()], sender.from),
    date: now,
  };
}
