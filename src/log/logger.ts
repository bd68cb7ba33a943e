import { closeSync, openSync, writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { escapeControls } from '../text/escape.js';
import { type ProgressLine, progressLine, type TerminalStream } from './progress-line.js';
import { formatLogLine } from './text-line.js';

/** `text`: one line a person reads per record (cron mails stderr); `json`: pino's lines, for a log collector. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A logging setting the run cannot start with: a configuration error, reported in one line. */
export class LogSetupError extends Error {}

/** The log format is neither `text` nor `json`. */
export class LogFormatError extends LogSetupError {}

/** The log file cannot be opened for appending (missing directory, no permission, a directory). */
export class LogFileError extends LogSetupError {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot append to the log file: ${escapeControls((cause as Error)?.message ?? String(cause))}`, { cause });
  }
}

/** Unset or empty means `text`; case and surrounding spaces do not matter. */
export function parseLogFormat(text: string | undefined): LogFormat {
  const format = (text ?? '').trim().toLowerCase() || 'text';
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new LogFormatError(`LOG_FORMAT must be text or json (got "${escapeControls(text ?? '')}")`);
}

export interface LoggerOptions {
  stderr: TerminalStream;
  /** The raw `LOG_FORMAT` setting; see `parseLogFormat`. */
  format?: string;
  /** Gets every record from info up as JSON lines, whatever the format. */
  logFile?: string;
  /** Info on stderr even off a terminal. */
  verbose?: boolean;
  /** Shared with the pipeline's progress callback, so log lines are written above it; made here when absent. */
  progress?: ProgressLine;
}

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
      writeSync(this.fd, line);
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

/** Each JSON line pino writes, as the line of the format, through the progress line. */
class StderrLines {
  constructor(
    private readonly format: LogFormat,
    private readonly progress: ProgressLine,
  ) {}
  write(line: string): boolean {
    this.progress.write(this.format === 'json' ? line : `${textOf(line)}\n`);
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
 * Throws a `LogSetupError` for a bad format or an unopenable file, before anything is logged.
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = parseLogFormat(options.format);
  const progress = options.progress ?? progressLine(options.stderr, { enabled: false });
  const stderrLevel = options.verbose || options.stderr.isTTY ? 'info' : 'warn';
  const streams: pino.StreamEntry[] = [{ level: stderrLevel, stream: new StderrLines(format, progress) }];
  if (options.logFile) {
    let fd: number;
    try {
      fd = openSync(options.logFile, 'a');
    } catch (error) {
      throw new LogFileError(options.logFile, error);
    }
    streams.push({ level: 'info', stream: new AppendFile(fd, (line) => progress.write(line)) });
  }
  return pino({ base: { pid: process.pid }, level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}
