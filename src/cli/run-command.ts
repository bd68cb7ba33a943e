/**
 * The shape every command shares: read the settings, open what it needs, make one core call and print; a fatal error
 * reported as one line (and, with --json, the error document); then what was opened closed, newest first, and the
 * log flushed.
 */
import type { Logger } from 'pino';
import type { ArchiveClient } from '../archive/client.js';
import type { Settings } from '../config/settings.js';
import { type ProgressLine, progressLine } from '../log/progress-line.js';
import { type DescribedFatal, reportFatal } from './fatal.js';
import type { CommandContext } from './process-context.js';
import { archiveClientOf, type Database, type DatabaseOptions, databaseOf, loggerOf, settingsOf } from './resources.js';

/** How a command ended: its exit code, and the fatal error that ended it, if one did. */
export interface CommandEnd {
  exitCode: number;
  fatal: DescribedFatal | null;
}

/** What a command's core call is given: the settings, and the means to open what it needs. */
export interface CommandScope {
  settings: Settings;
  /** The progress line on stderr (drawn on a terminal only): ended before a fatal error's line, which goes below it. */
  progressLine(enabled: boolean): ProgressLine;
  /** The command's logger, flushed once the command has ended. */
  logger(options?: { logFile?: string; progress?: ProgressLine }): Logger;
  /** A pool on DATABASE_URL, closed at the end. */
  database(options: DatabaseOptions): Promise<Database>;
  /** An archive client, closed at the end. */
  archive(options: { concurrency: number; stop?: AbortSignal }): ArchiveClient;
  /** Runs when the command ends, however it ends, before whatever was registered earlier: the newest closes first. */
  atEnd(close: (end: CommandEnd) => unknown): void;
  /** Reports a fatal error now, for a command that must exit at once (a second signal). */
  reportFatal(error: unknown, options: { json: boolean }): void;
}

/** Runs `core` in the shared shape; returns the exit code. */
export async function runCommand(
  context: CommandContext,
  options: { json?: boolean },
  core: (scope: CommandScope) => Promise<number>,
): Promise<number> {
  const closing: ((end: CommandEnd) => unknown)[] = [];
  let progress: ProgressLine | undefined;
  let log: Logger | undefined;
  const fatal = (error: unknown, json: boolean) => {
    // Written straight to stderr: on a terminal the line must start below the progress, not after it.
    progress?.end();
    return reportFatal(error, context, { json });
  };
  let end: CommandEnd;
  try {
    const settings = settingsOf(context);
    const scope: CommandScope = {
      settings,
      progressLine(enabled) {
        progress = progressLine(context.stderr, { enabled });
        return progress;
      },
      logger(loggerOptions) {
        log = loggerOf(context, settings, loggerOptions);
        return log;
      },
      async database(databaseOptions) {
        const db = await databaseOf(settings, databaseOptions);
        closing.push(() => db.end().catch(() => {}));
        return db;
      },
      archive(archiveOptions) {
        const archive = archiveClientOf(settings, archiveOptions);
        closing.push(() => archive.close());
        return archive;
      },
      atEnd: (close) => closing.push(close),
      reportFatal: (error, fatalOptions) => fatal(error, fatalOptions.json),
    };
    end = { exitCode: await core(scope), fatal: null };
  } catch (error) {
    const described = fatal(error, options.json ?? false);
    end = { exitCode: described.exitCode, fatal: described };
  }
  try {
    for (const close of closing.reverse()) await close(end);
  } finally {
    log?.flush();
  }
  return end.exitCode;
}
