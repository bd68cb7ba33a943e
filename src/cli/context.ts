import type { Logger } from 'pino';
import { ArchiveClient } from '../archive/client.js';
import { environmentWithDotEnv, readSettings, required, SettingError, type Settings } from '../config/settings.js';
import { DatabaseRefused, DatabaseUnavailable, isUnreachable } from '../db/database.js';
import { NotificationTableMissing } from '../db/notification-table.js';
import { RunLockBusy, RunLockLost } from '../db/run-lock.js';
import { type Mode, profileOf } from '../domain/mode.js';
import { NightError } from '../domain/night.js';
import { createLogger, LogFileError } from '../log/logger.js';
import type { ProgressLine } from '../log/progress-line.js';
import { BounceTokens } from '../mail/bounce-token.js';
import { type DkimSigning, dkimSigningOf } from '../mail/dkim.js';
import { ImapRefused, ImapUnavailable, MissingMessagePath } from '../mailbox/failures.js';
import { OutFolderError } from '../preview/out-folder.js';
import { maskCredentials } from '../text/credentials.js';
import { escapeControls, jsonText } from '../text/escape.js';
import { type CommandContext, EXIT } from './process-context.js';

/** The environment the command sees: the process's, over a `.env` in the working directory. */
const environmentOf = (context: CommandContext) => environmentWithDotEnv(context.env, context.cwd);

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

/** The server a mode searches: the archive (PI) or the summit FITS server (CHECK). */
export function serverOf(settings: Settings, mode: Mode): string {
  return required(settings, profileOf(mode).server.setting);
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

/** The settings' bounce address and DKIM key, checked before anything is sent: a key that cannot be used is exit 2. */
export function tracingOf(settings: Settings): Tracing {
  const { BOUNCE_ADDRESS: address, BOUNCE_SECRET: secret } = settings;
  return { bounces: address && secret ? new BounceTokens(address, secret) : null, dkim: dkimSigningOf(settings) };
}

/** A second SIGTERM or SIGINT: the command exits 75 at once, without waiting for what is under way. */
export class StoppedAtOnce extends Error {
  constructor(signal: string) {
    super(`${signal} again: exiting at once; the messages on the wire may go out again with the next run`);
  }
}

/** A fatal error as the command reports it: what kind, the line to print, and the exit code. */
interface Fatal {
  kind: string;
  message: string;
  exitCode: number;
}

/** The exit code docs/commands.md#exit-codes gives each failure: 2 to fix something first, 75 to try again later. */
function classify(error: unknown): Fatal {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof SettingError) return { kind: 'configuration', message: `configuration: ${message}`, exitCode: EXIT.usage };
  if (error instanceof LogFileError)
    return { kind: 'configuration', message: `--log-file ${error.path}: ${message}`, exitCode: EXIT.usage };
  if (error instanceof DatabaseRefused || error instanceof NotificationTableMissing)
    return { kind: 'database', message, exitCode: EXIT.usage };
  if (error instanceof NightError || error instanceof OutFolderError || error instanceof MissingMessagePath)
    return { kind: 'usage', message, exitCode: EXIT.usage };
  if (error instanceof ImapRefused) return { kind: 'configuration', message, exitCode: EXIT.usage };
  if (error instanceof ImapUnavailable) return { kind: 'mailbox-unavailable', message, exitCode: EXIT.tryLater };
  if (error instanceof StoppedAtOnce) return { kind: 'stopped', message, exitCode: EXIT.tryLater };
  if (error instanceof DatabaseUnavailable) return { kind: 'database-unavailable', message, exitCode: EXIT.tryLater };
  if (error instanceof RunLockBusy || error instanceof RunLockLost) return { kind: 'locked', message, exitCode: EXIT.tryLater };
  if (isUnreachable(error)) {
    return {
      kind: 'database-unavailable',
      message: `lost the database: ${message}; try again later (a rerun completes the night)`,
      exitCode: EXIT.tryLater,
    };
  }
  // A bug, not something the operator can fix: the stack helps whoever fixes it.
  return { kind: 'unexpected', message: `unexpected error: ${(error as Error)?.stack ?? String(error)}`, exitCode: EXIT.failed };
}

/** A fatal error described once: `detail` is the line for stderr (a bug's whole stack), `message` the one line. */
interface DescribedFatal extends Fatal {
  detail: string;
}

/** A fatal error's kind, exit code and one line, passwords masked and control characters escaped (a bug: no stack). */
export function describeFatal(error: unknown): DescribedFatal {
  const fatal = classify(error);
  const masked = maskCredentials(fatal.message);
  const line = escapeControls(masked);
  if (fatal.kind !== 'unexpected') return { ...fatal, message: line, detail: line };
  return { ...fatal, message: line.split('\\n')[0] ?? line, detail: masked };
}

/**
 * A command's failure as one line on stderr, every URL's password masked;
 * with `--json`, also the one JSON document on stdout: `{"error":{"kind","message"},"exitCode":N}`.
 */
export function reportFatal(error: unknown, context: CommandContext, options: { json?: boolean } = {}): DescribedFatal {
  const fatal = describeFatal(error);
  context.stderr.write(`yougotdata: ${fatal.detail}\n`);
  if (options.json)
    context.stdout.write(`${jsonText({ error: { kind: fatal.kind, message: fatal.message }, exitCode: fatal.exitCode })}\n`);
  return fatal;
}
