/**
 * A local stand-in for the Gemini Observatory Archive (or a summit FITS server), serving the URLs
 * the job uses by the rules of docs/archive.md, with faults on demand. Used by tests, `demo` and the benchmark.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drained } from '../../streams/drained.js';
import { makeEntry } from './entries.js';
import { FaultQueue, type StandInFault, type StandInFaultRule } from './faults.js';
import { errorPage, maintenancePage, searchFormPage, summaryPage } from './pages.js';
import { byFileName, StandInStore, storedEntry } from './store.js';
import { readSelection, type ServerRole, type StoredEntry } from './terms.js';

export type { Telescope } from '../../archive/telescope-night.js';
export { makeEntry, makeNight, makeSequence, type QaState, type StandInFileSpec, type StandInNightProgram } from './entries.js';
export type { StandInFault, StandInFaultRule } from './faults.js';
export type { ServerRole } from './terms.js';

/** The archive's limits: for a query constrained by date, night, program, observation, data label or file name; for any other. */
export const CLOSED_QUERY_LIMIT = 2000;
export const OPEN_QUERY_LIMIT = 500;
/** The log keeps the most recent requests only: the benchmark sends 20,000. */
export const REQUEST_LOG_LIMIT = 10_000;
const PADDING = Buffer.alloc(64 * 1024, ' ');

export interface StandInRequest {
  /** As received (still URL-encoded). */
  path: string;
  /** 0 while in flight, or when no answer was sent (hang, client gone). */
  status: number;
  /** Arrival, ms since the epoch. */
  at: number;
}

export interface StandInStats {
  inFlight: number;
  peakInFlight: number;
  total: number;
}

export interface StandInOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** `summit`: a summit FITS server, which reads a bare `YYYYMMDD` as a night. Default `archive`. */
  role?: ServerRole;
}

export interface ArchiveStandIn {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly role: ServerRole;
  /** Adds /jsonsummary entries; an entry with the name of one held replaces it. */
  addEntries(entries: readonly Record<string, unknown>[]): void;
  /** Removes every file, pending fault and learned word, and sets the latency back to 0. */
  clear(): void;
  /** Plays an archive newer than the job's word lists: recognises these words too (they filter nothing). */
  learnWords(words: readonly string[]): void;
  /** Queues faults, used up in order by the requests they match (`[{status: 500}, {status: 500}]`, then normal answers). */
  inject(rules: StandInFaultRule | readonly StandInFaultRule[]): void;
  /** Latency of every answer, on top of any fault's. */
  setLatency(ms: number): void;
  /** The most recent requests (at most REQUEST_LOG_LIMIT), oldest first. */
  readonly requests: StandInRequest[];
  readonly stats: StandInStats;
  /** Empties the request log and counts from zero (requests in flight stay counted). */
  resetStats(): void;
  /** Stops listening and destroys open sockets, hung requests included. */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

type Page = 'jsonsummary' | 'summary' | 'searchform';

/** `/summary/nolinks/<terms>` is the HTML summary the job reads warnings from. */
const PAGE_PREFIXES: readonly [page: Page, prefix: readonly string[]][] = [
  ['jsonsummary', ['jsonsummary']],
  ['summary', ['summary', 'nolinks']],
  ['searchform', ['searchform']],
];

/** Segments decoded one by one (a client encodes each term on its own); empty ones dropped. Null when badly encoded. */
function decodedSegments(url: string): string[] | null {
  const path = url.split('?', 1)[0] ?? '';
  try {
    return path
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent);
  } catch {
    return null;
  }
}

function routeOf(segments: readonly string[]): { page: Page; terms: string[] } | null {
  const found = PAGE_PREFIXES.find(([, prefix]) => prefix.every((part, i) => segments[i] === part));
  return found ? { page: found[0], terms: segments.slice(found[1].length) } : null;
}

function html(status: number, body: string, headers?: Record<string, string>): Answer {
  return { status, contentType: 'text/html; charset=utf-8', body, ...(headers ? { headers } : {}) };
}

function json(entries: readonly StoredEntry[]): Answer {
  return { status: 200, contentType: 'application/json', body: `[${entries.map((entry) => entry.json).join(',')}]` };
}

function failure(status: number, retryAfterSeconds: number | undefined): Answer {
  const headers = retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
  return html(status, errorPage(status, 'The archive could not answer this request.'), headers);
}

/** Chunked, so a client learns the size only by reading; whitespace keeps it valid JSON, so only a size guard stops it. */
async function sendPadded(res: ServerResponse, answer: Answer, body: Buffer, size: number): Promise<void> {
  res.writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers });
  let sent = body.length;
  let flowing = res.write(body);
  while (sent < size && !res.destroyed) {
    if (!flowing) await drained(res);
    const chunk = PADDING.subarray(0, Math.min(PADDING.length, size - sent));
    sent += chunk.length;
    flowing = res.write(chunk);
  }
  res.end();
}

function deliver(res: ServerResponse, answer: Answer, fault: StandInFault | undefined): void {
  const body = Buffer.from(answer.body);
  if (fault?.oversizeBytes !== undefined) {
    void sendPadded(res, answer, body, fault.oversizeBytes);
    return;
  }
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': body.length, ...answer.headers });
  if (fault?.truncate) res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.destroy());
  else res.end(body);
}

class StandInServer implements ArchiveStandIn {
  readonly requests: StandInRequest[] = [];
  readonly stats: StandInStats = { inFlight: 0, peakInFlight: 0, total: 0 };
  readonly #server: Server;
  readonly #store = new StandInStore();
  readonly #faults = new FaultQueue();
  readonly #timers = new Set<NodeJS.Timeout>();
  #latencyMs = 0;
  #url = '';
  readonly #learned = new Set<string>();

  constructor(readonly role: ServerRole) {
    this.#server = createServer((req, res) => this.#receive(req, res));
  }

  get url(): string {
    return this.#url;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  addEntries(entries: readonly Record<string, unknown>[]): void {
    for (const entry of entries) this.#store.add(entry);
  }

  clear(): void {
    this.#store.clear();
    this.#faults.clear();
    this.#learned.clear();
    this.#latencyMs = 0;
  }

  learnWords(words: readonly string[]): void {
    for (const word of words) this.#learned.add(word);
  }

  inject(rules: StandInFaultRule | readonly StandInFaultRule[]): void {
    for (const rule of Array.isArray(rules) ? rules : [rules]) this.#faults.add(rule);
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  resetStats(): void {
    this.requests.length = 0;
    this.stats.total = 0;
    this.stats.peakInFlight = this.stats.inFlight;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #receive(req: IncomingMessage, res: ServerResponse): void {
    const record: StandInRequest = { path: req.url ?? '/', status: 0, at: Date.now() };
    this.#count(record);
    res.on('close', () => {
      record.status = res.headersSent ? res.statusCode : 0;
      this.stats.inFlight--;
    });
    const segments = decodedSegments(record.path);
    const fault = this.#faults.take(segments ? `/${segments.join('/')}` : record.path);
    this.#after(this.#latencyMs + (fault?.latencyMs ?? 0), () => this.#respond(req, res, segments, fault));
  }

  #count(record: StandInRequest): void {
    this.requests.push(record);
    if (this.requests.length > REQUEST_LOG_LIMIT) this.requests.shift();
    this.stats.total++;
    this.stats.inFlight++;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.stats.inFlight);
  }

  #after(ms: number, run: () => void): void {
    if (ms <= 0) {
      run();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #respond(req: IncomingMessage, res: ServerResponse, segments: string[] | null, fault: StandInFault | undefined): void {
    // A hang is answered by nobody; a client that gave up during the latency needs no answer.
    if (fault?.hang || req.socket.destroyed) return;
    let answer: Answer;
    try {
      answer = this.#answer(req.method, segments, fault);
    } catch (error) {
      // A MalformedTermError (bad night=/date= value) above all: the archive's answer is a 500 page.
      answer = html(500, errorPage(500, error instanceof Error ? error.message : String(error)));
    }
    deliver(res, answer, fault);
  }

  #answer(method: string | undefined, segments: string[] | null, fault: StandInFault | undefined): Answer {
    if (fault?.status !== undefined) return failure(fault.status, fault.retryAfterSeconds);
    if (fault?.html) return html(200, maintenancePage());
    if (method !== 'GET') return html(405, errorPage(405, 'Only GET is served.'), { allow: 'GET' });
    if (!segments) return html(400, errorPage(400, 'Badly encoded path.'));
    const route = routeOf(segments);
    if (!route) return html(404, errorPage(404, 'No such page.'));
    if (route.page === 'searchform') return html(200, searchFormPage(route.terms));
    const selection = readSelection(route.terms, this.role, Date.now(), this.#learned);
    const found = this.#store.search(selection, selection.closed ? CLOSED_QUERY_LIMIT : OPEN_QUERY_LIMIT);
    const extra = (fault?.extraEntries ?? []).map((entry) => storedEntry(entry));
    const entries = withOtherPrograms([...found, ...extra].sort(byFileName), fault?.extraPrograms ?? []);
    return route.page === 'jsonsummary' ? json(entries) : html(200, summaryPage(route.terms, entries, selection.unrecognised));
  }
}

/** The answer plus one file of each other program, taken at the time of the answer's first file. */
function withOtherPrograms(entries: StoredEntry[], programIds: readonly string[]): StoredEntry[] {
  if (programIds.length === 0) return entries;
  const ut = new Date(entries.find((entry) => !Number.isNaN(entry.utMs))?.utMs ?? Date.now()).toISOString();
  const others = programIds.map((programId) => storedEntry(makeEntry({ programId, ut })));
  return [...entries, ...others].sort(byFileName);
}

export async function startArchiveStandIn(options: StandInOptions = {}): Promise<ArchiveStandIn> {
  const standIn = new StandInServer(options.role ?? 'archive');
  await standIn.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return standIn;
}
