/**
 * How the archive reads one selection term, after FitsStorage's `from_url_things`
 * (fits_storage/db/selection/get_selection.py) and docs/archive.md#selection-grammar: the same tests, in the same order,
 * so the first rule that accepts a term gives the kind the server gives it. Where this module is
 * unsure it answers `unknown`, and the job asks the server; it never accepts what the server may drop.
 */

import { mightBeDate, mightBeDateRange, readAsDate, readAsDateRange } from './selection-date.js';

/** The program, observation or data label a selection is confined to. */
export interface Scope {
  readonly kind: 'program' | 'observation' | 'dataLabel';
  readonly id: string;
}

/** The archive's date and night fields: a selection must leave them to the job, which prepends `night=D`. */
export type DateField = 'date' | 'daterange' | 'night' | 'nightrange';

export type TermReading =
  /** Recognised; narrows the search by `field` (FitsStorage's selection key). */
  | { readonly kind: 'criterion'; readonly field: string }
  | { readonly kind: 'scope'; readonly scope: Scope }
  | { readonly kind: 'date'; readonly field: DateField }
  /** Can never be a term: `why` says what is wrong with it. */
  | { readonly kind: 'impossible'; readonly why: string }
  | { readonly kind: 'unknown' };

type Rule = (term: string) => TermReading | undefined;

// Case-insensitive words are compared only when printable ASCII: JS and Python lower-case other letters differently.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const lower = (term: string): string | undefined => (PRINTABLE_ASCII.test(term) ? term.toLowerCase() : undefined);

/** Words the archive matches exactly, case-sensitively, by the selection field they set. */
export const EXACT_WORDS = {
  observation_type: ['DARK', 'ARC', 'FLAT', 'BIAS', 'OBJECT', 'PINHOLE', 'RONCHI', 'CAL', 'FRINGE', 'MASK', 'STANDARD', 'SLITILLUM', 'BPM'],
  observation_class: ['dayCal', 'partnerCal', 'acqCal', 'acq', 'science', 'progCal', 'nightCal'],
  caltype: [
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
  ],
  processing: ['Failed', 'Raw', 'Quick-Look', 'Quality-Assessment', 'Science-Quality'],
  reduction: [
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
  ],
  gain: ['high', 'low', 'standard'],
  readspeed: [
    'fast',
    'medium',
    'slow',
    'standard',
    ...['fast', 'medium', 'slow'].flatMap((red) => ['fast', 'medium', 'slow'].map((blue) => `red:${red},blue:${blue}`)),
  ],
  welldepth: ['Shallow', 'Deep', 'Invalid'],
  readmode: [
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
  ],
} as const satisfies Record<string, readonly string[]>;

/** Flags and words that set a field to themselves; checked after the key=value terms. */
export const FLAG_WORDS = {
  // Known to the archive, yet refused by readSelection: it sets QA NotFail after every other term, over CHECK mode's CHECK.
  defaults: ['defaults'],
  spectroscopy: ['imaging', 'spectroscopy'],
  present: ['present', 'Present', 'notpresent', 'NotPresent'],
  canonical: ['canonical', 'Canonical', 'notcanonical', 'NotCanonical'],
  engineering: ['engineering', 'notengineering', 'includeengineering'],
  science_verification: ['science_verification', 'notscience_verification'],
  calprog: ['calprog', 'notcalprog'],
  site_monitoring: ['site_monitoring', 'not_site_monitoring'],
  photstandard: ['photstandard'],
  mdready: ['mdgood', 'mdbad'],
  gpi_astrometric_standard: ['gpi_astrometric_standard'],
  caloption: ['warnings', 'missing', 'requires', 'takenow'],
  // `Undefined` is absent on purpose: FitsStorage spells it UndefinedQA, so a bare one is left for the server to confirm.
  qa_state: ['Pass', 'Usable', 'Fail', 'Win', 'NotFail', 'Lucky', 'AnyQA', 'CHECK', 'UndefinedQA'],
  ao: ['AO', 'NOTAO', 'NOAO'],
} as const satisfies Record<string, readonly string[]>;

/** Words checked after the program, observation and data-label ids. */
export const LATE_WORDS = {
  lgs: ['LGS', 'NGS'],
  mode: ['LS', 'MOS', 'IFS'],
} as const satisfies Record<string, readonly string[]>;

/** Instruments as the archive names them (docs/archive.md#selection-grammar); matched ignoring case. */
export const INSTRUMENTS = [
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
  'IGRINS',
  'Alopeke',
  'Zorro',
  'MAROON-X',
  'GRACES',
  'michelle',
  'NICI',
  'TReCS',
  'hrwfs',
  'OSCIR',
  'Flamingos',
  'PHOENIX',
  'TEXES',
  'ABU',
  'CIRPASS',
  'bHROS',
] as const;

/** Words matched ignoring case, checked after the ids, by the field they set. */
export const CASELESS_LATE_WORDS = {
  detector_roi: ['fullframe', 'centralstamp', 'centralspectrum', 'central768', 'central512', 'central256', 'custom'],
  pre_image: ['preimage'],
  twilight: ['twilight', 'nottwilight'],
} as const satisfies Record<string, readonly string[]>;

/** `key=value` keys whose value the archive takes unchecked (`cols` only shapes the page). */
const VALUE_KEYS = new Set([
  'filename',
  'filepre',
  'disperser',
  'camera',
  'mask',
  'pupil_mask',
  'filter',
  'Filter',
  'az',
  'Az',
  'azimuth',
  'Azimuth',
  'el',
  'El',
  'elevation',
  'Elevation',
  'ra',
  'RA',
  'dec',
  'Dec',
  'sr',
  'SR',
  'crpa',
  'CRPA',
  'cenwlen',
  'exposure_time',
  'coadds',
  'publication',
  'PIname',
  'ProgramText',
  'raw_cc',
  'raw_iq',
  'raw_bg',
  'raw_wv',
  'gain',
  'readspeed',
  'entrytimedaterange',
  'lastmoddaterange',
  'processing_tag',
  'readmode',
  'welldepth',
  'path',
  'cols',
]);

const DATE_KEYS: ReadonlySet<string> = new Set<DateField>(['date', 'daterange', 'night', 'nightrange']);

const GMOS_GRATINGS = new Set(['MIRROR', 'B480', 'B600', 'R600', 'R400', 'R831', 'R150', 'B1200']);

const GMOS_FACILITY_MASKS = new Set([
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
]);

// The archive's patterns are Python's: `\d` is any decimal digit and `\w` any letter, digit or `_`, in any script.
const DIGIT = String.raw`\p{Nd}`;
const WORD = String.raw`[\p{L}\p{N}_]`;
const pattern = (source: string): RegExp => new RegExp(`^(?:${source.replaceAll('\\d', DIGIT).replaceAll('\\w', WORD)})$`, 'u');

// The archive's MOS mask names: `(.)` is any one character there too.
const GMOS_MOS_MASK = pattern(String.raw`G[NS]?20\d\d[ABFDLWVSX].\d{3}-\d\d|G20\d\d[AB]\d{4}[CDFLQSV]-\d\d`);

// `.fits` with an unescaped dot, as in FitsStorage's gemini_fitsfilename.
const FITS_FILENAME = pattern(
  String.raw`(?:[NS]20\d\d[01]\d[0123]\dS\d{4}[\d-]*\w*|(?:20)?\d\d(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\d\d_\d+)(?:.fits)?`,
);

const HOKUPAA_QUIRC = /^hokupa+\+*quirc$/;

/** Program id forms, exactly as docs/archive.md#program-ids gives them. */
const PROGRAM_ID_FORMS = [
  String.raw`G[NS]-20\d\d[AB]-(?:Q|C|SV|QS|DD|LP|FT|DS)-\d+`,
  String.raw`G-20\d\d[AB]-\d+-[CDFLQSVP]`,
  String.raw`G[NS]-(?:CAL|ENG)20\d\d[01]\d[0123]\d`,
  String.raw`(?:CAL|ENG)20\d\d[01]\d[0123]\d`,
  String.raw`G[NS]-20\d\d[AB]-(?:CAL|ENG)-\d+`,
  String.raw`G-20\d\d[AB]-(?:CAL|ENG|COM|MON)-\w+-\d+`,
];
const PROGRAM_ID = `(?:${PROGRAM_ID_FORMS.join('|')})`;
const PROGRAM_ID_RE = pattern(PROGRAM_ID);
const OBSERVATION_ID_RE = pattern(String.raw`${PROGRAM_ID}-\d+`);
/** docs/archive.md#observation-ids-and-data-labels: one or two numbers after the observation's, then suffix parts. */
const DATA_LABEL_RE = pattern(String.raw`${PROGRAM_ID}-\d+-\d+(?:-\d+)?(?:-[A-Za-z]\w*)*`);

export const isProgramId = (text: string): boolean => PROGRAM_ID_RE.test(text);

const codePoints = (text: string): number => [...text].length;

/** Anything that can never be a term: it would not survive the URL, or would hide from a person reading it. */
function impossibility(term: string): string | undefined {
  // A path segment "." or ".." is resolved away by URL parsing: the search would silently lose terms.
  if (term === '.' || term === '..') return 'a URL would read it as a path step';
  const hidden = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.exec(term);
  if (hidden)
    return (
      `it contains U+${(hidden[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}, ` +
      'a control, invisible or malformed character'
    );
  return undefined;
}

function isTelescope(term: string): boolean {
  const name = lower(term)?.replace(/[-_]/g, '');
  return name === 'gemininorth' || name === 'geminisouth';
}

const isFitsFilename = (term: string): boolean => FITS_FILENAME.test(term.endsWith('.bz2') ? term.slice(0, -4) : term);

/** A grating name may carry a `_G…` component id and surrounding `+`. */
const isGmosGrating = (term: string): boolean => GMOS_GRATINGS.has((term.split('_G')[0] ?? '').replace(/^\++|\++$/g, ''));

const isGmosMask = (term: string): boolean => GMOS_FACILITY_MASKS.has(term) || GMOS_MOS_MASK.test(term);

/** `AxB` where A and B are non-empty runs of "1248" (the archive tests substrings, so `12x48` passes too). */
function isBinning(term: string): boolean {
  const sides = term.split('x');
  return sides.length === 2 && sides.every((side) => side !== '' && '1248'.includes(side));
}

const caselessInstruments = new Set(INSTRUMENTS.map((name) => name.toLowerCase()));
function isInstrument(term: string): boolean {
  const name = lower(term);
  return name !== undefined && (caselessInstruments.has(name) || HOKUPAA_QUIRC.test(name));
}

/** Short file-name prefixes: the archive takes N200…/S202… under 14 characters ("good through 2029"). */
const isFilePrefix = (term: string): boolean => codePoints(term) < 14 && /^[NS]20[012]/.test(term);

const criterion =
  (field: string, accepts: (term: string) => boolean): Rule =>
  (term) =>
    accepts(term) ? { kind: 'criterion', field } : undefined;

const wordRules = (table: Readonly<Record<string, readonly string[]>>, caseless = false): Rule[] =>
  Object.entries(table).map(([field, words]) => {
    const set = new Set<string>(words);
    return criterion(field, caseless ? (term) => set.has(lower(term) ?? '') : (term) => set.has(term));
  });

const scope = (kind: Scope['kind'], id: string): TermReading => ({ kind: 'scope', scope: { kind, id } });

/** `key=value` split at the first `=`; a term without one is its own key, as on the server. */
function keyAndValue(term: string): { key: string; value: string; hasValue: boolean } {
  const at = term.indexOf('=');
  return at < 0 ? { key: term, value: term, hasValue: false } : { key: term.slice(0, at), value: term.slice(at + 1), hasValue: true };
}

/** `progid=V` takes the most specific id V is, and any other V as a program id. */
function progidScope(value: string): TermReading {
  const id = value.trim();
  if (DATA_LABEL_RE.test(id)) return scope('dataLabel', id);
  return scope(OBSERVATION_ID_RE.test(id) ? 'observation' : 'program', id);
}

/** The server's tests in the server's order; the first that answers gives the term's kind. */
const RULES: readonly Rule[] = [
  criterion('telescope', isTelescope),
  criterion('filename', isFitsFilename),
  ...wordRules({
    observation_type: EXACT_WORDS.observation_type,
    observation_class: EXACT_WORDS.observation_class,
    caltype: EXACT_WORDS.caltype,
    processing: EXACT_WORDS.processing,
    reduction: EXACT_WORDS.reduction,
  }),
  criterion('disperser', isGmosGrating),
  criterion('focal_plane_mask', isGmosMask),
  criterion('binning', isBinning),
  ...wordRules({
    gain: EXACT_WORDS.gain,
    readspeed: EXACT_WORDS.readspeed,
    welldepth: EXACT_WORDS.welldepth,
    readmode: EXACT_WORDS.readmode,
  }),
  criterion('inst', isInstrument),
  (term) => {
    const { key, hasValue } = keyAndValue(term);
    if (!hasValue) return undefined;
    if (DATE_KEYS.has(key)) return { kind: 'date', field: key as DateField };
    return VALUE_KEYS.has(key) ? { kind: 'criterion', field: key } : undefined;
  },
  ...wordRules(FLAG_WORDS),
  (term) => (PROGRAM_ID_RE.test(term) ? scope('program', term) : undefined),
  (term) => {
    const { key, value } = keyAndValue(term);
    if (key === 'progid') return progidScope(value);
    if (OBSERVATION_ID_RE.test(term) || key === 'obsid') return scope('observation', value.trim());
    if (DATA_LABEL_RE.test(term) || key === 'datalabel') return scope('dataLabel', value.trim());
    return undefined;
  },
  ...wordRules({ lgs: LATE_WORDS.lgs }),
  ...wordRules(CASELESS_LATE_WORDS, true),
  criterion('filepre', isFilePrefix),
  criterion('object', (term) => ['object', 'Object'].includes(keyAndValue(term).key)),
  ...wordRules({ mode: LATE_WORDS.mode }),
  // A bare date or range, as the archive reads it or as its earlier release did (docs/archive.md#dates-in-a-selection).
  (term) => (readAsDate(term) !== undefined || mightBeDate(term) ? { kind: 'date', field: 'date' } : undefined),
  (term) => (readAsDateRange(term) !== undefined || mightBeDateRange(term) ? { kind: 'date', field: 'daterange' } : undefined),
];

/** How the archive reads one (already trimmed, non-empty) term. */
export function classifyTerm(term: string): TermReading {
  const why = impossibility(term);
  if (why !== undefined) return { kind: 'impossible', why };
  for (const rule of RULES) {
    const reading = rule(term);
    if (reading) return reading;
  }
  return { kind: 'unknown' };
}
