import pino, { type Logger } from 'pino';
import { environmentWithDotEnv, maskSecrets, readSettings, SettingError, type Settings } from '../config/settings.js';
import { DatabaseUnavailable, isUnreachable } from '../db/database.js';
import { NotificationTableMissing } from '../db/notification-table.js';
import { RunLockBusy, RunLockLost } from '../db/run-lock.js';
import { NightError } from '../domain/night.js';

/** What a command needs of the world, so the demo and tests can run commands in-process. */
export interface CommandContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  now: () => Date;
}

export const processContext = (): CommandContext => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
});

export function settingsOf(context: CommandContext): Settings {
  return readSettings(environmentWithDotEnv(context.env, context.cwd));
}

/** Structured logs on stderr: everything on a terminal, only what needs attention under cron. */
export function loggerOf(context: CommandContext, options: { logFile?: string; verbose?: boolean } = {}): Logger {
  const level = options.verbose || context.stderr.isTTY ? 'info' : 'warn';
  const streams: pino.StreamEntry[] = [{ level, stream: context.stderr }];
  if (options.logFile) streams.push({ level: 'info', stream: pino.destination({ dest: options.logFile, append: true, sync: true }) });
  return pino({ base: { pid: process.pid }, level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}

export const EXIT = { ok: 0, failed: 1, usage: 2, tryLater: 75 } as const;

/** A command's failure as one line on stderr and the exit code docs/commands.md#exit-codes gives it. */
export function exitCodeForError(error: unknown, context: CommandContext): number {
  const secrets = [context.env.DATABASE_URL, context.env.SMTP_URL];
  const say = (line: string) => context.stderr.write(`yougotdata: ${maskSecrets(line, secrets)}\n`);
  if (error instanceof SettingError) {
    say(`configuration: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof NightError || error instanceof NotificationTableMissing) {
    say(error.message);
    return EXIT.usage;
  }
  if (error instanceof DatabaseUnavailable || error instanceof RunLockBusy || error instanceof RunLockLost) {
    say(error.message);
    return EXIT.tryLater;
  }
  if (isUnreachable(error)) {
    say(`lost the database: ${(error as Error).message}; try again later (a rerun completes the night)`);
    return EXIT.tryLater;
  }
  say(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return EXIT.failed;
}
