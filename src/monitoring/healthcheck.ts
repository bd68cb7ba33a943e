import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Settings } from '../config/settings.js';
import { profileOf } from '../domain/mode.js';
import { utcStamp } from '../domain/night.js';
import { STATUSES } from '../domain/result.js';
import { escapeControls } from '../text/escape.js';
import { plural } from '../text/words.js';
import type { RunSummary } from './run-summary.js';

// A dead-man's switch (healthchecks.io's ping protocol): when cron never starts the job, or it dies without a word,
// the end ping never arrives and the monitor raises the alarm that nothing else would.

/** The start of a run, its successful end, or its end with a non-zero exit code. */
export type PingEvent = 'start' | { exitCode: number };

/**
 * The URL of one ping: `/start` or `/<exit code>` appended to the path (none for exit 0), the check's own
 * query kept as written, and `rid` set to the run's id so the monitor pairs the start with the end.
 */
export function pingUrl(base: string, event: PingEvent, runId: string): string {
  const url = new URL(base);
  const suffix = event === 'start' ? 'start' : suffixOf(event.exitCode);
  const path = url.pathname.replace(/\/+$/, '');
  const pathname = suffix === '' ? path || '/' : `${path}/${suffix}`;
  // Appended by hand: URLSearchParams would re-encode the check's own parameters.
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !/^rid(=|$)/.test(pair));
  const query = [...kept, `rid=${encodeURIComponent(runId)}`].join('&');
  return `${url.protocol}//${url.host}${pathname}?${query}`;
}

/** healthchecks.io takes exit statuses 0 to 255; anything else can only be reported as a failure. */
function suffixOf(exitCode: number): string {
  if (exitCode === 0) return '';
  return Number.isInteger(exitCode) && exitCode > 0 && exitCode <= 255 ? String(exitCode) : 'fail';
}

/** healthchecks.io keeps the first 10 KB of a ping's body; the rest would be dropped without a word. */
export const PING_BODY_LIMIT_BYTES = 10_000;
/** One problem never crowds out all the others. */
const PROBLEM_LINE_LIMIT_BYTES = 1_000;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** The longest prefix of `text` within `limit` UTF-8 bytes, cut between characters, ending in `…` when cut. */
export function clipToBytes(text: string, limit: number): string {
  if (byteLength(text) <= limit) return text;
  if (limit < byteLength('…')) return '';
  const room = limit - byteLength('…');
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > room) break;
    used += size;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

const more = (count: number) => `… and ${count} more`;

/**
 * How much of each problem the end ping tells the monitor, a third party (healthchecks.io): `brief`, the default,
 * notification ids, nights, statuses and counts; `full` also the selections and the reasons, with the addresses,
 * names and mail server replies they hold (docs/commands.md#healthcheck).
 */
export type PingDetails = Settings['HEALTHCHECK_DETAILS'];

/**
 * The end ping's body: the run in a few lines, then its problems (`details` of each), as many as fit in
 * `limitBytes`, the rest counted. Plain text a person reads in the monitor's event log.
 */
export function summaryBody(summary: RunSummary, details: PingDetails = 'brief', limitBytes: number = PING_BODY_LIMIT_BYTES): string {
  const seconds = Math.max(0, Math.round((summary.endedAt.getTime() - summary.startedAt.getTime()) / 1000));
  const nights = summary.date.includes('..') ? 'nights' : 'night';
  const head = [
    `yougotdata send, ${profileOf(summary.mode).name} mode, ${nights} ${escapeControls(summary.date)}: exit code ${summary.exitCode}`,
    `run ${escapeControls(summary.runId)}, ${utcStamp(summary.startedAt)} to ${utcStamp(summary.endedAt)} UTC (${seconds} s)`,
    STATUSES.map((status) => `${status} ${summary.totals[status] ?? 0}`).join(', '),
    `${plural(summary.messagesSent, 'message')} sent, ${plural(summary.archiveRequests, 'archive request')}`,
  ];
  const problems = summary.problems;
  if (problems.length === 0) return clipToBytes(`${head.join('\n')}\n`, limitBytes);
  const lines = [...head, '', `${plural(problems.length, 'problem')}:`];
  let used = byteLength(`${lines.join('\n')}\n`);
  for (const [index, problem] of problems.entries()) {
    const line = clipToBytes(escapeControls(problem[details]), PROBLEM_LINE_LIMIT_BYTES);
    const left = problems.length - index - 1;
    // Room is kept for the "… and N more" line that would follow this one.
    const needed = byteLength(line) + 1 + (left > 0 ? byteLength(more(left)) + 1 : 0);
    if (used + needed > limitBytes) {
      lines.push(more(problems.length - index));
      break;
    }
    lines.push(line);
    used += byteLength(line) + 1;
  }
  // Only a limit smaller than the head itself can be overrun; it is still honoured.
  return clipToBytes(`${lines.join('\n')}\n`, limitBytes);
}

/** What a failed ping reports: where (the monitor's origin only: the path holds the check's key) and which attempt. */
export interface PingFailure {
  url: string;
  attempt: number;
}

export interface HealthcheckOptions {
  /** Ties the start and end pings (a UUID); the same for both. */
  runId: string;
  /** How much of each problem the end ping's body tells; `brief` when absent. */
  details?: PingDetails;
  /** Told of a ping that failed for good; the run goes on. Shaped like a pino logger's `warn`. */
  warn: (fields: PingFailure, message: string) => void;
  /** Each attempt, connection and answer included. */
  attemptTimeoutMs?: number;
  /** The pause before the one retry. */
  retryDelayMs?: number;
}

export interface Healthcheck {
  /** Tells the monitor a run has begun. Never throws. */
  start(): Promise<void>;
  /** Tells the monitor how the run ended, with its summary as the body. Never throws. */
  finish(summary: RunSummary): Promise<void>;
}

/**
 * At most two attempts of 2 s and a pause, and an attempt that got no answer at all is not repeated: a monitor that
 * silent is down, and a second wait would only hold the run up. So a dead monitor costs the start ping 2 s, beside
 * the work, and the end ping 2 s: about 4 s on a run shorter than 2 s, 2 s on a longer one (README, Monitoring).
 */
const ATTEMPT_TIMEOUT_MS = 2_000;
const RETRY_DELAY_MS = 200;
const ATTEMPTS = 2;

/** Busy or broken for the moment: a second attempt may get through, where a 404 never would. */
const worthRetrying = (status: number) => status === 429 || status >= 500;

/** No answer within the attempt's time: the deadline passed, or the connection could not even be made in it. */
function unanswered(error: unknown): boolean {
  const failure = error as { name?: string; code?: string };
  return failure?.name === 'TimeoutError' || failure?.name === 'AbortError' || failure?.code === 'UND_ERR_CONNECT_TIMEOUT';
}

function describe(error: unknown, timeoutMs: number): string {
  if (unanswered(error)) return `no answer within ${timeoutMs} ms`;
  const failure = error as { code?: string; message?: string };
  const message = failure?.message ?? String(error);
  return failure?.code && !message.includes(failure.code) ? `${failure.code}: ${message}` : message;
}

/** The summary, or a line saying why it is missing: the end ping matters more than its body. */
function bodyOf(summary: RunSummary, details: PingDetails): string {
  try {
    return summaryBody(summary, details);
  } catch (error) {
    return `exit code ${summary.exitCode}; the summary could not be written: ${escapeControls(String(error))}\n`;
  }
}

const NO_HEALTHCHECK: Healthcheck = { start: async () => {}, finish: async () => {} };

/**
 * The pinger of one run: `url` absent (no monitor configured, or a dry run) gives one that does nothing, so the
 * caller needs no branches. A ping that fails is reported through `warn` and never changes how the run ends.
 */
export function healthcheck(checkUrl: string | undefined, options: HealthcheckOptions): Healthcheck {
  if (!checkUrl) return NO_HEALTHCHECK;
  const url = checkUrl;
  const timeoutMs = options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
  // HEALTHCHECK_URL is checked as an http(s) URL with the other settings, before the run starts.
  const origin = new URL(url).origin;
  // Its own connections, closed after the end ping: nothing is left open when the job exits.
  const agent = new Agent({ connect: { timeout: timeoutMs } });

  const warn = (attempt: number, message: string) => {
    try {
      options.warn({ url: origin, attempt }, message);
    } catch {
      // A broken logger must not end the run either.
    }
  };

  async function ping(event: PingEvent, body: string): Promise<void> {
    const name = event === 'start' ? 'start' : 'end';
    const target = pingUrl(url, event, options.runId);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      let problem: string;
      let again = attempt < ATTEMPTS;
      try {
        const answer = await request(target, {
          method: 'POST',
          body,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': 'yougotdata' },
          dispatcher: agent,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await answer.body.dump();
        if (answer.statusCode >= 200 && answer.statusCode < 300) return;
        problem = `HTTP ${answer.statusCode}`;
        if (!worthRetrying(answer.statusCode)) {
          again = false;
          problem += ' (is the check URL right?)';
        }
      } catch (error) {
        problem = describe(error, timeoutMs);
        if (unanswered(error)) again = false;
      }
      if (!again) {
        warn(attempt, `healthcheck ${name} ping failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${problem}; the run goes on`);
        return;
      }
      await sleep(retryDelayMs);
    }
  }

  return {
    start: () => ping('start', ''),
    async finish(summary) {
      try {
        await ping({ exitCode: summary.exitCode }, bodyOf(summary, options.details ?? 'brief'));
      } finally {
        agent.destroy().catch(() => {});
      }
    },
  };
}
