/**
 * Which terms the archive reads as a date or a date range (docs/archive.md#dates-in-a-selection). FitsStorage's
 * gemini_date takes `now`, `today`, `yesterday`, `tomorrow`, or whatever python-dateutil's ISO 8601 parser (isoparse)
 * reads, from 1999-01-01 to 2100-01-01; gemini_daterange splits a term in two at `--`, or else at its one `-`. The
 * parser is followed here step by step, quirks included (any character between date and time, Python's int() on each
 * field), so a term the archive takes as a date is never sent as anything else.
 */

/** How the archive reads a term as a date: a date, or one it fails on (an HTTP 500 for the whole search). */
export type DateReading = 'date' | 'server-error';

const SPECIAL_DAYS = new Set(['now', 'today', 'yesterday', 'tomorrow']);

/** A calendar date and a time of day, as the parser builds it; `zoned` when the term named a UTC offset. */
interface Moment {
  readonly fields: readonly [year: number, month: number, day: number, hour: number, minute: number, second: number, micro: number];
  readonly zoned: boolean;
}

/** The archive's DATE_LIMIT_LOW and DATE_LIMIT_HIGH, both included. */
const EARLIEST = [1999, 1, 1, 0, 0, 0, 0] as const;
const LATEST = [2100, 1, 1, 0, 0, 0, 0] as const;

/** The parser gave up: the archive reads no date. */
class NotIso extends Error {}
/** The parser itself broke (a day past year 9999): the archive answers 500. */
class ParserBroke extends Error {}

/** Python's int() of a slice: spaces around, a sign, digits with single underscores between them. */
function pythonInt(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)[ \t\n\v\f\r]*$/.exec(text);
  if (!match) throw new NotIso();
  const value = Number((match[2] ?? '').replaceAll('_', ''));
  return match[1] === '-' ? -value : value;
}

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number): number =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;

/** Days since 0001-01-01 of a proleptic Gregorian date (Python's date.toordinal() - 1). */
function dayNumber(year: number, month: number, day: number): number {
  const y = year - 1;
  let days = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  for (let m = 1; m < month; m++) days += daysIn(year, m);
  return days + day - 1;
}

/** The date `days` after 0001-01-01; ParserBroke outside years 1–9999, as Python's date arithmetic overflows. */
function dateOfDayNumber(days: number): [number, number, number] {
  if (days < 0 || days > dayNumber(9999, 12, 31)) throw new ParserBroke();
  let year = Math.min(9999, Math.floor(days / 365.2425) + 1);
  while (dayNumber(year, 1, 1) > days) year--;
  while (year < 9999 && dayNumber(year + 1, 1, 1) <= days) year++;
  let rest = days - dayNumber(year, 1, 1);
  let month = 1;
  while (rest >= daysIn(year, month)) rest -= daysIn(year, month++);
  return [year, month, rest + 1];
}

function checkedYear(year: number): number {
  if (year < 1 || year > 9999) throw new NotIso();
  return year;
}

/** `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYYMMDD`: the fields as read, not yet checked, and where the date ends. */
function commonDate(text: string): { date: [number, number, number]; end: number } {
  if (text.length < 4) throw new NotIso();
  const year = pythonInt(text.slice(0, 4));
  let at = 4;
  if (at >= text.length) return { date: [year, 1, 1], end: at };
  const dashed = text[at] === '-';
  if (dashed) at++;
  if (text.length - at < 2) throw new NotIso();
  const month = pythonInt(text.slice(at, at + 2));
  at += 2;
  if (at >= text.length) {
    if (dashed) return { date: [year, month, 1], end: at };
    throw new NotIso();
  }
  if (dashed) {
    if (text[at] !== '-') throw new NotIso();
    at++;
  }
  if (text.length - at < 2) throw new NotIso();
  return { date: [year, month, pythonInt(text.slice(at, at + 2))], end: at + 2 };
}

/** `YYYY-Www[-D]`, `YYYYWww[D]` (ISO weeks) and `YYYY-DDD`, `YYYYDDD` (day of the year). */
function uncommonDate(text: string): { date: [number, number, number]; end: number } {
  if (text.length < 4) throw new NotIso();
  const year = pythonInt(text.slice(0, 4));
  const dashed = text[4] === '-';
  let at = dashed ? 5 : 4;
  if (text[at] === 'W') {
    at++;
    const week = pythonInt(text.slice(at, at + 2));
    at += 2;
    let weekday = 1;
    if (text.length > at) {
      if ((text[at] === '-') !== dashed) throw new NotIso();
      if (dashed) at++;
      weekday = pythonInt(text.slice(at, at + 1));
      at++;
    }
    if (week < 1 || week > 53 || weekday < 1 || weekday > 7) throw new NotIso();
    // Week 1 is the week (Monday first) that holds 4 January.
    const jan4 = dayNumber(checkedYear(year), 1, 4);
    const weekOneMonday = jan4 - (jan4 % 7);
    return { date: dateOfDayNumber(weekOneMonday + (week - 1) * 7 + weekday - 1), end: at };
  }
  if (text.length - at < 3) throw new NotIso();
  const ordinal = pythonInt(text.slice(at, at + 3));
  if (ordinal < 1 || ordinal > (isLeap(year) ? 366 : 365)) throw new NotIso();
  return { date: dateOfDayNumber(dayNumber(checkedYear(year), 1, 1) + ordinal - 1), end: at + 3 };
}

/** `Z`, `±HH`, `±HHMM`, `±HH:MM`: true when the term names a UTC offset the parser accepts. */
function utcOffset(text: string): true {
  if (text === 'Z' || text === 'z') return true;
  if (![3, 5, 6].includes(text.length) || !['-', '+'].includes(text[0] ?? '')) throw new NotIso();
  const hours = pythonInt(text.slice(1, 3));
  const minutes = text.length === 3 ? 0 : pythonInt(text.slice(text[3] === ':' ? 4 : 3));
  if ((hours !== 0 || minutes !== 0) && (minutes > 59 || hours > 23)) throw new NotIso();
  return true;
}

/** `hh`, `hhmm`, `hh:mm`, `hhmmss`, `hh:mm:ss`, then a fraction of a second and a UTC offset, each optional. */
function timeOfDay(text: string): { time: [number, number, number, number]; zoned: boolean } {
  if (text.length < 2) throw new NotIso();
  const time: [number, number, number, number] = [0, 0, 0, 0];
  let zoned = false;
  let at = 0;
  let colons = false;
  for (let field = 0; at < text.length && field < 5; field++) {
    if ('-+Zz'.includes(text[at] ?? '')) {
      zoned = utcOffset(text.slice(at));
      at = text.length;
      break;
    }
    if (field === 1 && text[at] === ':') {
      colons = true;
      at++;
    } else if (field === 2 && colons) {
      if (text[at] !== ':') throw new NotIso();
      at++;
    }
    if (field < 3) {
      time[field] = pythonInt(text.slice(at, at + 2));
      at += 2;
    } else if (field === 3) {
      const fraction = /^[.,]([0-9]+)/.exec(text.slice(at));
      if (!fraction) continue;
      time[3] = Number((fraction[1] ?? '').slice(0, 6).padEnd(6, '0'));
      at += fraction[0].length;
    }
  }
  if (at < text.length) throw new NotIso();
  if (time[0] === 24 && time.slice(1).some((value) => value !== 0)) throw new NotIso();
  return { time, zoned };
}

/** The moment an ISO 8601 term names, as dateutil's isoparse reads it (any one character may part date and time). */
function isoMoment(text: string): Moment {
  // The parser takes ASCII only.
  if ([...text].some((char) => char.charCodeAt(0) > 0x7f)) throw new NotIso();
  let parsed: { date: [number, number, number]; end: number };
  try {
    parsed = commonDate(text);
  } catch (error) {
    if (!(error instanceof NotIso)) throw error;
    parsed = uncommonDate(text);
  }
  const { time, zoned }: ReturnType<typeof timeOfDay> =
    parsed.end < text.length ? timeOfDay(text.slice(parsed.end + 1)) : { time: [0, 0, 0, 0], zoned: false };
  const [year, month, day] = parsed.date;
  const [hour, minute, second, micro] = time;
  const valid =
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour >= 0 &&
    hour <= 24 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59;
  if (!valid) throw new NotIso();
  if (hour === 24) return { fields: [...dateOfDayNumber(dayNumber(year, month, day) + 1), 0, minute, second, micro], zoned };
  return { fields: [year, month, day, hour, minute, second, micro], zoned };
}

const compare = (a: readonly number[], b: readonly number[]): number => {
  const at = a.findIndex((value, i) => value !== b[i]);
  return at < 0 ? 0 : (a[at] ?? 0) - (b[at] ?? 0);
};

/** A day, a moment within a day (`now`, or a time past midnight), or one the archive fails on. */
type DateValue = 'day' | 'moment' | 'server-error';

function dateValue(term: string): DateValue | undefined {
  if (SPECIAL_DAYS.has(term)) return term === 'now' ? 'moment' : 'day';
  try {
    const moment = isoMoment(term);
    if (moment.zoned) return 'server-error';
    if (compare(moment.fields, EARLIEST) < 0 || compare(moment.fields, LATEST) > 0) return undefined;
    return moment.fields.slice(3).some((field) => field !== 0) ? 'moment' : 'day';
  } catch (error) {
    if (error instanceof ParserBroke) return 'server-error';
    if (error instanceof NotIso) return undefined;
    throw error;
  }
}

/**
 * How the archive reads a term as one date (gemini_date), if it does. A term naming a UTC offset breaks the archive's
 * comparison with its limits, so the whole search fails with HTTP 500: read as `server-error`.
 */
export function readAsDate(term: string): DateReading | undefined {
  const value = dateValue(term);
  return value === undefined || value === 'server-error' ? value : 'date';
}

/**
 * How the archive reads a term as a range (gemini_daterange): two dates parted by `--`, or else by its only `-`. It
 * fails on an end it fails on, and on ordering a day against a moment.
 */
export function readAsDateRange(term: string): DateReading | undefined {
  let ends = term.split('--');
  if (ends.length !== 2) ends = term.split('-');
  if (ends.length !== 2) return undefined;
  const values = ends.map(dateValue);
  if (values.includes('server-error')) return 'server-error';
  if (values.includes(undefined)) return undefined;
  return values[0] === values[1] ? 'date' : 'server-error';
}

// dateutil's vocabulary (months, weekdays, am/pm, h/m/s, jump words, UTC names): an 8-character term of these and digits may be a date.
const CALENDAR_NAMES = new Set([
  'jan',
  'january',
  'feb',
  'february',
  'mar',
  'march',
  'apr',
  'april',
  'may',
  'jun',
  'june',
  'jul',
  'july',
  'aug',
  'august',
  'sep',
  'sept',
  'september',
  'oct',
  'october',
  'nov',
  'november',
  'dec',
  'december',
  'mon',
  'monday',
  'tue',
  'tuesday',
  'wed',
  'wednesday',
  'thu',
  'thursday',
  'fri',
  'friday',
  'sat',
  'saturday',
  'sun',
  'sunday',
]);
const DATE_PARSER_WORDS = new Set([
  ...CALENDAR_NAMES,
  'am',
  'pm',
  'a',
  'p',
  'h',
  'hour',
  'hours',
  'm',
  'minute',
  'minutes',
  's',
  'second',
  'seconds',
  'at',
  'on',
  'and',
  'ad',
  't',
  'of',
  'st',
  'nd',
  'rd',
  'th',
  'utc',
  'gmt',
  'z',
]);

/**
 * Whether FitsStorage's earlier gemini_date, which a summit server may still run, may accept the term: `today`,
 * `yesterday`, `tomorrow`, or any 8 characters python-dateutil's general parser can read. Over-inclusive on purpose:
 * a false "date" only refuses a term the current archive drops anyway (docs/archive.md#dates-in-a-selection).
 */
export function mightBeDate(text: string): boolean {
  if (text === 'today' || text === 'yesterday' || text === 'tomorrow') return true;
  if ([...text].length !== 8 || /[^\p{L}\p{Nd}\s.,;:'/()+-]/u.test(text)) return false;
  const words = [...text.matchAll(/\p{L}+/gu)];
  // After a number (an hour), an uppercase word of up to 5 letters may be a time zone name.
  const mayBeZone = (word: string, at: number): boolean => /^[A-Z]{1,5}$/.test(word) && /\p{Nd}/u.test(text.slice(0, at));
  const parseable = words.every(({ 0: word, index }) => DATE_PARSER_WORDS.has(word.toLowerCase()) || mayBeZone(word, index));
  return parseable && (/\p{Nd}/u.test(text) || words.some(({ 0: word }) => CALENDAR_NAMES.has(word.toLowerCase())));
}

/** `A-B` where both halves may be dates: the earlier release split at the first `-`. */
export function mightBeDateRange(text: string): boolean {
  const dash = text.indexOf('-');
  return dash >= 0 && mightBeDate(text.slice(0, dash)) && mightBeDate(text.slice(dash + 1));
}
