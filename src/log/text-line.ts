import { utcStamp } from '../domain/night.js';
import { escapeControls } from '../text/escape.js';
import { clip } from '../text/words.js';

/** pino's numeric levels, as a person reads them. */
const LEVEL_WORDS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The fields worth a reader's eye, in the order shown; the rest (pid, hostname, messageId, the archive's base URL)
 * stay in the JSON log file for whoever digs deeper.
 */
const SHOWN_FIELDS = [
  'night',
  'mode',
  'dryRun',
  'status',
  'attempt',
  'exitCode',
  'totals',
  'recipient',
  'reply',
  'to',
  'cc',
  'errorsTo',
  'files',
  'url',
  'err',
] as const;

const MESSAGE_LIMIT = 1_000;
const VALUE_LIMIT = 300;
const LIST_LIMIT = 3;

function levelWord(level: unknown): string {
  if (typeof level === 'number') return LEVEL_WORDS[level] ?? `LEVEL${level}`;
  if (typeof level === 'string' && level) return escapeControls(level.toUpperCase());
  return '-';
}

/** pino writes epoch milliseconds by default and an ISO string with `isoTime`: both shown as UTC to the second. */
function timeOf(time: unknown): string | null {
  if (typeof time !== 'number' && typeof time !== 'string') return null;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : utcStamp(date);
}

/** A string that holds spaces or quotes is quoted, so the next `key=` is never mistaken for part of it; an `=` is harmless. */
function quoted(text: string): string {
  const shown = escapeControls(clip(text, VALUE_LIMIT));
  return /[\s"]/.test(shown) ? `"${shown.replace(/"/g, '\\"')}"` : shown;
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : quoted(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : null;
  return null;
}

/** An error by its message alone: a stack is for the log file, not for a cron mail. */
function errorMessage(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return value.message;
  return null;
}

/** `false`, null, empty strings, lists and objects say nothing and are left out (null). */
function shown(key: string, value: unknown): string | null {
  if (key === 'err') {
    const message = errorMessage(value);
    return message ? quoted(message) : null;
  }
  if (Array.isArray(value)) {
    const items = value.map(scalar).filter((item): item is string => item !== null);
    if (items.length === 0) return null;
    const rest = items.length - LIST_LIMIT;
    return items.slice(0, LIST_LIMIT).join(',') + (rest > 0 ? `,…(+${rest})` : '');
  }
  if (value && typeof value === 'object') {
    const pairs = Object.entries(value)
      .map(([name, inner]) => {
        const text = scalar(inner);
        return text === null ? null : `${quoted(name)}:${text}`;
      })
      .filter((pair): pair is string => pair !== null);
    return pairs.length === 0 ? null : pairs.join(',');
  }
  return scalar(value);
}

/**
 * One pino record as one line a person reads in a cron mail or on a terminal:
 * `2026-11-26 08:00:12 WARN  #17 GN-2026B-Q-101: archive search failed: timeout night=20261125 status=failed`.
 * Everything from the record is escaped: labels, selections and archive answers are typed by people.
 */
export function formatLogLine(record: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const time = timeOf(record.time);
  if (time) parts.push(time);
  parts.push(levelWord(record.level).padEnd(5));
  const id = record.notification;
  if (typeof id === 'number' || typeof id === 'string') {
    const selection =
      typeof record.selection === 'string' && record.selection !== '' ? ` ${escapeControls(clip(record.selection, 120))}` : '';
    parts.push(`#${escapeControls(String(id))}${selection}:`);
  }
  const message = typeof record.msg === 'string' ? record.msg : (errorMessage(record.err) ?? '');
  if (message) parts.push(escapeControls(clip(message, MESSAGE_LIMIT)));
  for (const key of SHOWN_FIELDS) {
    if (key === 'err' && message && message === errorMessage(record.err)) continue;
    const value = shown(key, record[key]);
    if (value !== null) parts.push(`${key}=${value}`);
  }
  return parts.join(' ');
}
