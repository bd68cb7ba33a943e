import { closeSync, fchmodSync, fstatSync, openSync, writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { maskCredentials } from '../text/credentials.js';
import { escapeControls, escapeJsonControls } from '../text/escape.js';
import { type ProgressLine, progressLine, type TerminalStream } from './progress-line.js';
import { formatLogLine } from './text-line.js';

/** `text`: one line a person reads per record (cron mails stderr); `json`: pino's lines, for a log collector. */
const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The log file cannot be opened for appending (missing directory, no permission, a directory): exit 2, one line. */
export class LogFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot append to the log file: ${escapeControls((cause as Error)?.message ?? String(cause))}`, { cause });
  }
}

export interface LoggerOptions {
  stderr: TerminalStream;
  /** `LOG_FORMAT`, checked with the other settings; text when absent. */
  format?: LogFormat;
  /** Gets every record from info up as JSON lines, whatever the format. */
  logFile?: string;
  /** Info on stderr even off a terminal. */
  verbose?: boolean;
  /** Shared with the pipeline's progress callback, so log lines are written above it; made here when absent. */
  progress?: ProgressLine;
}

/**
 * A JSON line of pino's as the job writes it: URL passwords masked, and DEL, C1 and bidi controls (which pino, like
 * JSON.stringify, leaves raw) escaped, so a person reading the log file or a collector's view sees them as text.
 */
const safeJsonLine = (line: string): string => escapeJsonControls(maskCredentials(line));

/** Appends each line with one synchronous write: nothing is lost when the job calls `process.exit` after flushing. */
class AppendFile {
  private failed = false;
  constructor(
    private readonly fd: number,
    private readonly report: (line: string) => void,
  ) {}
  write(line: string): boolean {
    if (this.failed) return true;
    try {
      writeSync(this.fd, safeJsonLine(line));
    } catch (error) {
      // A full disk must not end the run: said once on stderr, then the file is left alone.
      this.failed = true;
      this.report(`yougotdata: the log file can no longer be written (${escapeControls((error as Error).message)}); logging to it stops\n`);
      try {
        closeSync(this.fd);
      } catch {}
    }
    return true;
  }
}

/** Owner and group: the log names every recipient, which is no business of the host's other users. */
const LOG_FILE_MODE = 0o640;

/**
 * Opens the log file for appending, created 0640 (less under a stricter umask). One of ours that a former version
 * left readable by every user (0644) loses that, its owner and group keeping theirs; another user's file is left
 * as it is.
 */
function openLogFile(path: string): number {
  const fd = openSync(path, 'a', LOG_FILE_MODE);
  try {
    const { mode, uid } = fstatSync(fd);
    if (mode & 0o007 && uid === process.getuid?.()) fchmodSync(fd, mode & 0o770);
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Each JSON line pino writes, as the line of the format, through the progress line. */
class StderrLines {
  constructor(
    private readonly format: LogFormat,
    private readonly progress: ProgressLine,
  ) {}
  write(line: string): boolean {
    this.progress.write(this.format === 'json' ? safeJsonLine(line) : `${maskCredentials(textOf(line))}\n`);
    return true;
  }
}

function textOf(line: string): string {
  try {
    return formatLogLine(JSON.parse(line));
  } catch {
    return escapeControls(line.trimEnd());
  }
}

/**
 * The job's logger: records from info up (warn up off a terminal unless verbose: under cron only what needs
 * attention) on stderr as text or JSON lines, and every record from info up in the log file as JSON lines.
 * Throws a `LogFileError` for a file that cannot be opened, before anything is logged.
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? 'text';
  const progress = options.progress ?? progressLine(options.stderr, { enabled: false });
  const stderrLevel = options.verbose || options.stderr.isTTY ? 'info' : 'warn';
  const streams: pino.StreamEntry[] = [{ level: stderrLevel, stream: new StderrLines(format, progress) }];
  if (options.logFile) {
    let fd: number;
    try {
      fd = openLogFile(options.logFile);
    } catch (error) {
      throw new LogFileError(options.logFile, error);
    }
    streams.push({ level: 'info', stream: new AppendFile(fd, (line) => progress.write(line)) });
  }
  return pino({ base: { pid: process.pid }, level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}
