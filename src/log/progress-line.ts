import { escapeControls } from '../text/escape.js';

/** Back to the start of the line and erase it: what the progress line was is gone before anything else is written. */
const CLEAR = '\r\x1b[2K';

export type TerminalStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * The one line at the bottom of a terminal that says how far a run is, shared by the logger (which writes whole
 * lines through it) and the pipeline (which updates it), so a log line never lands in the middle of it.
 */
export interface ProgressLine {
  /** False when the stream is not a terminal: nothing is drawn, and lines pass straight through. */
  readonly drawn: boolean;
  /** Shows `text` as the progress, replacing what was shown. */
  show(text: string): void;
  /** Writes whole lines above the progress: it is cleared, the lines written, and it is drawn again below them. */
  write(lines: string): void;
  /** Leaves the progress as it last was, ended with a newline; the next `show` starts a new one. */
  end(): void;
}

/**
 * The progress line of `stream`; `enabled: false` (e.g. a JSON report on stdout) turns the drawing off.
 * Off a terminal there is no progress at all: a cron mail or a log file gets no carriage returns.
 */
export function progressLine(stream: TerminalStream, options: { enabled?: boolean } = {}): ProgressLine {
  const drawn = stream.isTTY === true && options.enabled !== false;
  let current: string | null = null;

  // A progress line wider than the terminal wraps, and CLEAR would then erase only its last row.
  const fitted = (text: string) => {
    const shown = escapeControls(text);
    const width = (stream.columns ?? 80) - 1;
    return width > 0 && shown.length > width ? shown.slice(0, width) : shown;
  };

  return {
    drawn,
    show(text) {
      if (!drawn) return;
      const next = fitted(text);
      if (next === current) return;
      stream.write(current === null ? next : `${CLEAR}${next}`);
      current = next;
    },
    write(lines) {
      if (current === null) {
        stream.write(lines);
        return;
      }
      // One write, so nothing else reaches the terminal between the clearing and the redrawing.
      stream.write(`${CLEAR}${lines}${lines.endsWith('\n') ? '' : '\n'}${current}`);
    },
    end() {
      if (current === null) return;
      stream.write('\n');
      current = null;
    },
  };
}
