import { MODES, type Mode } from '../domain/mode.js';
import { STATUSES, type Status } from '../domain/result.js';
import type { RunSummary } from './run-summary.js';

/** How a family's values are checked when read back and how they are written. */
type Kind = 'timestamp' | 'duration' | 'count' | 'exit-code';

interface Family {
  name: string;
  help: string;
  kind: Kind;
  /** Only the notifications family has a `status` label besides `mode`. */
  byStatus: boolean;
}

/** Every series of the metrics file, in the order it is written. */
export const METRIC_FAMILIES = [
  {
    name: 'yougotdata_last_run_start_timestamp_seconds',
    help: 'When the last run of yougotdata send started (Unix time).',
    kind: 'timestamp',
    byStatus: false,
  },
  {
    name: 'yougotdata_last_run_end_timestamp_seconds',
    help: 'When the last run of yougotdata send ended (Unix time).',
    kind: 'timestamp',
    byStatus: false,
  },
  {
    name: 'yougotdata_last_run_duration_seconds',
    help: 'How long the last run of yougotdata send took.',
    kind: 'duration',
    byStatus: false,
  },
  {
    name: 'yougotdata_last_run_exit_code',
    help: 'Exit code of the last run of yougotdata send: 0 fine, 1 something failed, 2 usage or configuration, 75 try again later.',
    kind: 'exit-code',
    byStatus: false,
  },
  {
    name: 'yougotdata_last_run_notifications',
    help: 'Notifications of the last run of yougotdata send, per status (every status, 0 where none).',
    kind: 'count',
    byStatus: true,
  },
  {
    name: 'yougotdata_last_run_messages_sent',
    help: 'Messages the mail server accepted in the last run of yougotdata send (notifications and follow-ups, not the digest).',
    kind: 'count',
    byStatus: false,
  },
  {
    name: 'yougotdata_last_run_archive_requests',
    help: 'Requests the last run of yougotdata send made to the archive or the summit FITS server, retries included.',
    kind: 'count',
    byStatus: false,
  },
  {
    name: 'yougotdata_last_success_timestamp_seconds',
    help: 'When the last run of yougotdata send that exited 0 ended (Unix time).',
    kind: 'timestamp',
    byStatus: false,
  },
] as const satisfies readonly Family[];

export type MetricName = (typeof METRIC_FAMILIES)[number]['name'];

/** One sample of a yougotdata series. Timestamps and durations in seconds. */
export interface OwnSample {
  name: MetricName;
  mode: Mode;
  /** Present exactly for `yougotdata_last_run_notifications`. */
  status?: Status;
  value: number;
}

/** What a previous metrics file yields: our well-formed samples, and how many of its lines were not comments and not taken. */
export interface PreviousSamples {
  samples: OwnSample[];
  dropped: number;
}

const familyByName = new Map<string, Family>(METRIC_FAMILIES.map((family) => [family.name, family]));

// Beyond what a Date can hold, a timestamp read back could not be written again exactly.
const MAX_SECONDS = 8.64e12;

/** `\`, `"` and line feed escaped, as the text exposition format wants label values. */
export const escapeLabelValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

const unescapeLabelValue = (escaped: string): string => escaped.replace(/\\([\\"n])/g, (_, char: string) => (char === 'n' ? '\n' : char));

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}[ \t]+(\S+)[ \t]*$/;
const LABEL_PAIR = /[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"((?:[^"\\\n]|\\[\\"n])*)"[ \t]*(,|$)/y;
// A plain decimal: no NaN, no Inf, no hex, which are never what we write.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPE_LINE = /^#[ \t]+TYPE[ \t]+(\S+)[ \t]+(\S+)[ \t]*$/;

/** The label block between braces as name → value, or null unless every pair is well-formed and no name repeats. */
function parseLabels(untrimmed: string): Map<string, string> | null {
  // The format allows blanks after the last pair; no well-formed block ends inside a value, so trimming takes nothing from one.
  const block = untrimmed.replace(/[ \t]+$/, '');
  const labels = new Map<string, string>();
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < block.length) {
    const match = LABEL_PAIR.exec(block);
    if (!match) return null;
    const [, name, value, separator] = match as unknown as [string, string, string, string];
    if (labels.has(name)) return null;
    labels.set(name, unescapeLabelValue(value));
    if (separator === '') break;
  }
  return LABEL_PAIR.lastIndex === block.length ? labels : null;
}

const isMode = (value: string | undefined): value is Mode => MODES.includes(value as Mode);
const isStatus = (value: string | undefined): value is Status => STATUSES.includes(value as Status);

function acceptable(kind: Kind, value: number): boolean {
  switch (kind) {
    case 'timestamp':
      return value > 0 && value <= MAX_SECONDS;
    case 'duration':
      return value >= 0 && value <= MAX_SECONDS;
    case 'count':
      return Number.isSafeInteger(value) && value >= 0;
    case 'exit-code':
      return Number.isInteger(value) && value >= 0 && value <= 255;
  }
}

function parseSample(line: string): OwnSample | null {
  const match = SAMPLE_LINE.exec(line);
  if (!match) return null;
  const [, name, block, text] = match as unknown as [string, string, string, string];
  const family = familyByName.get(name);
  if (!family || !DECIMAL.test(text)) return null;
  const value = Number(text);
  if (!acceptable(family.kind, value)) return null;
  const labels = parseLabels(block);
  if (!labels || labels.size !== (family.byStatus ? 2 : 1)) return null;
  const mode = labels.get('mode');
  const status = labels.get('status');
  if (!isMode(mode)) return null;
  if (!family.byStatus) return { name: family.name as MetricName, mode, value };
  return isStatus(status) ? { name: family.name as MetricName, mode, status, value } : null;
}

const keyOf = (sample: Pick<OwnSample, 'name' | 'mode' | 'status'>) => `${sample.name}\u0000${sample.mode}\u0000${sample.status ?? ''}`;

/**
 * Our samples in a previous metrics file, which may have been corrupted by hand or cut short.
 *
 * Line by line, not all or nothing: a stray line should not throw away the other mode's last run
 * and, worse, the last success time that the "no success for 26 h" alert rests on. Only what we
 * would write ourselves is taken: one of our names, exactly the labels it has (`mode` of MODES,
 * `status` of STATUSES), a plain value that fits the series, no client timestamp, a line that ends
 * in a line feed (so a file cut mid-line loses that line). A series given twice, or a family that the
 * file types as anything but a gauge, is not ours to guess at: dropped whole. Comments are ignored;
 * the new file gets our own HELP and TYPE.
 */
export function readOwnSamples(text: string): PreviousSamples {
  const lines = text.split('\n');
  // What follows the last line feed is a line cut short, or nothing.
  const cut = lines.pop() ?? '';
  let dropped = cut.trim() === '' ? 0 : 1;
  const mistyped = new Set<string>();
  const byKey = new Map<string, { sample: OwnSample; lines: number }>();
  for (const line of lines) {
    if (line.startsWith('#')) {
      const type = TYPE_LINE.exec(line);
      if (type && type[2] !== 'gauge') mistyped.add(type[1] as string);
      continue;
    }
    if (line.trim() === '') continue;
    const sample = parseSample(line);
    if (!sample) {
      dropped += 1;
      continue;
    }
    const key = keyOf(sample);
    const seen = byKey.get(key);
    if (seen) seen.lines += 1;
    else byKey.set(key, { sample, lines: 1 });
  }
  const samples: OwnSample[] = [];
  for (const { sample, lines } of byKey.values()) {
    if (lines > 1 || mistyped.has(sample.name)) dropped += lines;
    else samples.push(sample);
  }
  return { samples, dropped };
}

const ms = (date: Date, what: string): number => {
  const time = date.getTime();
  if (!(time > 0 && time <= MAX_SECONDS * 1000)) throw new RangeError(`RunSummary.${what} is not a time after 1970: ${String(date)}`);
  return time;
};

const count = (value: number, what: string): number => {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`RunSummary.${what} must be a whole number ≥ 0, not ${value}`);
  return value;
};

/** This run's samples; `lastSuccess` is what the previous file held for this mode, kept when this run failed. */
function samplesOfRun(summary: RunSummary, lastSuccess: number | undefined): OwnSample[] {
  const { mode } = summary;
  const start = ms(summary.startedAt, 'startedAt');
  const end = ms(summary.endedAt, 'endedAt');
  if (!(Number.isInteger(summary.exitCode) && summary.exitCode >= 0 && summary.exitCode <= 255)) {
    throw new RangeError(`RunSummary.exitCode must be 0 to 255, not ${summary.exitCode}`);
  }
  const samples: OwnSample[] = [
    { name: 'yougotdata_last_run_start_timestamp_seconds', mode, value: start / 1000 },
    { name: 'yougotdata_last_run_end_timestamp_seconds', mode, value: end / 1000 },
    // A wall clock stepped back during the run would give a negative duration, which no alert could use.
    { name: 'yougotdata_last_run_duration_seconds', mode, value: Math.max(0, end - start) / 1000 },
    { name: 'yougotdata_last_run_exit_code', mode, value: summary.exitCode },
    ...STATUSES.map(
      (status): OwnSample => ({
        name: 'yougotdata_last_run_notifications',
        mode,
        status,
        value: count(summary.totals[status], `totals.${status}`),
      }),
    ),
    { name: 'yougotdata_last_run_messages_sent', mode, value: count(summary.messagesSent, 'messagesSent') },
    { name: 'yougotdata_last_run_archive_requests', mode, value: count(summary.archiveRequests, 'archiveRequests') },
  ];
  const success = summary.exitCode === 0 ? end / 1000 : lastSuccess;
  if (success !== undefined) samples.push({ name: 'yougotdata_last_success_timestamp_seconds', mode, value: success });
  return samples;
}

/** Seconds with millisecond decimals, written from whole milliseconds so no float noise shows. */
function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds * 1000);
  return `${Math.trunc(whole / 1000)}.${String(whole % 1000).padStart(3, '0')}`;
}

function formatValue(kind: Kind, value: number): string {
  return kind === 'timestamp' || kind === 'duration' ? formatSeconds(value) : String(value);
}

/** Our samples as exposition text: families in METRIC_FAMILIES order, then MODES order, then STATUSES order; empty families left out. */
function renderSamples(samples: readonly OwnSample[]): string {
  const rank = (sample: OwnSample) => MODES.indexOf(sample.mode) * STATUSES.length + (sample.status ? STATUSES.indexOf(sample.status) : 0);
  const lines: string[] = [];
  for (const family of METRIC_FAMILIES) {
    const own = samples.filter((sample) => sample.name === family.name).sort((a, b) => rank(a) - rank(b));
    if (own.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`);
    for (const sample of own) {
      const labels = [`mode="${escapeLabelValue(sample.mode)}"`];
      if (sample.status !== undefined) labels.push(`status="${escapeLabelValue(sample.status)}"`);
      lines.push(`${family.name}{${labels.join(',')}} ${formatValue(family.kind, sample.value)}`);
    }
  }
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * The metrics file after a run: this run's mode rewritten from the summary, the other mode's
 * series kept from the previous file (null when there is none), and this mode's last success
 * kept from it when this run did not exit 0.
 */
export function metricsFileText(previous: string | null, summary: RunSummary): string {
  const kept = previous === null ? [] : readOwnSamples(previous).samples;
  const lastSuccess = kept.find((sample) => sample.name === 'yougotdata_last_success_timestamp_seconds' && sample.mode === summary.mode);
  const others = kept.filter((sample) => sample.mode !== summary.mode);
  return renderSamples([...others, ...samplesOfRun(summary, lastSuccess?.value)]);
}
