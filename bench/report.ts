/** The benchmark's printout: a table of figures per run, then one PASS/FAIL line per target. */

import { SMTP_POOL_CONNECTIONS } from '../src/mail/smtp-mailer.js';
import type { FloorRun } from './floor.js';

export interface LoopFigures {
  utilization: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

/** What one `send` run measured. */
export interface RunFigures {
  name: string;
  concurrency: number;
  lookbackNights: number;
  notifications: number;
  /** Notifications given data on the night: the messages a correct run sends. */
  expectedMails: number;
  latencyMs: number;
  wallMs: number;
  /** Archive requests the stand-in received, all pages; then by page. */
  requests: number;
  jsonsummary: number;
  summaryPages: number;
  otherPages: number;
  non200: number;
  peakInFlight: number;
  /** SMTP connections the sink saw, and messages it accepted, during this run. */
  smtpConnections: number;
  mailsAccepted: number;
  /** From the run's --json report. */
  totals: Record<string, number>;
  peakRssBytes: number | null;
  rssSource: string;
  jobCpuMs: number | null;
  /** The benchmark's own process, which hosts the stand-in (a worker thread) and the sink: its CPU as % of one core. */
  peersCpuPercent: number;
  /** Each peer's event loop: busy fraction (0–1) and delays (ms). A busy or late loop would make the stand-in the bottleneck. */
  archive: LoopFigures;
  /** Of the sink's loop, only what the printout shows. */
  sink: Pick<LoopFigures, 'utilization' | 'loopP99Ms'>;
  /** The machine's busy % in the second before the run: load that is not the benchmark's. */
  backgroundBusyPercent: number | null;
  /** Every `postgres` process's CPU over the run, % of one core (Linux). */
  postgresCpuPercent: number | null;
  /** All CPUs of the machine, busy % over the run (Linux), null elsewhere. */
  machineBusyPercent: number | null;
  /** Of machineBusyPercent, the share stolen by the hypervisor for other guests (Linux), null elsewhere. */
  machineStealPercent: number | null;
  /** Spawn to the first archive request, and the last archive answer to exit: the job's fixed costs. */
  startupMs: number | null;
  tailMs: number | null;
  exitCode: number | null;
  /** Why the run counts as errored, or null. */
  error: string | null;
}

/** What the requests take if each costs the stand-in's latency and ARCHIVE_CONCURRENCY are always in flight: of a run, or of the floor. */
type IdealInputs = Pick<RunFigures, 'requests' | 'latencyMs' | 'concurrency'>;
export const idealMs = (run: IdealInputs): number => (run.requests * run.latencyMs) / run.concurrency;
/**
 * What each archive request cost, seen from the job: the time between the first request and the last answer,
 * times the requests in flight, per request. The stand-in's latency plus every per-request overhead.
 */
export const effectiveRequestMs = (run: RunFigures): number | null =>
  run.requests > 0 && run.startupMs !== null && run.tailMs !== null
    ? ((run.wallMs - run.startupMs - run.tailMs) * run.concurrency) / run.requests
    : null;
export const ratioToIdeal = (run: IdealInputs & Pick<RunFigures, 'wallMs'>): number | null =>
  idealMs(run) > 0 ? run.wallMs / idealMs(run) : null;

const MB = 1024 * 1024;
const s = (ms: number) => (ms / 1000).toFixed(2);
const fixed = (value: number | null, digits = 2) => (value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const mb = (bytes: number | null) => (bytes === null ? 'n/a' : (bytes / MB).toFixed(1));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function figuresTable(runs: readonly RunFigures[], baseline: RunFigures | undefined): string {
  const header = [
    'run',
    'conc',
    'lookback',
    'wall s',
    'requests',
    'ideal s',
    'ratio',
    'speed-up',
    'mails',
    'mails/s',
    'notif/s',
    'peak RSS MB',
    'in flight',
    'smtp conns',
    'exit',
  ];
  const rows = runs.map((run) => [
    run.name,
    String(run.concurrency),
    String(run.lookbackNights),
    s(run.wallMs),
    String(run.requests),
    s(idealMs(run)),
    fixed(ratioToIdeal(run)),
    baseline && baseline !== run && baseline.error === null && run.lookbackNights === baseline.lookbackNights
      ? fixed(baseline.wallMs / run.wallMs)
      : '-',
    String(run.mailsAccepted),
    fixed(run.mailsAccepted / (run.wallMs / 1000), 1),
    fixed(run.notifications / (run.wallMs / 1000), 1),
    mb(run.peakRssBytes),
    String(run.peakInFlight),
    String(run.smtpConnections),
    run.exitCode === null ? 'killed' : String(run.exitCode),
  ]);
  return table(header, rows);
}

/** The floor, and how far above it the job's run at the same concurrency is. */
export function floorLine(floor: FloorRun, run: RunFigures | undefined): string {
  const perRequest = (floor.wallMs * floor.concurrency) / floor.requests;
  const job =
    run && run.error === null
      ? `; yougotdata's C=${run.concurrency} run took ${(run.wallMs / floor.wallMs).toFixed(2)} × the floor's time`
      : '';
  return (
    `floor: a bare undici client (${floor.concurrency} connections, no work) against the same stand-in: ${floor.requests} requests in ` +
    `${s(floor.wallMs)} s, ratio ${fixed(ratioToIdeal(floor))}, ${perRequest.toFixed(1)} ms/request, ` +
    `stand-in loop ${(floor.stats.utilization * 100).toFixed(0)}% busy${job}`
  );
}

/** What the job asked and answered, and where its time went outside the archive requests. */
export function workTable(runs: readonly RunFigures[]): string {
  const header = ['run', '/jsonsummary', '/summary', 'other', 'non-200', 'startup s', 'tail s', 'ms/request', 'report totals'];
  const rows = runs.map((run) => [
    run.name,
    String(run.jsonsummary),
    String(run.summaryPages),
    String(run.otherPages),
    String(run.non200),
    run.startupMs === null ? 'n/a' : s(run.startupMs),
    run.tailMs === null ? 'n/a' : s(run.tailMs),
    fixed(effectiveRequestMs(run), 1),
    Object.entries(run.totals)
      .map(([status, count]) => `${status} ${count}`)
      .join(', ') || '-',
  ]);
  return table(header, rows);
}

/** Who used the machine during each run: the job, the peers (this process), PostgreSQL, and everyone else. */
export function resourcesTable(runs: readonly RunFigures[]): string {
  const header = [
    'run',
    'job CPU s',
    'job CPU %',
    'peak RSS from',
    'bench CPU %',
    'archive loop busy % · p50/p99/max ms',
    'sink loop busy % · p99 ms',
    'postgres CPU %',
    'machine busy %',
    'steal %',
    'busy before %',
  ];
  const rows = runs.map((run) => [
    run.name,
    run.jobCpuMs === null ? 'n/a' : s(run.jobCpuMs),
    run.jobCpuMs === null ? 'n/a' : fixed((run.jobCpuMs / run.wallMs) * 100, 0),
    run.rssSource,
    fixed(run.peersCpuPercent, 0),
    `${fixed(run.archive.utilization * 100, 0)} · ` +
      `${fixed(run.archive.loopP50Ms, 1)}/${fixed(run.archive.loopP99Ms, 1)}/${fixed(run.archive.loopMaxMs, 0)}`,
    `${fixed(run.sink.utilization * 100, 0)} · ${fixed(run.sink.loopP99Ms, 1)}`,
    fixed(run.postgresCpuPercent, 0),
    fixed(run.machineBusyPercent, 0),
    fixed(run.machineStealPercent, 0),
    fixed(run.backgroundBusyPercent, 0),
  ]);
  return table(header, rows);
}

export interface Target {
  pass: boolean | null;
  text: string;
}

/** nodemailer's pool: SMTP_POOL_CONNECTIONS connections, each replaced after maxMessages (100) messages. */
const MESSAGES_PER_POOLED_CONNECTION = 100;
export const poolConnectionBound = (mails: number) => SMTP_POOL_CONNECTIONS + Math.ceil(mails / MESSAGES_PER_POOLED_CONNECTION);

const list = (runs: readonly RunFigures[], each: (run: RunFigures) => string) => runs.map((run) => `${each(run)} (${run.name})`).join('; ');

export function targets(runs: readonly RunFigures[], main: readonly RunFigures[]): Target[] {
  const ok = runs.filter((run) => run.error === null);
  const okMain = main.filter((run) => run.error === null);
  const found: Target[] = [];
  const eight = okMain.find((run) => run.concurrency === 8);
  const one = okMain.find((run) => run.concurrency === 1);
  if (eight) {
    const ratio = ratioToIdeal(eight);
    found.push({
      pass: ratio !== null && ratio <= 1.3,
      text:
        `concurrency 8: wall time ≤ 1.3 × ideal: ${s(eight.wallMs)} s vs ideal ${s(idealMs(eight))} s ` +
        `(${eight.requests} requests × ${eight.latencyMs} ms / 8), ratio ${fixed(ratio)} [N=${eight.notifications}, ${eight.latencyMs} ms]`,
    });
  } else {
    found.push({ pass: null, text: 'concurrency 8: wall time ≤ 1.3 × ideal: not measured (no successful run at concurrency 8)' });
  }
  if (eight && one) {
    const speedUp = one.wallMs / eight.wallMs;
    found.push({
      pass: speedUp >= 6,
      text: `speed-up of 8 over 1 ≥ 6: ${fixed(speedUp)} (${s(one.wallMs)} s / ${s(eight.wallMs)} s) [N=${eight.notifications}]`,
    });
  } else {
    found.push({ pass: null, text: 'speed-up of 8 over 1 ≥ 6: not measured (needs successful runs at concurrency 1 and 8)' });
  }
  const rssKnown = ok.filter((run) => run.peakRssBytes !== null);
  found.push({
    pass: rssKnown.length === 0 ? null : rssKnown.every((run) => (run.peakRssBytes ?? 0) <= 130 * MB),
    text:
      'peak RSS ≤ 130 MB (set for N=20000; checked at every N): ' +
      `${list(rssKnown, (run) => `${mb(run.peakRssBytes)} MB`) || 'not measured'} ` +
      `[N=${runs[0]?.notifications ?? 0}]`,
  });
  found.push({
    pass: ok.length === 0 ? null : ok.every((run) => run.peakInFlight <= run.concurrency),
    text:
      'archive requests in flight ≤ ARCHIVE_CONCURRENCY (at the stand-in): ' +
      `${list(ok, (run) => `peak ${run.peakInFlight} ≤ ${run.concurrency}`)}`,
  });
  found.push({
    pass: ok.length === 0 ? null : ok.every((run) => run.smtpConnections <= poolConnectionBound(run.mailsAccepted)),
    text: `one SMTP connection pool, not a connection per message (≤ 3 + messages/100, nodemailer's pool): ${list(
      ok,
      (run) => `${run.smtpConnections} connection${run.smtpConnections === 1 ? '' : 's'} for ${run.mailsAccepted} messages`,
    )}`,
  });
  const lookbackZero = ok.filter((run) => run.lookbackNights === 0);
  found.push({
    pass: lookbackZero.length === 0 ? null : lookbackZero.every((run) => run.requests === run.notifications && run.summaryPages === 0),
    text: `<progid>/science rows: exactly one archive request each, no HTML summary (LOOKBACK_NIGHTS=0): ${list(
      lookbackZero,
      (run) => `${run.requests} requests (${run.summaryPages} /summary) for ${run.notifications} rows`,
    )}`,
  });
  found.push(...lookbackTargets(ok));
  found.push({
    pass:
      ok.length === 0 ? null : ok.every((run) => run.mailsAccepted === run.expectedMails && (run.totals.sent ?? 0) === run.expectedMails),
    text: `the work done is right: every notification with data mailed once: ${list(
      ok,
      (run) => `${run.totals.sent ?? 0} sent, ${run.mailsAccepted} at the sink, of ${run.expectedMails}`,
    )}`,
  });
  return found;
}

/** Catching late data must not multiply the load on the shared archive, nor the run's time (one request per row). */
function lookbackTargets(ok: readonly RunFigures[]): Target[] {
  const withLookback = ok.filter((run) => run.lookbackNights > 0);
  if (withLookback.length === 0) {
    return [{ pass: null, text: 'look-back: ≤ 1.05 archive requests per row, wall ≤ 1.05 × look-back 0: not measured (no look-back run)' }];
  }
  return withLookback.flatMap((run) => {
    const perRow = run.requests / run.notifications;
    const zero = ok.find((other) => other.lookbackNights === 0 && other.concurrency === run.concurrency);
    const where = `[LOOKBACK_NIGHTS=${run.lookbackNights}, N=${run.notifications}, ${run.latencyMs} ms, C=${run.concurrency}]`;
    return [
      {
        pass: perRow <= 1.05,
        text: `look-back: ≤ 1.05 archive requests per row: ${fixed(perRow)} (${run.requests} for ${run.notifications} rows) ${where}`,
      },
      zero
        ? {
            pass: run.wallMs <= 1.05 * zero.wallMs,
            text:
              `look-back: wall ≤ 1.05 × the look-back-0 run: ${s(run.wallMs)} s vs ${s(zero.wallMs)} s, ` +
              `${fixed(run.wallMs / zero.wallMs)} × ${where}`,
          }
        : { pass: null, text: `look-back: wall ≤ 1.05 × the look-back-0 run: not measured (no look-back-0 run at C=${run.concurrency})` },
    ];
  });
}

export function targetLines(found: readonly Target[]): string {
  return found.map((target) => `${target.pass === null ? 'N/A ' : target.pass ? 'PASS' : 'FAIL'}  ${target.text}`).join('\n');
}
