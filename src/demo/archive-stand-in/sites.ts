import { HOUR_MS, nightSpanMs, type Telescope } from '../../archive/telescope-night.js';

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

export function darkHours(telescope: Telescope, midnight: number): TimeWindow {
  // The archive's night, by the job's own rule: one implementation.
  const { start } = nightSpanMs(telescope, midnight);
  const [dusk, dawn] = DARK_HOURS_MS[telescope];
  return { start: start + dusk, end: start + dawn };
}
