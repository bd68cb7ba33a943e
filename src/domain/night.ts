import { DateTime } from 'luxon';

declare const nightBrand: unique symbol;
/** An observing night as the archive names it: `YYYYMMDD`, a real calendar date. */
export type Night = string & { readonly [nightBrand]: true };

/** `2026-11-26 08:00:12`: a moment in UTC, to the second, as every report and page shows it. */
export const utcStamp = (date: Date): string => date.toISOString().slice(0, 19).replace('T', ' ');

export class NightError extends Error {}

/** The nights the archive can search: it answers 500 for a night outside these (docs/archive.md#nights). */
const FIRST_NIGHT = '19990101';
const LAST_NIGHT = '21000101';

function namedNight(text: string, utcToday: DateTime): Night | undefined {
  if (text === 'today') return toNight(utcToday);
  if (text === 'yesterday') return toNight(utcToday.minus({ days: 1 }));
  if (/^\d{8}$/.test(text) && DateTime.fromFormat(text, 'yyyyMMdd', { zone: 'utc' }).isValid) return text as Night;
  return undefined;
}

/** `today`/`yesterday` are UTC dates, as the archive computes them; otherwise a real YYYYMMDD the archive can search. */
export function parseNight(text: string, now: Date): Night {
  const night = namedNight(text, DateTime.fromJSDate(now, { zone: 'utc' }).startOf('day'));
  if (night === undefined) throw new NightError(`not a night: "${text}" (use today, yesterday or a real date as YYYYMMDD)`);
  if (night < FIRST_NIGHT || night > LAST_NIGHT) {
    throw new NightError(`the archive has no night ${night}: it searches nights from ${FIRST_NIGHT} to ${LAST_NIGHT}`);
  }
  return night;
}

export function toNight(date: DateTime): Night {
  return date.toUTC().toFormat('yyyyMMdd') as Night;
}

/** The night `days` before (negative) or after (positive) `night`. */
export function shiftNight(night: Night, days: number): Night {
  return toNight(DateTime.fromFormat(night, 'yyyyMMdd', { zone: 'utc' }).plus({ days }));
}

/** The `count` nights before `night`, newest first: none before the archive's first night, which it cannot search. */
export function nightsBefore(night: Night, count: number): Night[] {
  return Array.from({ length: count }, (_, i) => shiftNight(night, -(i + 1))).filter((earlier) => earlier >= FIRST_NIGHT);
}

/** `YYYYMMDD`, or `A..B` for a range of nights. */
export function nightsText(nights: readonly Night[]): string {
  const first = nights[0] ?? '';
  const last = nights.at(-1) ?? first;
  return first === last ? first : `${first}..${last}`;
}

/** The longest `--date A..B` range: a catch-up after an outage, not a re-mailing of a semester. */
const MAX_NIGHT_RANGE = 62;

/** `--date`: one night, or a range `YYYYMMDD..YYYYMMDD` run night by night, oldest first. */
export function parseNights(text: string, now: Date): Night[] {
  const range = /^(.+)\.\.(.+)$/.exec(text);
  if (!range) return [parseNight(text, now)];
  const first = parseNight(range[1] ?? '', now);
  const last = parseNight(range[2] ?? '', now);
  if (first > last) throw new NightError(`the range ${text} ends before it starts`);
  const nights = [first];
  while ((nights.at(-1) as Night) < last) nights.push(shiftNight(nights.at(-1) as Night, 1));
  if (nights.length > MAX_NIGHT_RANGE)
    throw new NightError(`the range ${text} has ${nights.length} nights; at most ${MAX_NIGHT_RANGE} at once`);
  return nights;
}
