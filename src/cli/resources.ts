/** What commands open, each made from the settings: the logger, the database, the archive client, the mail's tracing. */
import type { Logger } from 'pino';
import { ArchiveClient } from '../archive/client.js';
import { type Environment, environmentWithDotEnv, environmentWithFile, readSettings, required, type Settings } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../log/logger.js';
import type { ProgressLine } from '../log/progress-line.js';
import { BounceTokens } from '../mail/bounce-token.js';
import { type DkimSigning, dkimSigningOf } from '../mail/dkim.js';
import type { CommandContext } from './process-context.js';

/** The environment the command sees: the process's, over a settings file given it, over a `.env` in the working directory. */
function environmentOf(context: CommandContext): Environment {
  const env = context.settingsFile === undefined ? context.env : environmentWithFile(context.env, context.settingsFile);
  return environmentWithDotEnv(env, context.cwd);
}

export function settingsOf(context: CommandContext): Settings {
  return readSettings(environmentOf(context));
}

/**
 * The command's logger (src/log): text or JSON lines on stderr (everything on a terminal, only what needs attention
 * under cron), and every line as JSON in `--log-file`.
 */
export function loggerOf(
  context: CommandContext,
  settings: Pick<Settings, 'LOG_FORMAT'>,
  options: { logFile?: string; progress?: ProgressLine } = {},
): Logger {
  return createLogger({ stderr: context.stderr, format: settings.LOG_FORMAT, ...options });
}

export type Database = Awaited<ReturnType<typeof openDatabase>>;

export interface DatabaseOptions {
  /** DATABASE_URL unless given (a command that checks its settings before opening anything reads it first). */
  url?: string;
  /** Shown in pg_stat_activity: which command, and for `send` which run. */
  applicationName: string;
  maxConnections?: number;
}

/** A pool on the database, its first connection made at once. */
export function databaseOf(settings: Settings, options: DatabaseOptions): Promise<Database> {
  return openDatabase({ ...options, url: options.url ?? required(settings, 'DATABASE_URL') });
}

/** An archive client with the settings' timeout and retries. */
export function archiveClientOf(settings: Settings, options: { concurrency: number; stop?: AbortSignal }): ArchiveClient {
  return new ArchiveClient({ timeoutMs: settings.ARCHIVE_TIMEOUT_MS, retries: settings.ARCHIVE_RETRIES, ...options });
}

/** What the job does to each message it sends, beyond the message: the bounce token and the DKIM signature. */
export interface Tracing {
  bounces: BounceTokens | null;
  dkim: DkimSigning | null;
}

/** The bounce tokens of BOUNCE_ADDRESS and BOUNCE_SECRET; null when no bounce address is set. */
export function bounceTokensOf(settings: Settings): BounceTokens | null {
  const { BOUNCE_ADDRESS: address, BOUNCE_SECRET: secret } = settings;
  return address && secret ? new BounceTokens(address, secret) : null;
}

/** The settings' bounce address and DKIM key, checked before anything is sent: a key that cannot be used is exit 2. */
export function tracingOf(settings: Settings): Tracing {
  return { bounces: bounceTokensOf(settings), dkim: dkimSigningOf(settings) };
}
