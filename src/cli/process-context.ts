/**
 * The process as a command sees it, with no dependency: cli.ts and the option parser load only this, so `--help`
 * and `--version` do not load the database, settings and logging modules.
 */
import type { TerminalStream } from '../log/progress-line.js';
import { drained } from '../streams/drained.js';

/** What a command needs of the world, so the demo and tests can run commands in-process. */
export interface CommandContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** A settings file named on the command line (`bounce --settings`), read under `env`, over `cwd`'s `.env`. */
  settingsFile?: string;
  /** What `bounce` reads a message from when given no file: the mail server's pipe. Absent: nothing to read. */
  stdin?: AsyncIterable<Buffer | string> & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: TerminalStream;
  now: () => Date;
  /**
   * Calls `stop` on the first SIGTERM or SIGINT, so a long command can finish cleanly; a second one exits 75 at once,
   * after `atOnce` has written the command's last words (its one JSON document, with --json). Returns what removes the
   * handler. Absent where signals are not this command's (the demo, tests in-process).
   */
  onStop?: (stop: (signal: string) => void, atOnce?: (signal: string) => void) => () => void;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, tryLater: 75 } as const;

export const processContext = (): CommandContext => ({
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
  onStop(stop, atOnce) {
    let received = 0;
    const listener = (signal: NodeJS.Signals) => {
      received += 1;
      if (received === 1) return stop(signal);
      if (atOnce) atOnce(signal);
      else process.stderr.write(`yougotdata: ${signal} again: exiting at once\n`);
      // What was just written reaches a pipe first; a reader that takes nothing holds the exit up a second at most.
      const exit = () => process.exit(EXIT.tryLater);
      if (process.stdout.writableLength === 0) exit();
      void drained(process.stdout).then(exit);
      setTimeout(exit, 1000).unref();
    };
    process.on('SIGTERM', listener);
    process.on('SIGINT', listener);
    return () => {
      process.off('SIGTERM', listener);
      process.off('SIGINT', listener);
    };
  },
});
