/**
 * The archive's selection grammar as the stand-in understands it, written from docs/archive.md#selection-grammar on its
 * own (not from the job's grammar module): it is the oracle the job's guard is tested against. Its vocabulary is the
 * archive's; words whose fields the stand-in's entries do not carry are recognised and filter nothing.
 */
import { DAY_MS, isTelescope, nightSpanMs, type Telescope } from '../../archive/telescope-night.js';
import { archiveDate, archiveRange } from './dates.js';
import type { TimeWindow } from './sites.js';

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
  /** The program, observation or data label kept, if any. */
  scope: { field: IdField; value: string } | null;
  /** The date and night kinds kept (`date`, `daterange`, `night`, `nightrange`). */
  dates: string[];
}

/** A date value the archive cannot read, or a term it fails on: the archive answers 500, not a warning. */
export class MalformedTermError extends Error {}

interface Term {
  /** A later term of the same kind replaces an earlier one. */
  kind: string;
  /** Program < observation < data label: a less specific id never replaces a more specific one. */
  rank?: number;
  closes?: boolean;
  /** The id it confines the search to. */
  scope?: { field: IdField; value: string };
  /** Called only for the terms kept, when the query runs: the archive checks values only then. */
  constrain(now: number): Constraint | null;
}

type Recogniser = (text: string, role: ServerRole, now: number) => Term | undefined;

const ID_RANK: Record<IdField, number> = { program_id: 1, observation_id: 2, data_label: 3 };

const words = (...list: string[]): ReadonlySet<string> => new Set(list);

// The archive's patterns are Python's: a digit is any decimal digit, a word character any letter, digit or `_`.
const D = String.raw`\p{Nd}`;
const W = String.raw`[\p{L}\p{N}_]`;
const whole = (source: string): RegExp => new RegExp(`^(?:${source})$`, 'u');

const PROGRAM_ID_PATTERNS: readonly RegExp[] = [
  `G[NS]-20${D}${D}[AB]-(?:Q|C|SV|QS|DD|LP|FT|DS)-${D}+`,
  `G-20${D}${D}[AB]-${D}+-[CDFLQSVP]`,
  `G[NS]-(?:CAL|ENG)20${D}${D}[01]${D}[0123]${D}`,
  `(?:CAL|ENG)20${D}${D}[01]${D}[0123]${D}`,
  `G[NS]-20${D}${D}[AB]-(?:CAL|ENG)-${D}+`,
  `G-20${D}${D}[AB]-(?:CAL|ENG|COM|MON)-${W}+-${D}+`,
].map(whole);

const NUMBER = whole(`${D}+`);
const SUFFIX_PART = whole(`[A-Za-z]${W}*`);

function isProgramId(text: string): boolean {
  return PROGRAM_ID_PATTERNS.some((pattern) => pattern.test(text));
}

/** `<program>-<n>` is an observation; `<program>-<n>-<n>[-<n>]` then `-<word>` parts is a data label. */
function idFieldOf(text: string): IdField | undefined {
  if (isProgramId(text)) return 'program_id';
  const parts = text.split('-');
  for (let cut = 1; cut < parts.length; cut++) {
    if (!isProgramId(parts.slice(0, cut).join('-'))) continue;
    const rest = parts.slice(cut);
    if (rest.length === 1 && NUMBER.test(rest[0] ?? '')) return 'observation_id';
    const numbers = rest.findIndex((part) => !NUMBER.test(part));
    const count = numbers < 0 ? rest.length : numbers;
    const label = count === 2 || count === 3;
    if (label && rest.slice(count).every((part) => SUFFIX_PART.test(part))) return 'data_label';
  }
  return undefined;
}

function sameValue(value: unknown, wanted: string): boolean {
  return value === wanted;
}

function fieldTerm(field: string, value: string, matches: (value: unknown, wanted: string) => boolean = sameValue): Term {
  return { kind: field, constrain: () => ({ accepts: (entry) => matches(entry.fields[field], value) }) };
}

/** A missing present/canonical reads as true (every listed file is present and canonical); other flags as false. */
function booleanTerm(field: string, value: boolean): Term {
  const assumed = field === 'present' || field === 'canonical';
  return { kind: field, constrain: () => ({ accepts: (entry) => (entry.fields[field] ?? assumed) === value }) };
}

/** Recognised, but selecting on something the stand-in's entries do not carry. */
function noFilterTerm(kind: string): Term {
  return { kind, constrain: () => null };
}

function idTerm(field: IdField, value: string): Term {
  return {
    kind: 'id',
    rank: ID_RANK[field],
    closes: true,
    scope: { field, value },
    constrain: () => ({ accepts: (entry) => entry.fields[field] === value, lookup: { kind: 'key', field, value } }),
  };
}

/** The archive lists a file by its name with `.fits`, never `.bz2`. */
function fileNameTerm(value: string): Term {
  const bare = value.replace(/\.bz2$/, '');
  const name = bare.endsWith('.fits') ? bare : `${bare}.fits`;
  return {
    kind: 'filename',
    closes: true,
    constrain: () => ({ accepts: (entry) => entry.name === name, lookup: { kind: 'key', field: 'name', value: name } }),
  };
}

function filePrefixTerm(prefix: string): Term {
  return { kind: 'filepre', closes: true, constrain: () => ({ accepts: (entry) => entry.name.startsWith(prefix) }) };
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

/** QA words and the states each lets through; null: no QA filter. */
const QA_WORDS: ReadonlyMap<string, ReadonlySet<string> | null> = new Map([
  ['Pass', words('Pass')],
  ['Usable', words('Usable')],
  ['Fail', words('Fail')],
  ['CHECK', words('CHECK')],
  ['UndefinedQA', words('Undefined')],
  ['NotFail', words('Pass', 'Usable', 'CHECK', 'Undefined')],
  ['Win', words('Pass', 'Usable')],
  ['Lucky', words('Pass', 'Undefined')],
  ['AnyQA', null],
]);

function qaTerm(word: string): Term {
  const states = QA_WORDS.get(word) ?? null;
  return { kind: 'qa_state', constrain: () => (states ? { accepts: (entry) => states.has(entry.fields.qa_state as string) } : null) };
}

/** A word list, and the header field its words select on (none: the stand-in's entries lack it). */
interface WordTest {
  kind: string;
  field?: string;
  /** The word as the archive names it, or undefined when it is not one of these. */
  read(text: string): string | undefined;
  matches?: (value: unknown, word: string) => boolean;
}

const exactly =
  (list: ReadonlySet<string>) =>
  (text: string): string | undefined =>
    list.has(text) ? text : undefined;

const INSTRUMENT_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'NIRI',
    'NIFS',
    'GMOS-N',
    'GMOS-S',
    'michelle',
    'GNIRS',
    'GHOST',
    'PHOENIX',
    'TEXES',
    'TReCS',
    'NICI',
    'IGRINS-2',
    'IGRINS',
    'GSAOI',
    'OSCIR',
    'F2',
    'GPI',
    'ABU',
    'bHROS',
    'hrwfs',
    'FLAMINGOS',
    'CIRPASS',
    'GRACES',
    'ALOPEKE',
    'ZORRO',
    'MAROON-X',
  ].map((name) => [name.toLowerCase(), name]),
);

const GMOS_MASKS = words(
  'NS2.0arcsec',
  'IFU-R',
  'IFU-B',
  'focus_array_new',
  'Imaging',
  '2.0arcsec',
  'NS1.0arcsec',
  'NS0.75arcsec',
  '5.0arcsec',
  '1.5arcsec',
  'IFU-2',
  'NS1.5arcsec',
  '0.75arcsec',
  '1.0arcsec',
  '0.5arcsec',
);
const MOS_MASK = new RegExp(`^G[NS]?20${D}${D}[ABFDLWVSX].${D}{3}-${D}${D}$|^G20${D}${D}[AB]${D}{4}[CDFLQSV]-${D}${D}$`, 'u');

const GHOST_READSPEEDS = ['fast', 'medium', 'slow'].flatMap((red) => ['fast', 'medium', 'slow'].map((blue) => `red:${red},blue:${blue}`));

/** The word tests before the `key=value` terms, in the order the archive tries them. */
const WORD_TESTS: readonly WordTest[] = [
  {
    kind: 'telescope',
    field: 'telescope',
    read: (text) => ({ gemininorth: 'Gemini-North', geminisouth: 'Gemini-South' })[text.toLowerCase().replace(/[-_]/g, '')],
  },
  {
    kind: 'observation_type',
    field: 'observation_type',
    read: exactly(
      words('DARK', 'ARC', 'FLAT', 'BIAS', 'OBJECT', 'PINHOLE', 'RONCHI', 'CAL', 'FRINGE', 'MASK', 'STANDARD', 'SLITILLUM', 'BPM'),
    ),
  },
  {
    kind: 'observation_class',
    field: 'observation_class',
    read: exactly(words('dayCal', 'partnerCal', 'acqCal', 'acq', 'science', 'progCal', 'nightCal')),
  },
  {
    kind: 'caltype',
    read: exactly(
      words(
        'bias',
        'processed_bias',
        'dark',
        'processed_dark',
        'processed_bpm',
        'flat',
        'processed_flat',
        'arc',
        'processed_arc',
        'pinhole',
        'processed_pinhole',
        'processed_fringe',
        'ronchi_mask',
        'lampoff_flat',
        'qh_flat',
        'domeflat',
        'lampoff_domeflat',
        'mask',
        'slitillum',
        'processed_slitillum',
        'standard',
        'processed_standard',
        'telluric',
        'processed_telluric',
        'polarization_standard',
        'astrometric_standard',
        'polarization_flat',
        'specphot',
        'photometric_standard',
        'processed_slit',
        'processed_slitflat',
      ),
    ),
  },
  { kind: 'processing', read: exactly(words('Failed', 'Raw', 'Quick-Look', 'Quality-Assessment', 'Science-Quality')) },
  {
    kind: 'reduction',
    field: 'reduction',
    read: exactly(
      words(
        'RAW',
        'PREPARED',
        'PROCESSED_FLAT',
        'PROCESSED_BIAS',
        'PROCESSED_FRINGE',
        'PROCESSED_ARC',
        'PROCESSED_DARK',
        'PROCESSED_TELLURIC',
        'PROCESSED_SCIENCE',
        'PROCESSED_BPM',
        'PROCESSED_STANDARD',
        'PROCESSED_SLITILLUM',
        'PROCESSED_PINHOLE',
        'PROCESSED_UNKNOWN',
      ),
    ),
  },
  // Headers carry the grating with its serial (`B600+_G5307`); the term may too, and `+` around it.
  {
    kind: 'disperser',
    field: 'disperser',
    read: (text) =>
      exactly(words('MIRROR', 'B480', 'B600', 'R600', 'R400', 'R831', 'R150', 'B1200'))(
        text.split('_G')[0]?.replace(/^\++|\++$/g, '') ?? '',
      ),
    matches: (value, word) => typeof value === 'string' && (value === word || value.startsWith(`${word}+`)),
  },
  { kind: 'focal_plane_mask', field: 'focal_plane_mask', read: (text) => (GMOS_MASKS.has(text) || MOS_MASK.test(text) ? text : undefined) },
  {
    kind: 'binning',
    field: 'detector_binning',
    read: (text) => {
      const [across, ...along] = text.split('x');
      const down = along.join('x');
      return across && down && '1248'.includes(across) && '1248'.includes(down) ? text : undefined;
    },
  },
  { kind: 'gain', field: 'detector_gain_setting', read: exactly(words('high', 'low', 'standard')) },
  {
    kind: 'readspeed',
    field: 'detector_readspeed_setting',
    read: exactly(words('fast', 'medium', 'slow', 'standard', ...GHOST_READSPEEDS)),
  },
  { kind: 'welldepth', field: 'detector_welldepth_setting', read: exactly(words('Shallow', 'Deep', 'Invalid')) },
  {
    kind: 'readmode',
    field: 'detector_readmode_setting',
    read: exactly(
      words(
        'Classic',
        'NodAndShuffle',
        'Faint',
        'Faint_Object',
        'Faint_Objects',
        'Very_Faint_Objects',
        'Medium',
        'Medium_Object',
        'Bright',
        'Bright_Object',
        'Bright_Objects',
        'Very_Bright_Objects',
        'Low_Background',
        'Medium_Background',
        'High_Background',
      ),
    ),
  },
  {
    kind: 'inst',
    field: 'instrument',
    read: (text) => {
      const name = text.toLowerCase();
      if (INSTRUMENT_NAMES[name]) return INSTRUMENT_NAMES[name];
      if (/^hokupa+\+*quirc$/.test(name)) return 'Hokupaa+QUIRC';
      return name === 'gmos' ? 'GMOS' : undefined;
    },
    matches: (value, word) => value === word || (word === 'GMOS' && (value === 'GMOS-N' || value === 'GMOS-S')),
  },
];

// A full file name, with or without `.fits` (an unescaped dot, as the archive's) and `.bz2`.
const FILE_NAME = new RegExp(
  `^(?:[NS]20${D}${D}[01]${D}[0123]${D}S${D}{4}[${D}-]*${W}*|(?:20)?${D}${D}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)${D}${D}_${D}+)(?:.fits)?$`,
  'u',
);

const recogniseFileName: Recogniser = (text) => (FILE_NAME.test(text.replace(/\.bz2$/, '')) ? fileNameTerm(text) : undefined);

const recogniseWord: Recogniser = (text) => {
  for (const test of WORD_TESTS) {
    const word = test.read(text);
    if (word !== undefined) return test.field ? fieldTerm(test.field, word, test.matches) : noFilterTerm(test.kind);
  }
  return undefined;
};

type DateBasis = 'utc' | 'night';

/** UTC dates are the same at both sites; a night is the site's, and leaves out files of any other telescope. */
function windowConstraint(start: number, end: number, basis: DateBasis): Constraint {
  const shift = (site: Telescope) => (basis === 'utc' ? 0 : nightSpanMs(site, 0).start);
  const windows = { 'Gemini-North': shift('Gemini-North'), 'Gemini-South': shift('Gemini-South') };
  return {
    accepts: (entry) => {
      if (basis === 'night' && !isTelescope(entry.fields.telescope)) return false;
      const offset = windows[entry.site];
      return entry.utMs >= start + offset && entry.utMs < end + offset;
    },
    lookup: { kind: 'ut', window: { start: start + Math.min(...Object.values(windows)), end: end + Math.max(...Object.values(windows)) } },
  };
}

const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** The span a date or range value names: whole days, or from one moment to another when both ends are moments. */
function spanOf(value: string, range: boolean, now: number): [number, number] {
  if (!range) {
    const date = archiveDate(value, now);
    if (date?.kind !== 'moment') throw new MalformedTermError(`${value}: not a date the archive can read`);
    return [dayOf(date.ms), dayOf(date.ms) + DAY_MS];
  }
  const ends = archiveRange(value, now);
  if (ends === undefined || ends === 'broken') throw new MalformedTermError(`${value}: not a date range the archive can read`);
  const [first, last] = ends;
  return first.timed ? [first.ms, last.ms] : [dayOf(first.ms), dayOf(last.ms) + DAY_MS];
}

/** `date`/`night` take one day, `daterange`/`nightrange` two ends in either order; read when the query runs. */
function dateTerm(kind: string, value: string, basis: DateBasis, range: boolean): Term {
  return { kind, closes: true, constrain: (now) => windowConstraint(...spanOf(value, range, now), basis) };
}

const DATE_KEYS: ReadonlyMap<string, (value: string) => Term> = new Map([
  ['date', (value: string) => dateTerm('date', value, 'utc', false)],
  ['daterange', (value: string) => dateTerm('daterange', value, 'utc', true)],
  ['night', (value: string) => dateTerm('night', value, 'night', false)],
  ['nightrange', (value: string) => dateTerm('nightrange', value, 'night', true)],
]);

/** `key=value` terms the archive takes unchecked, by the selection key they set; the values filter nothing here. */
const VALUE_KEYS: Readonly<Record<string, string>> = {
  pupil_mask: 'pupil_mask',
  az: 'az',
  Az: 'az',
  azimuth: 'az',
  Azimuth: 'az',
  el: 'el',
  El: 'el',
  elevation: 'el',
  Elevation: 'el',
  ra: 'ra',
  RA: 'ra',
  dec: 'dec',
  Dec: 'dec',
  sr: 'sr',
  SR: 'sr',
  crpa: 'crpa',
  CRPA: 'crpa',
  cenwlen: 'cenwlen',
  exposure_time: 'exposure_time',
  coadds: 'coadds',
  publication: 'publication',
  PIname: 'PIname',
  ProgramText: 'ProgramText',
  raw_cc: 'raw_cc',
  raw_iq: 'raw_iq',
  raw_bg: 'raw_bg',
  raw_wv: 'raw_wv',
  gain: 'gain',
  readspeed: 'readspeed',
  entrytimedaterange: 'entrytimedaterange',
  lastmoddaterange: 'lastmoddaterange',
  processing_tag: 'processing_tag',
  readmode: 'readmode',
  welldepth: 'welldepth',
  path: 'path',
  cols: 'cols',
};

const recogniseKeyed: Recogniser = (text) => {
  const split = text.indexOf('=');
  if (split < 0) return undefined;
  const [key, value] = [text.slice(0, split), text.slice(split + 1)];
  const date = DATE_KEYS.get(key);
  if (date) return date(value);
  if (key === 'filename') return fileNameTerm(value);
  if (key === 'filepre') return filePrefixTerm(value);
  if (key === 'filter' || key === 'Filter') return fieldTerm('filter_name', value);
  if (key === 'disperser') return fieldTerm('disperser', value);
  if (key === 'mask') return fieldTerm('focal_plane_mask', value);
  if (key === 'camera') return fieldTerm('camera', value);
  return Object.hasOwn(VALUE_KEYS, key) ? noFilterTerm(VALUE_KEYS[key] ?? key) : undefined;
};

/** Flags that select one boolean field. */
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
  ['NOAO', { field: 'adaptive_optics', value: false }],
  ['imaging', { field: 'spectroscopy', value: false }],
  ['spectroscopy', { field: 'spectroscopy', value: true }],
]);

/** Recognised flags whose fields the stand-in's entries do not carry. */
const UNFILTERED_FLAGS = words(
  'includeengineering',
  'calprog',
  'notcalprog',
  'site_monitoring',
  'not_site_monitoring',
  'photstandard',
  'mdgood',
  'mdbad',
  'gpi_astrometric_standard',
  'warnings',
  'missing',
  'requires',
  'takenow',
);

const recogniseFlag: Recogniser = (text) => {
  const flag = FLAGS.get(text);
  if (flag) return booleanTerm(flag.field, flag.value);
  if (QA_WORDS.has(text)) return qaTerm(text);
  if (text === 'defaults') return noFilterTerm('defaults');
  return UNFILTERED_FLAGS.has(text) ? noFilterTerm(text) : undefined;
};

/** Ids, and `progid=`, `obsid=`, `datalabel=` (a bare key is its own value). */
const recogniseId: Recogniser = (text) => {
  if (isProgramId(text)) return idTerm('program_id', text);
  const split = text.indexOf('=');
  const [key, value] = split < 0 ? [text, text] : [text.slice(0, split), text.slice(split + 1)];
  if (key === 'progid') {
    const id = value.trim();
    const field = idFieldOf(id);
    return idTerm(field === 'data_label' || field === 'observation_id' ? field : 'program_id', id);
  }
  const field = idFieldOf(text);
  if (field === 'observation_id' || key === 'obsid') return idTerm('observation_id', value.trim());
  if (field === 'data_label' || key === 'datalabel') return idTerm('data_label', value.trim());
  return undefined;
};

const CASELESS_WORDS: Readonly<Record<string, string>> = {
  fullframe: 'detector_roi',
  centralstamp: 'detector_roi',
  centralspectrum: 'detector_roi',
  central768: 'detector_roi',
  central512: 'detector_roi',
  central256: 'detector_roi',
  custom: 'detector_roi',
  preimage: 'pre_image',
  twilight: 'twilight',
  nottwilight: 'twilight',
};

/** The words after the ids, in the archive's order. */
const recogniseLate: Recogniser = (text) => {
  if (text === 'LGS' || text === 'NGS') return booleanTerm('laser_guide_star', text === 'LGS');
  const caseless = CASELESS_WORDS[text.toLowerCase()];
  if (caseless) return noFilterTerm(caseless);
  // Shorter than a full name, so `N20240115S0001` alone is not a prefix; "good through 2029".
  if ([...text].length < 14 && /^[NS]20[012]/.test(text)) return filePrefixTerm(text);
  const split = text.indexOf('=');
  const key = split < 0 ? text : text.slice(0, split);
  if (key === 'object' || key === 'Object') return objectTerm(split < 0 ? text : text.slice(split + 1));
  return ['LS', 'MOS', 'IFS'].includes(text) ? fieldTerm('mode', text) : undefined;
};

/** A bare date is a UTC date on the archive and a night on a summit server; so is a bare range. */
const recogniseBareDate: Recogniser = (text, role, now) => {
  const basis: DateBasis = role === 'archive' ? 'utc' : 'night';
  const date = archiveDate(text, now);
  const range = date ? undefined : archiveRange(text, now);
  if (date?.kind === 'broken' || range === 'broken') throw new MalformedTermError(`${text}: the archive fails on this date`);
  if (date) return dateTerm(basis === 'utc' ? 'date' : 'night', text, basis, false);
  return range ? dateTerm(basis === 'utc' ? 'daterange' : 'nightrange', text, basis, true) : undefined;
};

/** In the order the archive tries them: the first that recognises a term decides what it means. */
const RECOGNISERS: readonly Recogniser[] = [
  // A file name and a telescope name never look alike: trying the name first changes nothing.
  recogniseFileName,
  recogniseWord,
  recogniseKeyed,
  recogniseFlag,
  recogniseId,
  recogniseLate,
  recogniseBareDate,
];

function recognise(text: string, role: ServerRole, now: number): Term | undefined {
  for (const recogniser of RECOGNISERS) {
    const term = recogniser(text, role, now);
    if (term) return term;
  }
  return undefined;
}

/** Searches only list canonical files unless a term says otherwise. */
const CANONICAL_ONLY: Term = booleanTerm('canonical', true);

/** `defaults`, applied after every other term: no engineering or site monitoring data, and QA NotFail. */
function unpackDefaults(kept: Map<string, Term>): void {
  if (!kept.delete('defaults')) return;
  kept.set('engineering', booleanTerm('engineering', false));
  kept.set('site_monitoring', noFilterTerm('site_monitoring'));
  kept.set('qa_state', qaTerm('NotFail'));
}

/**
 * Reads the path terms of a search. Unrecognised terms are dropped and listed, as the archive does.
 * Throws MalformedTermError for a term the archive fails on, or a kept date term whose value is not a date.
 */
export function readSelection(
  terms: readonly string[],
  role: ServerRole,
  now: number,
  learned: ReadonlySet<string> = new Set(),
): Selection {
  const kept = new Map<string, Term>();
  const unrecognised: string[] = [];
  for (const text of terms) {
    const term = learned.has(text) ? noFilterTerm(`learned ${text}`) : recognise(text, role, now);
    if (!term) {
      unrecognised.push(text);
      continue;
    }
    const earlier = kept.get(term.kind);
    if (!earlier || (term.rank ?? 0) >= (earlier.rank ?? 0)) kept.set(term.kind, term);
  }
  unpackDefaults(kept);
  const scope = kept.get('id')?.scope ?? null;
  if (!kept.has('canonical')) kept.set('canonical', CANONICAL_ONLY);
  const chosen = [...kept.values()];
  return {
    constraints: chosen.map((term) => term.constrain(now)).filter((constraint) => constraint !== null),
    closed: chosen.some((term) => term.closes),
    unrecognised,
    scope,
    dates: [...kept.keys()].filter((kind) => DATE_KEYS.has(kind)),
  };
}
