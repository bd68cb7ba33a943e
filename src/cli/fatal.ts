/**
 * The exit-code policy: each fatal error classified (what kind, the one line to print, the exit code of
 * docs/commands.md#exit-codes) and reported the same way by every command.
 */
import { SettingError } from '../config/settings.js';
import { DatabaseRefused, DatabaseUnavailable, isUnreachable } from '../db/database.js';
import { DatabaseNotMigrated } from '../db/migrations.js';
import { NotificationTableMissing } from '../db/notification-table.js';
import { RunLockBusy, RunLockLost } from '../db/run-lock.js';
import { NightError } from '../domain/night.js';
import { LogFileError } from '../log/logger.js';
import { ImapRefused, ImapUnavailable, MissingMessagePath } from '../mailbox/failures.js';
import { OutFolderError } from '../preview/out-folder.js';
import { maskCredentials } from '../text/credentials.js';
import { escapeControls, jsonText } from '../text/escape.js';
import { type CommandContext, EXIT } from './process-context.js';

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
  if (error instanceof DatabaseRefused || error instanceof NotificationTableMissing || error instanceof DatabaseNotMigrated)
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
export interface DescribedFatal extends Fatal {
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
