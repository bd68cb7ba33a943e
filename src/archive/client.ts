import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { type Mode, profileOf } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import { notTried, stoppedBy } from '../domain/result.js';
import { type ArchiveEntry, archiveEntrySchema } from './entry.js';
import type { ValidSelection } from './selection.js';

export type ArchivePage = 'jsonsummary' | 'summary/nolinks' | 'searchform';

/**
 * A term `.` or `..`: a URL parser resolves it, encoded or not (`%2E%2E` is `..` to `new URL()` and to servers), so
 * it would delete the term before it, or the page name. The grammar refuses it; the URL builder refuses it too.
 */
export class DotSegmentTerm extends RangeError {
  constructor(term: string) {
    super(`the term "${term}" cannot be sent: a URL would resolve it and search something else (docs/archive.md#terms)`);
  }
}

/** Each term encoded on its own, so no term can change the path or reach another host; `=` stays readable as in the old job's URLs. */
function encodeTerm(term: string): string {
  if (term === '.' || term === '..') throw new DotSegmentTerm(term);
  return encodeURIComponent(term).replace(/%3D/g, '=');
}

/** The nights a search covers, both included: one night, or a range the archive reads by each file's telescope. */
export interface NightSpan {
  first: Night;
  last: Night;
}

/** `night=D` for one night (the old job's term), `nightrange=A-B` for more (docs/archive.md#ranges). */
function nightTerm(nights: Night | NightSpan): string {
  if (typeof nights === 'string' || nights.first === nights.last) return `night=${typeof nights === 'string' ? nights : nights.first}`;
  return `nightrange=${nights.first}-${nights.last}`;
}

/**
 * `{base}/{page}/night={D}/{term}/{term}…`: the URL the old job used, with /jsonsummary for the search. Throws a
 * DotSegmentTerm for a term `.` or `..`.
 */
export function archiveUrl(base: string, page: ArchivePage, nights: Night | NightSpan, terms: readonly string[]): string {
  return `${base.replace(/\/+$/, '')}/${page}/${[nightTerm(nights), ...terms].map(encodeTerm).join('/')}`;
}

/** The terms a mode searches: the selection's, then the mode's own (CHECK mode: files in QA state CHECK). */
export function searchTerms(terms: readonly string[], mode: Mode): string[] {
  const { extraTerm } = profileOf(mode);
  return extraTerm === null ? [...terms] : [...terms, extraTerm];
}

export type ArchiveAnswer<T> =
  | { ok: true; value: T; url: string; attempts: number }
  /**
   * `transient`: the server or the network failed (timeout, refused or reset, 5xx, 429, an answer that is not the
   * archive's JSON), so it may be down. `notTried`: why no request was made (the run stopped, the server found down).
   */
  | { ok: false; error: string; url: string; attempts: number; transient: boolean; notTried?: string };

export interface ArchiveClientOptions {
  timeoutMs: number;
  /** Extra attempts after a transient failure. */
  retries: number;
  /** Most requests in flight at once. */
  concurrency: number;
  maxResponseBytes?: number;
  /** First backoff; doubled each attempt, with full jitter. */
  backoffMs?: number;
  /** Aborted when the run is stopped: requests in flight end at once, and no new one goes out. */
  stop?: AbortSignal;
}

/** The run was stopped (a signal): not a fault of the server, and not worth another attempt. */
class Stopped extends Error {
  constructor(readonly stop: AbortSignal) {
    super(stoppedBy(stop));
  }
}

/** A failure worth another attempt: the server or the network may recover. */
class TransientFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const transientStatus = (status: number) => status === 429 || status >= 500;
const MAX_RETRY_AFTER_MS = 120_000;

function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** Waits for a free slot, so at most `size` requests are in flight. */
class RequestSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** The archive (PI mode) or a summit FITS server (CHECK mode): status checked, body validated, retried with backoff. */
export class ArchiveClient {
  private readonly agent: Agent;
  private readonly slots: RequestSlots;
  private readonly maxResponseBytes: number;
  /** Requests sent, every attempt counted: what the run cost the archive. */
  requests = 0;

  constructor(private readonly options: ArchiveClientOptions) {
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
    this.slots = new RequestSlots(options.concurrency);
  }

  /**
   * The files a mode's search of a valid selection returns, validated; never "no data" for an answer that is not a
   * JSON array. Only a `ValidSelection` is searched so: a term the archive drops would widen the search.
   */
  async searchFiles(
    base: string,
    nights: Night | NightSpan,
    selection: ValidSelection,
    mode: Mode,
  ): Promise<ArchiveAnswer<ArchiveEntry[]>> {
    return this.searchUnchecked(base, nights, selection.terms, mode);
  }

  /** The same search for terms nobody checked: `why` shows what an invalid selection gets, and the job never sends on it. */
  async searchUnchecked(
    base: string,
    nights: Night | NightSpan,
    terms: readonly string[],
    mode: Mode,
  ): Promise<ArchiveAnswer<ArchiveEntry[]>> {
    return this.ask(base, 'jsonsummary', nights, searchTerms(terms, mode), parseEntries);
  }

  /** The HTML summary of the same search, for the server's own word on which terms it dropped. */
  async summaryPage(base: string, night: Night, terms: readonly string[]): Promise<ArchiveAnswer<string>> {
    return this.ask(base, 'summary/nolinks', night, terms, (body) => body);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** A URL that cannot be built safely is a failure of its own, and no request. */
  private async ask<T>(
    base: string,
    page: ArchivePage,
    nights: Night | NightSpan,
    terms: readonly string[],
    parse: (body: string) => T,
  ): Promise<ArchiveAnswer<T>> {
    let url: string;
    try {
      url = archiveUrl(base, page, nights, terms);
    } catch (error) {
      if (!(error instanceof DotSegmentTerm)) throw error;
      return { ok: false, error: error.message, url: `${base.replace(/\/+$/, '')}/${page}/…`, attempts: 0, transient: false };
    }
    return this.get(url, parse);
  }

  private async get<T>(url: string, parse: (body: string) => T): Promise<ArchiveAnswer<T>> {
    const backoffMs = this.options.backoffMs ?? 500;
    const { stop } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const body = await this.attempt(url);
        // The slot is free: let its next request go out before this answer is parsed and acted on.
        await nextTurn();
        // An answer that is not the archive's (a proxy's maintenance page) throws a TransientFailure: retried, and counted.
        return { ok: true, value: parse(body), url, attempts: attempt };
      } catch (error) {
        if (error instanceof Stopped)
          return { ok: false, ...notTried(stoppedBy(error.stop)), url, attempts: attempt - 1, transient: false };
        const message = (error as Error).message;
        const transient = error instanceof TransientFailure;
        if (!transient || attempt > this.options.retries) {
          const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
          return { ok: false, error: `${message}${tries}`, url, attempts: attempt, transient };
        }
        const exponential = Math.random() * backoffMs * 2 ** (attempt - 1);
        const stopped = await sleep(Math.max(error.retryAfterMs ?? 0, exponential), false, { signal: stop }).catch(() => true);
        if (stopped && stop) return { ok: false, ...notTried(stoppedBy(stop)), url, attempts: attempt, transient: false };
      }
    }
  }

  private async attempt(url: string): Promise<string> {
    const { stop } = this.options;
    if (stop?.aborted) throw new Stopped(stop);
    await this.slots.take();
    // A timer cleared on the answer, not AbortSignal.timeout: that one keeps every request's signal alive for the full timeout.
    // And a listener removed on the answer, not AbortSignal.any: the run-long stop signal would keep a WeakRef per request
    // (+40 MB of heap at 20000 rows; README, Performance).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    const onStop = () => deadline.abort();
    stop?.addEventListener('abort', onStop, { once: true });
    const { signal } = deadline;
    try {
      if (stop?.aborted) throw new Stopped(stop);
      this.requests += 1;
      const parsed = new URL(url);
      let response: Dispatcher.ResponseData;
      try {
        response = await this.agent.request({
          origin: parsed.origin,
          path: parsed.pathname,
          method: 'GET',
          headers: { accept: 'application/json, text/html;q=0.5', 'user-agent': 'yougotdata' },
          signal,
        });
      } catch (error) {
        if (stop?.aborted) throw new Stopped(stop);
        throw new TransientFailure(describeNetworkError(error, this.options.timeoutMs, signal));
      }
      const { statusCode, headers, body } = response;
      if (statusCode !== 200) {
        body.resume();
        const reason = `HTTP ${statusCode} from the archive`;
        if (transientStatus(statusCode)) throw new TransientFailure(reason, retryAfter(headers['retry-after']));
        throw new Error(reason);
      }
      return await this.readBody(body, headers['content-length'], signal);
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      this.slots.give();
    }
  }

  private async readBody(
    body: Dispatcher.ResponseData['body'],
    declared: string | string[] | undefined,
    signal: AbortSignal,
  ): Promise<string> {
    const limitMb = Math.round(this.maxResponseBytes / 1024 / 1024);
    const tooLarge = `the answer is larger than ${limitMb} MB; refusing to read it`;
    if (typeof declared === 'string' && Number(declared) > this.maxResponseBytes) {
      body.destroy();
      throw new Error(tooLarge);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > this.maxResponseBytes) {
          body.destroy();
          throw new Error(tooLarge);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if ((error as Error).message === tooLarge) throw error;
      if (this.options.stop?.aborted) throw new Stopped(this.options.stop);
      throw new TransientFailure(`the answer was cut off: ${describeNetworkError(error, this.options.timeoutMs, signal)}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

function describeNetworkError(error: unknown, timeoutMs: number, signal: AbortSignal): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (signal.aborted || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  return e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(error));
}

/**
 * A JSON array of valid entries, or an error that says what was wrong with the answer. An answer that is not a JSON
 * list is not the archive's at all (a proxy's maintenance page, with a 200): transient, as a 503 would be
 * (docs/commands.md#per-notification). A list with a malformed file is the archive's, and asking again changes nothing.
 */
export function parseEntries(body: string): ArchiveEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const start = body.trimStart().slice(0, 60).replace(/\s+/g, ' ');
    throw new TransientFailure(`the answer is not JSON (it starts "${start}")`);
  }
  if (!Array.isArray(json)) {
    throw new TransientFailure(`the answer is JSON but not a list of files (${json === null ? 'null' : typeof json})`);
  }
  return json.map((item, index) => {
    const parsed = archiveEntrySchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`file ${index + 1} of the answer is malformed: ${issue?.path.join('.') || 'entry'} ${issue?.message ?? ''}`.trim());
    }
    return parsed.data;
  });
}
