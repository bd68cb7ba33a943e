/**
 * The archive's selection grammar as the stand-in understands it, written from docs/archive.md#selection-grammar on its
 * own (not from the job's grammar module): it is the oracle the job's guard is tested against.
 */
import { DAY_MS, nightSpanMs, type Telescope } from '../../archive/telescope-night.js';
import { type TimeWindow, utcMidnight } from './sites.js';

/** The archive reads a bare `YYYYMMDD` as a UTC date, a summit FITS server as a night. */
export type ServerRole = 'archive' | 'summit';

/** One file as the stand-in keeps it: the entry, its JSON once, and what searches read. */
export interface StoredEntry {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly json: string;
  /** File name without `.bz2`. */
  readonly name: string;
  /** NaN when `ut_datetime` is missing or unreadable. */
  readonly utMs: number;
  readonly site: Telescope;
}

export type IdField = 'program_id' | 'observation_id' | 'data_label';

/** How the store can find candidates without scanning every file. */
export type Lookup = { kind: 'key'; field: IdField | 'name'; value: string } | { kind: 'ut'; window: TimeWindow };

export interface Constraint {
  accepts(entry: StoredEntry): boolean;
  lookup?: Lookup;
}

export interface Selection {
  constraints: Constraint[];
  /** Constrained by a date, night, program, observation, data label or file name: the larger limit applies. */
  closed: boolean;
  unrecognised: string[];
}

/** A `night=`/`date=` value that is not a real date: the archive answers 500, not a warning. */
export class MalformedTermError extends Error {}

interface Term {
  /** A later term of the same kind replaces an earlier one. */
  kind: string;
  /** Program < observation < data label: a less specific id never replaces a more specific one. */
  rank?: number;
  closes?: boolean;
  /** Called only for the terms kept, when the query runs: the archive checks values only then. */
  constrain(now: number): Constraint | null;
}

type Recogniser = (text: string, role: ServerRole) => Term | undefined;

const ID_RANK: Record<IdField, number> = { program_id: 1, observation_id: 2, data_label: 3 };

const PROGRAM_ID_PATTERNS: readonly RegExp[] = [
  /^G[NS]-20\d\d[AB]-(Q|C|SV|QS|DD|LP|FT|DS)-\d+$/,
  /^G-20\d\d[AB]-\d+-[CDFLQSVP]$/,
  /^G[NS]-(CAL|ENG)20\d\d[01]\d[0123]\d$/,
  /^(CAL|ENG)20\d\d[01]\d[0123]\d$/,
  /^G[NS]-20\d\d[AB]-(CAL|ENG)-\d+$/,
  /^G-20\d\d[AB]-(CAL|ENG|COM|MON)-\w+-\d+$/,
];

const INSTRUMENT_FAMILIES: Readonly<Record<string, readonly string[]>> = { GMOS: ['GMOS-N', 'GMOS-S'] };

function oneOf(...words: string[]): (text: string) => boolean {
  const set = new Set(words);
  return (text) => set.has(text);
}

function sameValue(value: unknown, wanted: string): boolean {
  return value === wanted;
}

interface FieldWord {
  /** Also the term's kind. */
  field: string;
  accepts(text: string): boolean;
  /** Default: the field equals the word. */
  matches?: (value: unknown, word: string) => boolean;
}

/** Words that select on one header field, in the order the archive tries them. */
const FIELD_WORDS: readonly FieldWord[] = [
  { field: 'observation_class', accepts: oneOf('science', 'dayCal', 'partnerCal', 'acqCal', 'acq', 'progCal', 'nightCal') },
  { field: 'observation_type', accepts: oneOf('OBJECT', 'BIAS', 'DARK', 'FLAT', 'ARC', 'PINHOLE', 'RONCHI', 'CAL', 'FRINGE', 'MASK') },
  { field: 'telescope', accepts: oneOf('Gemini-North', 'Gemini-South') },
  {
    field: 'instrument',
    accepts: oneOf(
      'GMOS-N',
      'GMOS-S',
      'GMOS',
      'GNIRS',
      'NIRI',
      'NIFS',
      'F2',
      'GSAOI',
      'GPI',
      'GHOST',
      'IGRINS-2',
      'Alopeke',
      'Zorro',
      'MAROON-X',
      'SCORPIO',
      'michelle',
      'TReCS',
      'NICI',
      'bHROS',
      'hrwfs',
      'PHOENIX',
      'TEXES',
      'OSCIR',
      'GRACES',
      'IGRINS',
    ),
    matches: (value, word) => value === word || (INSTRUMENT_FAMILIES[word]?.includes(value as string) ?? false),
  },
  {
    field: 'reduction',
    accepts: oneOf(
      'RAW',
      'PREPARED',
      'PROCESSED_SCIENCE',
      'PROCESSED_BIAS',
      'PROCESSED_FLAT',
      'PROCESSED_ARC',
      'PROCESSED_DARK',
      'PROCESSED_FRINGE',
      'PROCESSED_STANDARD',
      'PROCESSED_SLITILLUM',
      'PROCESSED_TELLURIC',
      'PROCESSED_BPM',
      'PROCESSED_UNKNOWN',
    ),
  },
  { field: 'detector_binning', accepts: (text) => /^[124]x[124]$/.test(text) },
  { field: 'detector_gain_setting', accepts: oneOf('low', 'high') },
  { field: 'detector_readspeed_setting', accepts: oneOf('slow', 'fast') },
  { field: 'detector_welldepth_setting', accepts: oneOf('Deep', 'Shallow') },
  {
    field: 'detector_readmode_setting',
    accepts: oneOf(
      'Classic',
      'NodAndShuffle',
      'Bright',
      'Medium',
      'Faint',
      'Very_Bright_Objects',
      'Bright_Objects',
      'Faint_Objects',
      'Very_Faint_Objects',
      'Low_Background',
      'Medium_Background',
      'High_Background',
    ),
  },
  // Headers carry the grating with its serial (`B600+_G5307`); the word is the grating alone.
  {
    field: 'disperser',
    accepts: oneOf('MIRROR', 'B480', 'B600', 'R150', 'R400', 'R600', 'R831', 'B1200'),
    matches: (value, word) => typeof value === 'string' && (value === word || value.startsWith(`${word}+`)),
  },
  {
    field: 'focal_plane_mask',
    accepts: (text) => /^(NS)?\d+\.\d+arcsec(XD)?$/.test(text) || /^IFU-(NS-)?[2BR]$/.test(text) || text === 'focus_array_new',
  },
];

/** Flags and modes that select one boolean field. */
const FLAGS: ReadonlyMap<string, { field: string; value: boolean }> = new Map([
  ...['canonical', 'Canonical'].map((word) => [word, { field: 'canonical', value: true }] as const),
  ...['notcanonical', 'NotCanonical'].map((word) => [word, { field: 'canonical', value: false }] as const),
  ...['present', 'Present'].map((word) => [word, { field: 'present', value: true }] as const),
  ...['notpresent', 'NotPresent'].map((word) => [word, { field: 'present', value: false }] as const),
  ['engineering', { field: 'engineering', value: true }],
  ['notengineering', { field: 'engineering', value: false }],
  ['science_verification', { field: 'science_verification', value: true }],
  ['notscience_verification', { field: 'science_verification', value: false }],
  ['AO', { field: 'adaptive_optics', value: true }],
  ['NOTAO', { field: 'adaptive_optics', value: false }],
  ['imaging', { field: 'spectroscopy', value: false }],
  ['spectroscopy', { field: 'spectroscopy', value: true }],
  ['LGS', { field: 'laser_guide_star', value: true }],
  ['NGS', { field: 'laser_guide_star', value: false }],
]);

/** QA words and the states each lets through; null: no QA filter. */
const QA_WORDS: ReadonlyMap<string, ReadonlySet<string> | null> = new Map([
  ['Pass', new Set(['Pass'])],
  ['Usable', new Set(['Usable'])],
  ['Fail', new Set(['Fail'])],
  ['CHECK', new Set(['CHECK'])],
  ['Undefined', new Set(['Undefined'])],
  ['UndefinedQA', new Set(['Undefined'])],
  ['NotFail', new Set(['Pass', 'Usable', 'CHECK', 'Undefined'])],
  ['Win', new Set(['Pass', 'Usable'])],
  ['Lucky', new Set(['Pass', 'Undefined'])],
  ['AnyQA', null],
]);

/** Recognised words whose fields the stand-in's entries do not carry: accepted, never filtering. */
const NO_FILTER_WORDS = oneOf('includeengineering', 'preimage', 'twilight', 'nottwilight', 'photstandard');

/** Searches only list canonical files unless a term says otherwise. */
const CANONICAL_ONLY: Term = booleanTerm('canonical', true);

function fieldTerm(field: string, value: string, matches: (value: unknown, wanted: string) => boolean = sameValue): Term {
  return { kind: field, constrain: () => ({ accepts: (entry) => matches(entry.fields[field], value) }) };
}

/** A missing present/canonical reads as true (every listed file is present and canonical); other flags as false. */
function booleanTerm(field: string, value: boolean): Term {
  const assumed = field === 'present' || field === 'canonical';
  return { kind: field, constrain: () => ({ accepts: (entry) => (entry.fields[field] ?? assumed) === value }) };
}

function noFilterTerm(kind: string): Term {
  return { kind, constrain: () => null };
}

function idTerm(field: IdField, value: string): Term {
  return {
    kind: 'id',
    rank: ID_RANK[field],
    closes: true,
    constrain: () => ({ accepts: (entry) => entry.fields[field] === value, lookup: { kind: 'key', field, value } }),
  };
}

function fileNameTerm(value: string): Term {
  const name = value.replace(/\.bz2$/, '');
  return {
    kind: 'filename',
    closes: true,
    constrain: () => ({ accepts: (entry) => entry.name === name, lookup: { kind: 'key', field: 'name', value: name } }),
  };
}

function filePrefixTerm(prefix: string): Term {
  return { kind: 'filepre', constrain: () => ({ accepts: (entry) => entry.name.startsWith(prefix) }) };
}

/** Case-insensitive, `*` a wildcard, as the archive's object search. */
function objectTerm(pattern: string): Term {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  const regex = new RegExp(`^${escaped}$`, 'i');
  return {
    kind: 'object',
    constrain: () => ({ accepts: (entry) => typeof entry.fields.object === 'string' && regex.test(entry.fields.object) }),
  };
}

function qaTerm(states: ReadonlySet<string> | null): Term {
  return { kind: 'qa_state', constrain: () => (states ? { accepts: (entry) => states.has(entry.fields.qa_state as string) } : null) };
}

function isProgramId(text: string): boolean {
  return PROGRAM_ID_PATTERNS.some((pattern) => pattern.test(text));
}

/** Program id, `<progid>-<n>` observation id or `<progid>-<n>-<nnn>[-suffix]` data label. */
function idFieldOf(text: string): IdField | undefined {
  if (isProgramId(text)) return 'program_id';
  const parts = text.split('-');
  const isNumber = (part: string | undefined) => part !== undefined && /^\d+$/.test(part);
  for (let cut = 1; cut < parts.length; cut++) {
    if (!isProgramId(parts.slice(0, cut).join('-')) || !isNumber(parts[cut])) continue;
    if (parts.length === cut + 1) return 'observation_id';
    if (isNumber(parts[cut + 1])) return 'data_label';
  }
  return undefined;
}

type DateBasis = 'utc' | 'night';

/** UTC midnight of `YYYYMMDD`, `today` or `yesterday` (UTC dates), or null. */
function dayOf(text: string, now: number): number | null {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  if (text === 'today') return today;
  if (text === 'yesterday') return today - DAY_MS;
  return utcMidnight(text);
}

/** The span of each site: UTC dates are the same everywhere, nights are the site's. */
function windowOf(site: Telescope, first: number, last: number, basis: DateBasis): TimeWindow {
  if (basis === 'utc') return { start: first, end: last + DAY_MS };
  return { start: nightSpanMs(site, first).start, end: nightSpanMs(site, last).end };
}

function dayConstraint(first: number, last: number, basis: DateBasis): Constraint {
  const north = windowOf('Gemini-North', first, last, basis);
  const south = windowOf('Gemini-South', first, last, basis);
  return {
    accepts: (entry) => {
      const window = entry.site === 'Gemini-South' ? south : north;
      return entry.utMs >= window.start && entry.utMs < window.end;
    },
    lookup: { kind: 'ut', window: { start: Math.min(north.start, south.start), end: Math.max(north.end, south.end) } },
  };
}

/** `date`/`night` take one day, `daterange`/`nightrange` `A-B` (either order). */
function dateTerm(kind: string, value: string, basis: DateBasis, range: boolean): Term {
  return {
    kind,
    closes: true,
    constrain: (now) => {
      const ends = range ? value.split('-') : [value];
      const days = ends.map((end) => dayOf(end, now));
      if (days.length !== (range ? 2 : 1) || days.some((day) => day === null)) {
        throw new MalformedTermError(`${kind}=${value}: not a valid ${range ? 'date range' : 'date'}`);
      }
      const [first, last] = [Math.min(...(days as number[])), Math.max(...(days as number[]))];
      return dayConstraint(first, last, basis);
    },
  };
}

const KEYED_TERMS: ReadonlyMap<string, (value: string, key: string) => Term> = new Map([
  ['date', (value: string) => dateTerm('date', value, 'utc', false)],
  ['daterange', (value: string) => dateTerm('daterange', value, 'utc', true)],
  ['night', (value: string) => dateTerm('night', value, 'night', false)],
  ['nightrange', (value: string) => dateTerm('nightrange', value, 'night', true)],
  ['progid', (value: string) => idTerm('program_id', value)],
  ['obsid', (value: string) => idTerm('observation_id', value)],
  ['datalabel', (value: string) => idTerm('data_label', value)],
  ['filename', fileNameTerm],
  ['filepre', filePrefixTerm],
  ['object', objectTerm],
  ['filter', (value: string) => fieldTerm('filter_name', value)],
  ['disperser', (value: string) => fieldTerm('disperser', value)],
  ['mask', (value: string) => fieldTerm('focal_plane_mask', value)],
  ['camera', (value: string) => fieldTerm('camera', value)],
  ...['cols', 'ra', 'dec', 'sr', 'az', 'el', 'crpa', 'cenwlen', 'exposure_time'].map(
    (key) => [key, (_value: string, keyName: string) => noFilterTerm(keyName)] as const,
  ),
]);

const recogniseWord: Recogniser = (text) => {
  const word = FIELD_WORDS.find((candidate) => candidate.accepts(text));
  return word && fieldTerm(word.field, text, word.matches);
};

const recogniseKeyed: Recogniser = (text) => {
  const split = text.indexOf('=');
  if (split < 0) return undefined;
  const key = text.slice(0, split);
  return KEYED_TERMS.get(key)?.(text.slice(split + 1), key);
};

const recogniseFlag: Recogniser = (text) => {
  const flag = FLAGS.get(text);
  if (flag) return booleanTerm(flag.field, flag.value);
  if (QA_WORDS.has(text)) return qaTerm(QA_WORDS.get(text) ?? null);
  return NO_FILTER_WORDS(text) ? noFilterTerm(text) : undefined;
};

const recogniseId: Recogniser = (text) => {
  const field = idFieldOf(text);
  return field && idTerm(field, text);
};

const isSpectroscopyMode = oneOf('LS', 'MOS', 'IFS');

const recogniseMode: Recogniser = (text) => (isSpectroscopyMode(text) ? fieldTerm('mode', text) : undefined);

const recogniseFile: Recogniser = (text) => {
  if (/^[A-Za-z]*[NS]\d{8}S\d{4}(_\w+)?\.fits(\.bz2)?$/.test(text)) return fileNameTerm(text);
  // Shorter than a full name, so `N20240115S0001` alone is not a prefix.
  return text.length < 14 && /^[NS]20\d\d/.test(text) ? filePrefixTerm(text) : undefined;
};

const recogniseBareDate: Recogniser = (text, role) => {
  const basis: DateBasis = role === 'archive' ? 'utc' : 'night';
  if (/^(19|20)\d\d[01]\d[0-3]\d$/.test(text) || text === 'today' || text === 'yesterday') {
    return dateTerm(basis === 'utc' ? 'date' : 'night', text, basis, false);
  }
  return /^\d{8}-\d{8}$/.test(text) ? dateTerm(basis === 'utc' ? 'daterange' : 'nightrange', text, basis, true) : undefined;
};

/** In the order the archive tries them: the first that recognises a term decides what it means. */
const RECOGNISERS: readonly Recogniser[] = [
  recogniseWord,
  recogniseKeyed,
  recogniseFlag,
  recogniseId,
  recogniseMode,
  recogniseFile,
  recogniseBareDate,
];

function recognise(text: string, role: ServerRole): Term | undefined {
  for (const recogniser of RECOGNISERS) {
    const term = recogniser(text, role);
    if (term) return term;
  }
  return undefined;
}

/**
 * Reads the path terms of a search. Unrecognised terms are dropped and listed, as the archive does.
 * Throws MalformedTermError for a kept date term whose value is not a date.
 */
export function readSelection(terms: readonly string[], role: ServerRole, now: number): Selection {
  const kept = new Map<string, Term>();
  const unrecognised: string[] = [];
  for (const text of terms) {
    const term = recognise(text, role);
    if (!term) {
      unrecognised.push(text);
      continue;
    }
    const earlier = kept.get(term.kind);
    if (!earlier || (term.rank ?? 0) >= (earlier.rank ?? 0)) kept.set(term.kind, term);
  }
  if (!kept.has('canonical')) kept.set('canonical', CANONICAL_ONLY);
  const chosen = [...kept.values()];
  return {
    constraints: chosen.map((term) => term.constrain(now)).filter((constraint) => constraint !== null),
    closed: chosen.some((term) => term.closes),
    unrecognised,
  };
}
