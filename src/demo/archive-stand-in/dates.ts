/**
 * Dates as the archive reads them in a search, written from docs/archive.md#dates-in-a-selection on its own (not from
 * the job's module): the stand-in is the oracle the job's date reading is tested against. Each form of the table is a
 * pattern of fixed-width slots; a slot holds a number as Python's int() reads it.
 */

/** A date term: its moment in ms (UTC), `timed` unless it is a midnight; `broken` when the archive fails on it. */
export type ArchiveDate = { kind: 'moment'; ms: number; timed: boolean } | { kind: 'broken' };

/** The archive's date limits, both included. */
const EARLIEST_MS = Date.UTC(1999, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);
const DAY = 86_400_000;

/** A number in Python's int() form: spaces around it, a sign, digits with single underscores between them. */
function slot(text: string | undefined): number | null {
  return text !== undefined && /^ *[+-]?\d+(?:_\d+)* *$/.test(text) ? Number(text.replace(/[ _]/g, '')) : null;
}

/** The day `days` after 1 January of `year` (any year from 1 to 9999), as ms. */
function dayOfYear(year: number, days: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, 0, 1 + days);
  return date.getTime();
}

const yearOf = (ms: number): number => new Date(ms).getUTCFullYear();

interface Day {
  /** [year, month, day], checked only when the moment is built; or the day in ms (weeks and days of the year). */
  parts: [number, number, number] | number;
  /** What follows the date: a separator and a time of day, or nothing. */
  rest: string;
}

/** `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYYMMDD`, in that order; undefined when none fits. */
function calendarDay(text: string): Day | undefined {
  const forms: [RegExp, (m: string[]) => [number | null, number | null, number | null]][] = [
    [/^(.{4})()$/, (m) => [slot(m[1]), 1, 1]],
    [/^(.{4})-(.{2})()$/, (m) => [slot(m[1]), slot(m[2]), 1]],
    [/^(.{4})-(.{2})-(.{2})([\s\S]*)$/, (m) => [slot(m[1]), slot(m[2]), slot(m[3])]],
    [/^(.{4})([^-].)(.{2})([\s\S]*)$/, (m) => [slot(m[1]), slot(m[2]), slot(m[3])]],
  ];
  for (const [form, read] of forms) {
    const match = form.exec(text);
    if (!match) continue;
    const [year, month, day] = read(match);
    if (year === null || month === null || day === null) return undefined;
    return { parts: [year, month, day], rest: match.at(-1) ?? '' };
  }
  return undefined;
}

/** `YYYY-Www[-D]`, `YYYYWww[D]` and `YYYY-DDD`, `YYYYDDD`; 'broken' past year 9999; undefined when none fits. */
function otherDay(text: string): Day | 'broken' | undefined {
  const year = slot(text.slice(0, 4));
  if (text.length < 4 || year === null) return undefined;
  const dash = text[4] === '-' ? '-' : '';
  const body = text.slice(4 + dash.length);
  if (body.startsWith('W')) {
    const week = new RegExp(`^W(.{1,2})$|^W(.{2})${dash}([^-])([\\s\\S]*)$`).exec(body);
    const number = slot(week?.[1] ?? week?.[2]);
    const weekday = week?.[3] === undefined ? 1 : slot(week[3]);
    if (!week || number === null || weekday === null || number < 1 || number > 53 || weekday < 1 || weekday > 7) return undefined;
    if (year < 1 || year > 9999) return undefined;
    const jan4 = dayOfYear(year, 3);
    const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
    const ms = monday + ((number - 1) * 7 + weekday - 1) * DAY;
    if (yearOf(ms) < 1 || yearOf(ms) > 9999) return 'broken';
    return { parts: ms, rest: week[4] ?? '' };
  }
  const ordinal = /^(.{3})([\s\S]*)$/.exec(body);
  const day = slot(ordinal?.[1]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (!ordinal || day === null || day < 1 || day > (leap ? 366 : 365) || year < 1 || year > 9999) return undefined;
  return { parts: dayOfYear(year, day - 1), rest: ordinal[2] ?? '' };
}

/** A UTC offset: `Z`, `±hh`, `±hhmm`, `±hh:mm` (six characters without a colon: three minute digits). */
function isOffset(text: string): boolean {
  if (text === 'Z' || text === 'z') return true;
  if (!/^[-+]/.test(text) || ![3, 5, 6].includes(text.length)) return false;
  const hours = slot(text.slice(1, 3));
  const minutes = text.length === 3 ? 0 : slot(text.slice(text[3] === ':' ? 4 : 3));
  if (hours === null || minutes === null) return false;
  return (hours === 0 && minutes === 0) || (minutes <= 59 && hours <= 23);
}

// The time forms, with colons or without; an offset may start wherever the next field would. A field of two
// characters may be one when the text ends there (the archive reads two characters, or what is left).
const TIME_WITH_COLONS = /^(?:(?<h>(?![-+Zz]).{2})(?::(?<m>.{2}|.$)(?::(?<s>.{2}|.$)(?:[.,](?<f>\d+))?)?)?)?(?<tz>[-+Zz][\s\S]*)?$/;
const TIME_WITHOUT =
  /^(?:(?<h>(?![-+Zz]).{2})(?:(?<m>(?![-+Zz:])(?:.{2}|.$))(?:(?<s>(?![-+Zz])(?:.{2}|.$))(?:[.,](?<f>\d+))?)?)?)?(?<tz>[-+Zz][\s\S]*)?$/;

/** `hh[[:]mm[[:]ss[.fff]]]`, then an optional offset: [hour, minute, second, microsecond] and whether zoned. */
function timeOfDay(text: string): { fields: number[]; zoned: boolean } | undefined {
  const groups = text.length < 2 ? undefined : (text[2] === ':' ? TIME_WITH_COLONS : TIME_WITHOUT).exec(text)?.groups;
  if (!groups) return undefined;
  const fields = [groups.h, groups.m, groups.s].map((field) => (field === undefined ? 0 : slot(field)));
  if (fields.some((field) => field === null)) return undefined;
  if (groups.tz !== undefined && !isOffset(groups.tz)) return undefined;
  const micro = Number((groups.f ?? '0').slice(0, 6).padEnd(6, '0'));
  return { fields: [...(fields as number[]), micro], zoned: groups.tz !== undefined };
}

/** How the archive reads a term as one date: its moment, `broken` (HTTP 500 for the search), or undefined. */
export function archiveDate(text: string, now: number): ArchiveDate | undefined {
  const today = Math.floor(now / DAY) * DAY;
  const special: Record<string, number> = { now, today, yesterday: today - DAY, tomorrow: today + DAY };
  // `now` is a moment, the others days.
  if (Object.hasOwn(special, text)) return { kind: 'moment', ms: special[text] ?? now, timed: text === 'now' };
  if (/[^\x20-\x7e]/.test(text)) return undefined;
  const day = calendarDay(text) ?? otherDay(text);
  if (day === undefined) return undefined;
  if (day === 'broken') return { kind: 'broken' };
  const time = day.rest === '' ? { fields: [0, 0, 0, 0], zoned: false } : timeOfDay(day.rest.slice(1));
  if (time === undefined) return undefined;
  const [hour = 0, minute = 0, second = 0, micro = 0] = time.fields;
  if (hour > 24 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (hour === 24 && (minute > 0 || second > 0 || micro > 0)) return undefined;
  let dayMs: number;
  if (typeof day.parts === 'number') dayMs = day.parts;
  else {
    const [year, month, date] = day.parts;
    if (year < 1 || year > 9999 || month < 1 || month > 12 || date < 1) return undefined;
    dayMs = dayOfYear(year, 0);
    const first = new Date(dayMs);
    first.setUTCMonth(month - 1, date);
    if (first.getUTCMonth() !== month - 1) return undefined;
    dayMs = first.getTime();
  }
  const ms = dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + micro / 1000;
  if (hour === 24 && yearOf(ms) > 9999) return { kind: 'broken' };
  // A zoned moment cannot be compared with the archive's limits: the search fails.
  if (time.zoned) return { kind: 'broken' };
  if (ms < EARLIEST_MS || ms > LATEST_MS) return undefined;
  return { kind: 'moment', ms, timed: ms % DAY !== 0 };
}

type Moment = Extract<ArchiveDate, { kind: 'moment' }>;

/**
 * Both ends of a range (`A--B`, or `A-B` with its only `-`), earlier first. `broken` when the archive fails on it: on
 * an end, or on comparing a day with a moment (a timed end beside an untimed one).
 */
export function archiveRange(text: string, now: number): [Moment, Moment] | 'broken' | undefined {
  const halves = text.split('--').length === 2 ? text.split('--') : text.split('-');
  if (halves.length !== 2) return undefined;
  const [first, last] = halves.map((half) => archiveDate(half, now));
  if (first?.kind === 'broken' || last?.kind === 'broken') return 'broken';
  if (!first || !last) return undefined;
  if (first.timed !== last.timed) return 'broken';
  return first.ms <= last.ms ? [first, last] : [last, first];
}
