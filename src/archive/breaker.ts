/**
 * Stops a run asking a server that is down. Each notification whose requests all failed for a transient cause
 * (timeout, refused or reset connection, 5xx, 429, an answer that is not a JSON list) counts one; any answer resets the count. After `limit` in a row
 * the breaker opens: no request goes out again this run, and what is left fails at once, to be sent by a rerun.
 */
export class ServerBreaker {
  private failures = 0;
  private opened: string | null = null;

  /** `server`: how messages name it ("the archive", "the summit FITS server"). */
  constructor(
    private readonly server: string,
    private readonly limit: number,
  ) {}

  /** Why nothing more is asked, once open: `the archive is unavailable (<last cause>)`; null while closed. */
  get open(): string | null {
    return this.opened;
  }

  /** A notification's requests got an answer: the server is up. */
  answered(): void {
    if (this.opened === null) this.failures = 0;
  }

  /** A notification's requests all failed for a transient cause. */
  failed(cause: string): void {
    this.failures += 1;
    if (this.opened === null && this.failures >= this.limit) this.opened = `${this.server} is unavailable (${cause})`;
  }
}
