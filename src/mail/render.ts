import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Mode } from '../domain/mode.js';
import { type Night, utcStamp } from '../domain/night.js';
import { type TextColumn, tableLines } from '../text/table.js';
import { subjectFor } from './subject.js';

export interface MessageContent {
  subject: string;
  text: string;
  html: string;
}

/** A file as the message lists it: what the archive says of it, in the archive's own words (compose hands its entries). */
export interface ListedFile {
  name: string;
  ut_datetime: string | null;
  data_label: string | null;
  instrument: string | null;
  object: string | null;
  observation_class: string | null;
  observation_type: string | null;
  qa_state: string | null;
  exposure_time: number | null;
}

export interface MessageInput {
  mode: Mode;
  night: Night;
  /** The checked selection text, e.g. `GN-2026B-Q-101/science`. */
  selection: string;
  /** `{base}/searchform/night={night}/{encoded selection}`, built by the caller. */
  searchUrl: string;
  files: readonly ListedFile[];
  /** When an earlier message announced files of the same night: this one lists only the new files. */
  previousNotice?: Date;
  /** The first files of a night earlier than the run's, found by the look-back. */
  late?: boolean;
  /** The archive's result limit, when its answer reached it: the list may be cut short, and the message says so. */
  cutAt: number | null;
}

const MISSING = '—';

/** Both `src/mail/render.ts` and `dist/mail/render.js` sit two levels below the repository root. */
export const TEMPLATES = new URL('../../templates/', import.meta.url);

/** One table row, every value already display text. */
interface FileRow {
  name: string;
  time: string;
  dataLabel: string;
  instrument: string;
  object: string;
  observationClass: string;
  observationType: string;
  qaState: string;
  exposure: string;
  shaded: boolean;
}

/** Subject, plain-text and HTML parts of one notification; deterministic, no I/O after the first call. */
export function renderMessage(input: MessageInput): MessageContent {
  const subject = clean(subjectFor(input.mode, input.selection));
  const { utDate, rows } = fileRows(input.files);
  const view = {
    subject,
    selection: clean(input.selection),
    night: `${input.night.slice(0, 4)}-${input.night.slice(4, 6)}-${input.night.slice(6)}`,
    previousNotice: input.previousNotice ? utcStamp(input.previousNotice) : null,
    late: input.late ?? false,
    searchUrl: checkedLink(input.searchUrl),
    fileCount: `${rows.length} ${rows.length === 1 ? 'file' : 'files'}`,
    cutShort: input.cutAt !== null,
    limit: input.cutAt,
    utDate,
    rows,
    tableLines: [...tableLines(rows, TEXT_COLUMNS, { rule: true, budget: LINE_BUDGET })],
  };
  const { text, html } = templates();
  return { subject, text: text[input.mode](view), html: html[input.mode](view) };
}

function fileRows(files: readonly ListedFile[]): { utDate: string | null; rows: FileRow[] } {
  const stamps = files.map((file) => utStamp(file.ut_datetime));
  const dates = new Set(stamps.flatMap((stamp) => (stamp ? [stamp.date] : [])));
  // A Gemini-South night spans two UTC dates: then every time carries its date.
  const [utDate = null] = dates.size === 1 ? dates : [];
  const rows = files.map((file, i): FileRow => {
    const stamp = stamps[i];
    return {
      name: shown(file.name),
      time: stamp ? (utDate ? stamp.time : `${stamp.date} ${stamp.time}`) : shown(file.ut_datetime),
      dataLabel: shown(file.data_label),
      instrument: shown(file.instrument),
      object: shown(file.object),
      observationClass: shown(file.observation_class),
      observationType: shown(file.observation_type),
      qaState: shown(file.qa_state),
      exposure: exposure(file.exposure_time),
      shaded: i % 2 === 1,
    };
  });
  return { utDate, rows };
}

/** Mail clients wrap longer lines, which ruins the alignment. */
const LINE_BUDGET = 100;

const TEXT_COLUMNS: readonly TextColumn<FileRow>[] = [
  { heading: 'File', value: (row) => row.name, cap: 36 },
  { heading: 'UT', value: (row) => row.time, cap: 19 },
  { heading: 'Data label', value: (row) => row.dataLabel, cap: 36 },
  { heading: 'Instr.', value: (row) => row.instrument, cap: 10 },
  // free text typed by the PI: the one column squeezed to keep lines short
  { heading: 'Object', value: (row) => row.object, cap: 28, floor: 16 },
  { heading: 'Class', value: (row) => row.observationClass, cap: 10 },
  { heading: 'Type', value: (row) => row.observationType, cap: 8 },
  { heading: 'QA', value: (row) => row.qaState, cap: 9 },
  { heading: 'Exp.', value: (row) => row.exposure, cap: 10, alignRight: true },
];

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` → date and time cut to whole seconds (cut, not rounded: :59.9 never becomes :60). */
function utStamp(value: string | null): { date: string; time: string } | undefined {
  return value !== null && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/.test(value)
    ? { date: value.slice(0, 10), time: value.slice(11, 19) }
    : undefined;
}

/** Three significant digits under 100 s (0.06, 1.5, 30.5), whole seconds above. */
function exposure(seconds: number | null): string {
  if (seconds === null) return MISSING;
  return `${Math.abs(seconds) >= 100 ? Math.round(seconds) : Number(seconds.toPrecision(3))} s`;
}

function shown(value: string | null): string {
  return (value === null ? '' : clean(value).trim()) || MISSING;
}

/** Control and format characters (line breaks, bidi overrides) could forge header or table lines, or disguise a value. */
function clean(value: string): string {
  return value.replace(/[\p{Cc}\p{Cf}]+/gu, ' ');
}

/** Only an http(s) link without credentials may go into a mail. */
function checkedLink(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.username || parsed.password) {
    throw new Error('search link must be an http(s) URL without credentials');
  }
  return parsed.href;
}

type PartTemplates = Record<Mode, Handlebars.TemplateDelegate>;

let compiled: { text: PartTemplates; html: PartTemplates } | undefined;

/** Compiled once per process, on first use. */
function templates(): { text: PartTemplates; html: PartTemplates } {
  compiled ??= { text: compilePart('text', true), html: compilePart('html', false) };
  return compiled;
}

/** Each part gets its own Handlebars environment so `layout` and `files` resolve to that part's partials. */
function compilePart(part: 'text' | 'html', noEscape: boolean): PartTemplates {
  const env = Handlebars.create();
  // strict: a misspelt field in a template throws instead of rendering as blank
  const compile = (name: string) =>
    env.compile(readFileSync(new URL(`${name}.${part}.hbs`, TEMPLATES), 'utf8'), { strict: true, noEscape });
  env.registerPartial('layout', compile('layout'));
  env.registerPartial('files', compile('files'));
  return { pi: compile('pi'), check: compile('check') };
}
