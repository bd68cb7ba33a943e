/** One misbehaviour of the archive, applied to one answer. Fields combine: latency, then the rest. */
export interface StandInFault {
  /** Added to the stand-in's latency before answering. */
  latencyMs?: number;
  /** Answer with this status and an HTML error page (e.g. 500, 503, 429). */
  status?: number;
  /** With `status`: a Retry-After header. */
  retryAfterSeconds?: number;
  /** Never answer; the socket stays open until the client gives up or the stand-in closes. */
  hang?: boolean;
  /** A 200 with an HTML page instead of JSON. */
  html?: boolean;
  /** Declare the full Content-Length, send part of the body, then close the socket. */
  truncate?: boolean;
  /** Pad the (valid) JSON answer with whitespace, sent chunked, to at least this many bytes. */
  oversizeBytes?: number;
  /** Add one file of each of these programs to the answer. */
  extraPrograms?: string[];
  /** Add these files to the answer, whether or not the search would find them (an archive breaking its own rules). */
  extraEntries?: Record<string, unknown>[];
}

export interface StandInFaultRule extends StandInFault {
  /** Only requests whose decoded path contains this; every request when omitted. */
  match?: string;
  /** How many matching requests it applies to (default 1; Infinity: until cleared). */
  times?: number;
}

interface PendingFault {
  fault: StandInFault;
  match: string | undefined;
  remaining: number;
}

/** Faults are used up in the order they were injected: two `{status: 500}` then normal answers. */
export class FaultQueue {
  #pending: PendingFault[] = [];

  add({ match, times = 1, ...fault }: StandInFaultRule): void {
    if (times > 0) this.#pending.push({ fault, match, remaining: times });
  }

  clear(): void {
    this.#pending = [];
  }

  /** The first pending fault matching `path`, one use of it consumed. */
  take(path: string): StandInFault | undefined {
    const at = this.#pending.findIndex((pending) => pending.match === undefined || path.includes(pending.match));
    const pending = this.#pending[at];
    if (!pending) return undefined;
    if (--pending.remaining <= 0) this.#pending.splice(at, 1);
    return pending.fault;
  }
}
