import { FAILURE_CLASSES, type FailureClass } from '../bounce/reading.js';
import type { Mode } from '../domain/mode.js';
import { STATUSES, type Status } from '../domain/result.js';
import type { RunSummary } from './run-summary.js';

/** How a family's values are checked and written. */
type Kind = 'timestamp' | 'duration' | 'count' | 'exit-code';

interface Family {
  name: string;
  help: string;
  kind: Kind;
}

/** Every series of the metrics file, in the order it is written. */
export const METRIC_FAMILIES = [
  {
    name: 'yougotdata_last_run_start_timestamp_seconds',
    help: 'When the last run of yougotdata send started (Unix time).',
    kind: 'timestamp',
  },
  {
    name: 'yougotdata_last_run_end_timestamp_seconds',
    help: 'When the last run of yougotdata send ended (Unix time).',
    kind: 'timestamp',
  },
  {
    name: 'yougotdata_last_run_duration_seconds',
    help: 'How long the last run of yougotdata send took.',
    kind: 'duration',
  },
  {
    name: 'yougotdata_last_run_exit_code',
    help: 'Exit code of the last run of yougotdata send: 0 fine, 1 something failed, 2 usage or configuration, 75 try again later.',
    kind: 'exit-code',
  },
  {
    name: 'yougotdata_last_run_notifications',
    help: 'Notifications of the last run of yougotdata send, per status (every status, 0 where none).',
    kind: 'count',
  },
  {
    name: 'yougotdata_last_run_messages_sent',
    help: 'Messages the mail server accepted in the last run of yougotdata send (notifications and follow-ups, not the digest).',
    kind: 'count',
  },
  {
    name: 'yougotdata_last_run_archive_requests',
    help: 'Requests the last run of yougotdata send made to the archive or the summit FITS server, retries included.',
    kind: 'count',
  },
  {
    name: 'yougotdata_last_run_bounces',
    help: "Failures of this mode's messages that yougotdata bounce recorded since the mode's last digest, one per recipient per report, per class (every class, 0 where none).",
    kind: 'count',
  },
  {
    name: 'yougotdata_last_success_timestamp_seconds',
    help: 'When the last run of yougotdata send that exited 0 ended (Unix time).',
    kind: 'timestamp',
  },
] as const satisfies readonly Family[];

type MetricName = (typeof METRIC_FAMILIES)[number]['name'];

/** One sample of a yougotdata series. Timestamps and durations in seconds. */
interface OwnSample {
  name: MetricName;
  mode: Mode;
  /** Present exactly for `yougotdata_last_run_notifications`. */
  status?: Status;
  /** Present exactly for `yougotdata_last_run_bounces`. */
  class?: FailureClass;
  value: number;
}

// Beyond what a Date can hold, a timestamp could not be written exactly.
const MAX_SECONDS = 8.64e12;

/** `\`, `"` and line feed escaped, as the text exposition format wants label values. */
export const escapeLabelValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

const ms = (date: Date, what: string): number => {
  const time = date.getTime();
  if (!(time > 0 && time <= MAX_SECONDS * 1000)) throw new RangeError(`RunSummary.${what} is not a time after 1970: ${String(date)}`);
  return time;
};

const count = (value: number, what: string): number => {
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new RangeError(`RunSummary.${what} must be a whole number ≥ 0, not ${value}`);
  return value;
};

/** This run's samples: the last success is this run's end when it exited 0, else the summary's earlier one, if known. */
function samplesOfRun(summary: RunSummary): OwnSample[] {
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
    ...FAILURE_CLASSES.map(
      (failureClass): OwnSample => ({
        name: 'yougotdata_last_run_bounces',
        mode,
        class: failureClass,
        value: count(summary.bounces[failureClass], `bounces.${failureClass}`),
      }),
    ),
  ];
  const success = summary.exitCode === 0 ? end : summary.lastSuccessAt && ms(summary.lastSuccessAt, 'lastSuccessAt');
  if (success) samples.push({ name: 'yougotdata_last_success_timestamp_seconds', mode, value: success / 1000 });
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

/** Our samples as exposition text, families in METRIC_FAMILIES order (samples in the order given); empty families left out. */
function renderSamples(samples: readonly OwnSample[]): string {
  const lines: string[] = [];
  for (const family of METRIC_FAMILIES) {
    const own = samples.filter((sample) => sample.name === family.name);
    if (own.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`);
    for (const sample of own) {
      const labels = [`mode="${escapeLabelValue(sample.mode)}"`];
      if (sample.status !== undefined) labels.push(`status="${escapeLabelValue(sample.status)}"`);
      if (sample.class !== undefined) labels.push(`class="${escapeLabelValue(sample.class)}"`);
      lines.push(`${family.name}{${labels.join(',')}} ${formatValue(family.kind, sample.value)}`);
    }
  }
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * The metrics file of a run's mode (docs/commands.md#metrics): every series of the run, labelled with its mode. One
 * file per mode, written whole from the run's summary, so two runs at once never write the same file.
 */
export function metricsFileText(summary: RunSummary): string {
  return renderSamples(samplesOfRun(summary));
}
