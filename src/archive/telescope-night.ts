/**
 * Which observing night a file belongs to, by its telescope's rule (docs/archive.md#nights): night D is the one that
 * ends on the morning of date D at the site. Gemini-North counts UT [D 00:00, D+1 00:00); Gemini-South UT
 * [D-1 18:00, D 18:00). The job splits a `nightrange=` answer with this; the archive stand-in answers with it.
 */
import type { Night } from '../domain/night.js';

export const TELESCOPES = ['Gemini-North', 'Gemini-South'] as const;
export type Telescope = (typeof TELESCOPES)[number];

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Where night D ends, counted from UTC midnight of D. */
const NIGHT_END_MS: Record<Telescope, number> = { 'Gemini-North': DAY_MS, 'Gemini-South': 18 * HOUR_MS };

export const isTelescope = (value: unknown): value is Telescope => (TELESCOPES as readonly unknown[]).includes(value);

/** `[start, end)` of the night whose date's UTC midnight is `midnight`, ms since the epoch. */
export function nightSpanMs(telescope: Telescope, midnight: number): { start: number; end: number } {
  const end = midnight + NIGHT_END_MS[telescope];
  return { start: end - DAY_MS, end };
}

/** UTC midnight of the date naming the night that `utMs` falls in (also the date in the file's name). */
export function nightMidnightOf(telescope: Telescope, utMs: number): number {
  return Math.floor((utMs + DAY_MS - NIGHT_END_MS[telescope]) / DAY_MS) * DAY_MS;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]`, the archive's UTC form; NaN for anything else. */
function utMsOf(utDatetime: string): number {
  const match = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?$/.exec(utDatetime.trim());
  if (!match) return Number.NaN;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  // Date.UTC rolls 2026-02-30 over to March: such a stamp is not a real moment.
  if (new Date(ms).toISOString().slice(0, 19) !== `${year}-${month}-${day}T${hour}:${minute}:${second}`) return Number.NaN;
  return ms + Math.floor(Number(fraction ?? 0) * 1000);
}

/**
 * The night a file of this telescope, taken at this UT time, belongs to; null when the entry does not say enough
 * to tell (no known telescope, no readable time): such a file must never be announced under a guessed night.
 */
export function nightOfFile(telescope: string | null, utDatetime: string | null): Night | null {
  if (!isTelescope(telescope) || utDatetime === null) return null;
  const utMs = utMsOf(utDatetime);
  if (Number.isNaN(utMs)) return null;
  return yyyymmdd(nightMidnightOf(telescope, utMs)) as Night;
}

/** `YYYYMMDD` of the date whose UTC midnight is `midnight`. */
export function yyyymmdd(midnight: number): string {
  return new Date(midnight).toISOString().slice(0, 10).replaceAll('-', '');
}
