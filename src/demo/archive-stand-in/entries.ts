import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { DAY_MS, HOUR_MS, nightMidnightOf, TELESCOPES, type Telescope, yyyymmdd } from '../../archive/telescope-night.js';
import type { Night } from '../../domain/night.js';
import { darkHours, LOCAL_ZONE, telescopeOfProgram, utcMidnight } from './sites.js';

export type QaState = 'Pass' | 'Usable' | 'Fail' | 'CHECK' | 'Undefined';

export interface StandInFileSpec {
  programId: string;
  /** Default: from the program id (GS- → Gemini-South, otherwise Gemini-North). */
  telescope?: Telescope;
  /** ISO 8601 UTC, e.g. `2024-01-15T06:30:00.250Z`. */
  ut: string;
  /** Default 1. */
  observationNumber?: number;
  /** Default: the fixture entry's (Pass or Usable). */
  qaState?: QaState;
  instrument?: string;
  /** null: proprietary, as the archive shows it (object, ra and dec null). */
  object?: string | null;
  observationClass?: string | null;
  observationType?: string;
}

export interface StandInNightProgram {
  programId: string;
  files: number;
  telescope?: Telescope;
  qaState?: QaState;
}

const FIXTURE_URL = new URL('../../../fixtures/archive/jsonsummary-sample.json', import.meta.url);
/** Files per observation in a made-up night, so data labels look like a real sequence. */
const FILES_PER_OBSERVATION = 10;
/** How long after the exposure the archive ingests a file. */
const INGEST_DELAY_MS = 7 * 60_000;
/** Every third file of a made-up night starts on a whole second: the archive prints those without a fraction. */
const FRACTION_CYCLE = 3;
const FRACTION_STEP_MS = 300;

let fixture: readonly Record<string, unknown>[] | undefined;
let fixtureTurn = 0;
/** Next serial per file-name prefix (`N20240115`) and next file number per observation id. */
const serials = new Map<string, number>();
const fileNumbers = new Map<string, number>();
const localOffsets = new Map<string, number>();
const releaseDates = new Map<number, string>();

/**
 * The project's sample of real-shaped entries, read once (the file sits three levels above both
 * src/demo/archive-stand-in and dist/demo/archive-stand-in; the demo is not in the package, so it runs from a checkout).
 */
function fixtureEntries(): readonly Record<string, unknown>[] {
  if (!fixture) {
    const parsed: unknown = JSON.parse(readFileSync(FIXTURE_URL, 'utf8'));
    if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${FIXTURE_URL.pathname}: not a /jsonsummary array`);
    // An open search's cut marker, not part of any file's entry.
    fixture = (parsed as Record<string, unknown>[]).map(({ results_truncated: _marker, ...entry }) => entry);
  }
  return fixture;
}

function nextFixtureEntry(): Record<string, unknown> {
  const entries = fixtureEntries();
  return entries[fixtureTurn++ % entries.length] as Record<string, unknown>;
}

function next(counter: Map<string, number>, key: string): number {
  const value = (counter.get(key) ?? 0) + 1;
  counter.set(key, value);
  return value;
}

/** Python prints microseconds only when there are some: `HH:MM:SS` or `HH:MM:SS.ffffff`. */
function microseconds(ms: number): string {
  const part = ((ms % 1000) + 1000) % 1000;
  return part === 0 ? '' : `.${String(part).padStart(3, '0')}000`;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]`, the archive's UTC form. */
function archiveDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${microseconds(ms)}`;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** A South copy of a Gemini-North fixture entry: GMOS-N becomes GMOS-S, and its AstroData types follow. */
function siteFields(entry: Record<string, unknown>, telescope: Telescope, instrument: string | undefined): Record<string, unknown> {
  const south = telescope === 'Gemini-South';
  const flip = (value: unknown) => (south && typeof value === 'string' ? value.replace(/GMOS-N$/, 'GMOS-S') : value);
  const types = entry.types;
  return {
    telescope,
    instrument: instrument ?? flip(entry.instrument),
    camera: flip(entry.camera),
    types: south && typeof types === 'string' ? types.replaceAll('GEMINI_NORTH', 'GEMINI_SOUTH').replaceAll('GMOS_N', 'GMOS_S') : types,
  };
}

function fileFields(telescope: Telescope, utMs: number): Record<string, unknown> {
  const prefix = `${telescope === 'Gemini-South' ? 'S' : 'N'}${yyyymmdd(nightMidnightOf(telescope, utMs))}`;
  const name = `${prefix}S${String(next(serials, prefix)).padStart(4, '0')}.fits`;
  const ingested = `${archiveDateTime(utMs + INGEST_DELAY_MS)}+00:00`;
  const fileMd5 = md5(`${name}.bz2`);
  const dataMd5 = md5(name);
  return {
    name,
    filename: `${name}.bz2`,
    path: '',
    compressed: true,
    file_md5: fileMd5,
    md5: fileMd5,
    data_md5: dataMd5,
    lastmod: ingested,
    entrytime: ingested,
    present: true,
    canonical: true,
    mdready: true,
    pending_ingest: false,
  };
}

function programFields(programId: string, observationNumber: number): Record<string, unknown> {
  const observationId = `${programId}-${observationNumber}`;
  return {
    program_id: programId,
    observation_id: observationId,
    data_label: `${observationId}-${String(next(fileNumbers, observationId)).padStart(3, '0')}`,
    engineering: /ENG/.test(programId),
    calibration_program: /CAL/.test(programId),
    science_verification: /-SV-/.test(programId),
  };
}

/** Zone offsets at both sites change only on whole UTC hours: one (slow) luxon lookup per site and hour. */
function localOffsetMs(telescope: Telescope, utMs: number): number {
  const hour = Math.floor(utMs / HOUR_MS);
  const key = `${telescope} ${hour}`;
  let offset = localOffsets.get(key);
  if (offset === undefined) {
    offset = DateTime.fromMillis(hour * HOUR_MS, { zone: LOCAL_ZONE[telescope] }).offset * 60_000;
    localOffsets.set(key, offset);
  }
  return offset;
}

/** The usual 18-month proprietary period, once per UT day. */
function releaseDate(utMs: number): string {
  const day = Math.floor(utMs / DAY_MS);
  let release = releaseDates.get(day);
  if (release === undefined) {
    release =
      DateTime.fromMillis(day * DAY_MS, { zone: 'utc' })
        .plus({ months: 18 })
        .toISODate() ?? '';
    releaseDates.set(day, release);
  }
  return release;
}

function timeFields(telescope: Telescope, utMs: number): Record<string, unknown> {
  return {
    ut_datetime: archiveDateTime(utMs),
    local_time: archiveDateTime(utMs + localOffsetMs(telescope, utMs)).slice(11),
    release: releaseDate(utMs),
  };
}

function observationFields(entry: Record<string, unknown>, spec: StandInFileSpec): Record<string, unknown> {
  const proprietary = spec.object === null ? { object: null, ra: null, dec: null } : {};
  return {
    qa_state: spec.qaState ?? entry.qa_state,
    observation_class: spec.observationClass !== undefined ? spec.observationClass : entry.observation_class,
    observation_type: spec.observationType ?? entry.observation_type,
    ...(typeof spec.object === 'string' ? { object: spec.object } : proprietary),
  };
}

/**
 * A real-shaped `/jsonsummary` entry: the next of the fixture's entries (in turn), re-dated to
 * `spec.ut` and re-labelled for `spec.programId` with a fresh file name and data label.
 */
export function makeEntry(spec: StandInFileSpec): Record<string, unknown> {
  const utMs = Date.parse(spec.ut);
  if (Number.isNaN(utMs)) throw new RangeError(`makeEntry: not an ISO date-time: ${spec.ut}`);
  const telescope = spec.telescope ?? telescopeOfProgram(spec.programId);
  const entry = nextFixtureEntry();
  // Object.assign, not spreads: four times faster for these 70-field entries, and demo nights have thousands.
  return Object.assign(
    {},
    entry,
    fileFields(telescope, utMs),
    programFields(spec.programId, spec.observationNumber ?? 1),
    siteFields(entry, telescope, spec.instrument),
    timeFields(telescope, utMs),
    observationFields(entry, spec),
  );
}

/**
 * `count` science files of one program (object frames unless `spec` says otherwise), `everyMs` apart from `firstUt`
 * (ISO, UTC): one observation sequence, for the demo, the tests and the benchmark.
 */
export function makeSequence(
  programId: string,
  firstUt: string,
  count: number,
  everyMs: number,
  spec: Partial<StandInFileSpec> = {},
): Record<string, unknown>[] {
  const start = Date.parse(firstUt);
  return Array.from({ length: count }, (_, i) =>
    makeEntry({
      programId,
      ut: new Date(start + i * everyMs).toISOString(),
      observationClass: 'science',
      observationType: 'OBJECT',
      ...spec,
    }),
  );
}

/** `count` exposure times spread evenly over the dark hours of the site's night. */
function exposureTimes(telescope: Telescope, night: Night, count: number): number[] {
  const midnight = utcMidnight(night);
  if (midnight === null) throw new RangeError(`makeNight: not a night: ${night}`);
  const { start, end } = darkHours(telescope, midnight);
  const step = (end - start) / count;
  return Array.from(
    { length: count },
    (_, i) => start + Math.floor(((i + 0.5) * step) / 1000) * 1000 + (i % FRACTION_CYCLE) * FRACTION_STEP_MS,
  );
}

/** One site's files: programs observed one after another, FILES_PER_OBSERVATION files per observation. */
function siteNight(night: Night, telescope: Telescope, programs: readonly StandInNightProgram[]): Record<string, unknown>[] {
  const times = exposureTimes(
    telescope,
    night,
    programs.reduce((sum, program) => sum + program.files, 0),
  );
  let slot = 0;
  return programs.flatMap((program) =>
    Array.from({ length: program.files }, (_, i) =>
      makeEntry({
        programId: program.programId,
        telescope,
        ut: new Date(times[slot++] as number).toISOString(),
        observationNumber: 1 + Math.floor(i / FILES_PER_OBSERVATION),
        ...(program.qaState ? { qaState: program.qaState } : {}),
      }),
    ),
  );
}

/** A night's files for each program, spread over the dark hours of the program's site. */
export function makeNight(options: { night: Night; programs: readonly StandInNightProgram[] }): Record<string, unknown>[] {
  return TELESCOPES.flatMap((telescope) => {
    const programs = options.programs.filter((program) => (program.telescope ?? telescopeOfProgram(program.programId)) === telescope);
    return programs.length === 0 ? [] : siteNight(options.night, telescope, programs);
  });
}
