import { nightMidnightOf, nightSpanMs, type Telescope } from '../../archive/telescope-night.js';

export { TELESCOPES, type Telescope } from '../../archive/telescope-night.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Hours of darkness, from the start of the site's archive night (about 19:00–06:00 in Hawaii, 21:00–06:00 in Chile). */
const DARK_HOURS_MS: Record<Telescope, readonly [number, number]> = {
  'Gemini-North': [5 * HOUR_MS, 16 * HOUR_MS],
  'Gemini-South': [6 * HOUR_MS, 15 * HOUR_MS],
};

export const LOCAL_ZONE: Record<Telescope, string> = {
  'Gemini-North': 'Pacific/Honolulu',
  'Gemini-South': 'America/Santiago',
};

export interface TimeWindow {
  /** Inclusive, ms since the epoch. */
  start: number;
  /** Exclusive. */
  end: number;
}

/** Anything not Gemini-South (other telescopes, nulls) counts by the UT date, as Gemini-North does. */
export function siteOf(telescope: unknown): Telescope {
  return telescope === 'Gemini-South' ? 'Gemini-South' : 'Gemini-North';
}

/** GS- programs observe in Chile; GN-, GPP `G-` and bare CAL/ENG ids default to Hawaii. */
export function telescopeOfProgram(programId: string): Telescope {
  return programId.startsWith('GS') ? 'Gemini-South' : 'Gemini-North';
}

/** UTC midnight of `YYYYMMDD`, or null when it is not a real calendar date. */
export function utcMidnight(yyyymmdd: string): number | null {
  if (!/^\d{8}$/.test(yyyymmdd)) return null;
  const [year, month, day] = [yyyymmdd.slice(0, 4), yyyymmdd.slice(4, 6), yyyymmdd.slice(6)].map(Number) as [number, number, number];
  const midnight = Date.UTC(year, month - 1, day);
  const date = new Date(midnight);
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? midnight : null;
}

export function yyyymmdd(midnight: number): string {
  return new Date(midnight).toISOString().slice(0, 10).replaceAll('-', '');
}

/** The archive night named by the date whose UTC midnight is `midnight` (the job's own rule: one implementation). */
export const nightWindow = (telescope: Telescope, midnight: number): TimeWindow => nightSpanMs(telescope, midnight);

/** UTC midnight of the date naming the night `utMs` falls in (also the date in the file's name). */
export const nightOf = (telescope: Telescope, utMs: number): number => nightMidnightOf(telescope, utMs);

export function darkHours(telescope: Telescope, midnight: number): TimeWindow {
  const { start } = nightWindow(telescope, midnight);
  const [dusk, dawn] = DARK_HOURS_MS[telescope];
  return { start: start + dusk, end: start + dawn };
}
