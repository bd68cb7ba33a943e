/**
 * `npm run bench`: the daily job against real peers at a set archive latency, at concurrency 1 and 8,
 * against the physical limit (archive requests × latency / ARCHIVE_CONCURRENCY). Prints figures, not a test:
 * it exits non-zero only when a run errors, never because a target was missed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { makeEntry, startArchiveStandIn, type ArchiveStandIn, type StandInRequest } from '../demo/archive-stand-in.js';
import { startMailSink, type MailSink } from '../sink/index.js';
import type { Night } from '../archive/night.js';
import { runYougotdata } from './bench-child.js';
import { createBenchDatabase, loadNotifications, startBenchServer, type BenchNotification } from './bench-database.js';
import { parseBenchOptions, UsageError, USAGE, type BenchOptions } from './bench-options.js';
import { detailsTable, figuresTable, targetLines, targets, type RunFigures } from './bench-report.js';

/** A fixed past night, so every run of the benchmark does the same work. */
const NIGHT = '20260115' as Night;
const SEMESTER = '2025B';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Every tenth row (ids 1, 11, 21, …) gets data; Gemini-North and -South alternate in blocks of ten, so both sites get data. */
const programOf = (id: number) => `G${Math.floor((id - 1) / 10) % 2 === 0 ? 'N' : 'S'}-${SEMESTER}-Q-${id}`;
const hasData = (id: number) => (id - 1) % 10 === 0;

function notificationsOf(n: number): BenchNotification[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const program = programOf(id);
    return {
      id,
      label: `Auto - ${program}`,
      selection: `${program}/science`,
      piemail: `PI ${id} <pi${id}@example.edu>`,
      ngoemail: 'ngo@example.org',
      csemail: `cs.${programOf(id)[1] === 'S' ? 'south' : 'north'}@example.org`,
    };
  });
}

/** `count` science files of a program, a minute apart from 06:00 UTC on the night's date: inside both sites' nights. */
function scienceFiles(programId: string, count: number): Record<string, unknown>[] {
  const start = Date.UTC(Number(NIGHT.slice(0, 4)), Number(NIGHT.slice(4, 6)) - 1, Number(NIGHT.slice(6, 8)), 6);
  return Array.from({ length: count }, (_, i) => makeEntry({
    programId, ut: new Date(start + i * 60_000).toISOString(), observationClass: 'science', observationType: 'OBJECT', qaState: 'Pass',
  }));
}

interface Peers {
  archive: ArchiveStandIn;
  sink: MailSink;
}

interface RunPlan {
  name: string;
  concurrency: number;
  lookbackNights: number;
}

/** The stand-in keeps only its latest requests: drained here often, so a 20,000-request run is counted whole. */
function collectRequests(archive: ArchiveStandIn): { stop(): StandInRequest[] } {
  const seen: StandInRequest[] = [];
  const drain = () => {
    for (const request of archive.requests.splice(0)) seen.push(request);
  };
  const timer = setInterval(drain, 200);
  return {
    stop() {
      clearInterval(timer);
      drain();
      return seen;
    },
  };
}

/** Busy and total jiffies of all CPUs (Linux /proc/stat), null elsewhere: how saturated the whole machine was. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by every process named `postgres` and the backends they reaped (Linux /proc), null elsewhere. */
function postgresCpuSeconds(): number | null {
  try {
    const ticksPerSecond = 100;
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime, stime, and cutime, cstime: a backend that has exited is counted in the postmaster's children's times.
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
    }
    return total;
  } catch {
    return null;
  }
}

/** How busy the machine is before a run, over `ms`: other people's work skews every figure. */
async function backgroundBusyPercent(ms: number): Promise<number | null> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  return before && after && after.total > before.total ? ((after.busy - before.busy) / (after.total - before.total)) * 100 : null;
}

const QUIET_WAIT_LIMIT_MS = 10 * 60_000;

async function untilQuiet(belowPercent: number): Promise<void> {
  const start = performance.now();
  let busy = await backgroundBusyPercent(2000);
  if (busy === null || busy < belowPercent) return;
  say(`  waiting for the machine to be less than ${belowPercent}% busy (now ${busy.toFixed(0)}%)…`);
  while (busy !== null && busy >= belowPercent && performance.now() - start < QUIET_WAIT_LIMIT_MS) busy = await backgroundBusyPercent(2000);
  say(`  ${busy !== null && busy < belowPercent ? 'quiet' : 'still busy'} (${busy?.toFixed(0)}%) after ${((performance.now() - start) / 1000).toFixed(0)} s`);
}

function pageOf(path: string): 'jsonsummary' | 'summary' | 'other' {
  if (path.startsWith('/jsonsummary/')) return 'jsonsummary';
  if (path.startsWith('/summary/')) return 'summary';
  return 'other';
}

async function runOnce(plan: RunPlan, options: BenchOptions, peers: Peers, adminUrl: string, rows: readonly BenchNotification[]): Promise<RunFigures> {
  const database = await createBenchDatabase(adminUrl);
  try {
    await loadNotifications(database.url, rows);
    const { archive, sink } = peers;
    archive.resetStats();
    sink.clear();
    const connectionsBefore = sink.stats.connections;
    const acceptedBefore = sink.stats.accepted;
    const env = {
      DATABASE_URL: database.url,
      ARCHIVE_URL: archive.url,
      SMTP_URL: sink.smtpUrl,
      EMAIL_FROM: 'Gemini Observatory Archive <archive@gemini.test>',
      EMAIL_REPLY_TO: 'helpdesk@gemini.test',
      ARCHIVE_CONCURRENCY: String(plan.concurrency),
      LOOKBACK_NIGHTS: String(plan.lookbackNights),
    };
    const perRequestMs = options.latencyMs + 5;
    const timeoutMs = 120_000 + (5 * (1 + plan.lookbackNights) * rows.length * perRequestMs) / plan.concurrency;
    if (options.quietBelowPercent !== null) await untilQuiet(options.quietBelowPercent);
    const backgroundBusy = await backgroundBusyPercent(1000);
    const requests = collectRequests(archive);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const ticksBefore = machineTicks();
    const postgresBefore = postgresCpuSeconds();
    const child = await runYougotdata(['send', '--date', NIGHT, '--json', '--concurrency', String(plan.concurrency)], env, timeoutMs);
    const cpu = process.cpuUsage(cpuBefore);
    const ticksAfter = machineTicks();
    const postgresAfter = postgresCpuSeconds();
    loop.disable();
    const seen = requests.stop();

    let totals: Record<string, number> = {};
    let error: string | null = null;
    try {
      totals = (JSON.parse(child.stdout) as { totals: Record<string, number> }).totals ?? {};
    } catch {
      error = `send printed no JSON report (${child.stdout.length} bytes on stdout)`;
    }
    if (child.timedOut) error = `send did not finish within ${(timeoutMs / 1000).toFixed(0)} s and was killed`;
    else if (child.code !== 0) error = `send exited ${child.code ?? `on signal ${child.signal}`}`;
    if (error) {
      const tail = child.stderr.trim().split('\n').slice(-15).join('\n');
      say(`${plan.name}: ERROR: ${error}${tail ? `\n--- stderr (last lines) ---\n${tail}\n---` : ''}`);
    }
    const pages = { jsonsummary: 0, summary: 0, other: 0 };
    for (const request of seen) pages[pageOf(request.path)] += 1;
    const first = seen[0]?.at;
    const last = seen.reduce((latest, request) => Math.max(latest, request.at), 0);
    return {
      name: plan.name,
      concurrency: plan.concurrency,
      lookbackNights: plan.lookbackNights,
      notifications: rows.length,
      expectedMails: rows.filter((row) => hasData(row.id)).length,
      latencyMs: options.latencyMs,
      wallMs: child.wallMs,
      requests: archive.stats.total,
      jsonsummary: pages.jsonsummary,
      summaryPages: pages.summary,
      otherPages: pages.other,
      non200: seen.filter((request) => request.status !== 200).length,
      peakInFlight: archive.stats.peakInFlight,
      smtpConnections: sink.stats.connections - connectionsBefore,
      mailsAccepted: sink.stats.accepted - acceptedBefore,
      totals,
      peakRssBytes: child.peakRssBytes,
      rssSource: child.rssSource,
      jobCpuMs: child.cpuMs,
      peersCpuPercent: ((cpu.user + cpu.system) / 1000 / child.wallMs) * 100,
      backgroundBusyPercent: backgroundBusy,
      postgresCpuPercent: postgresBefore !== null && postgresAfter !== null ? ((postgresAfter - postgresBefore) * 1000 / child.wallMs) * 100 : null,
      machineBusyPercent: ticksBefore && ticksAfter && ticksAfter.total > ticksBefore.total
        ? ((ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total)) * 100 : null,
      peersLoopP50Ms: loop.percentile(50) / 1e6,
      peersLoopP99Ms: loop.percentile(99) / 1e6,
      peersLoopMaxMs: loop.max / 1e6,
      startupMs: first === undefined ? null : first - child.startedAt,
      tailMs: first === undefined ? null : child.endedAt - (last + options.latencyMs),
      exitCode: child.code,
      error,
    };
  } finally {
    await database.drop().catch((dropError: unknown) => say(`could not drop the run's database: ${(dropError as Error).message}`));
  }
}

function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() || 'unknown CPU';
  return `${cores.length} × ${model}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n(add --help for usage)\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const plans: RunPlan[] = options.concurrencies.map((c) => ({ name: `C=${c}`, concurrency: c, lookbackNights: 0 }));
  const highest = Math.max(...options.concurrencies);
  if (options.lookbackNights !== null && options.lookbackNights !== 0) {
    plans.push({ name: `C=${highest} look-back ${options.lookbackNights}`, concurrency: highest, lookbackNights: options.lookbackNights });
  }
  const rows = notificationsOf(options.n);
  const withData = rows.filter((row) => hasData(row.id));

  say('starting PostgreSQL, the archive stand-in and the mail sink…');
  const started = performance.now();
  const server = await startBenchServer(process.env);
  let archive: ArchiveStandIn | undefined;
  let sink: MailSink | undefined;
  const runs: RunFigures[] = [];
  try {
    [archive, sink] = await Promise.all([startArchiveStandIn(), startMailSink()]);
    archive.addEntries(withData.flatMap((row) => scienceFiles(programOf(row.id), options.filesPerProgram)));
    archive.setLatency(options.latencyMs);
    for (const [index, plan] of plans.entries()) {
      say(`run ${index + 1}/${plans.length}: ${plan.name} (ARCHIVE_CONCURRENCY=${plan.concurrency}, LOOKBACK_NIGHTS=${plan.lookbackNights}), N=${options.n}…`);
      const figures = await runOnce(plan, options, { archive, sink }, server.adminUrl, rows);
      say(`  ${(figures.wallMs / 1000).toFixed(2)} s, ${figures.requests} archive requests, exit ${figures.exitCode ?? 'killed'}`);
      runs.push(figures);
    }
  } finally {
    await Promise.all([archive?.close(), sink?.close()]);
    await server.stop().catch(() => {});
  }

  const main = runs.filter((run) => run.lookbackNights === 0);
  const baseline = main.find((run) => run.concurrency === 1);
  const lookback = runs.filter((run) => run.lookbackNights !== 0);
  const out: string[] = [
    '',
    `yougotdata benchmark: N=${options.n} notifications (<progid>/science; ${withData.length} with data, ${options.filesPerProgram} files each), `
      + `archive latency ${options.latencyMs} ms, night ${NIGHT}`,
    `machine: ${machine()}`,
    `PostgreSQL: ${server.description}; peers (archive stand-in, mail sink) in the benchmark's process; send: node dist/cli.js send --json as a child process`,
    `ideal = archive requests × latency / ARCHIVE_CONCURRENCY; ratio = wall / ideal; speed-up = wall at C=1 / wall; wall = spawn to exit of send`,
    '',
    figuresTable(runs, baseline),
    '',
    detailsTable(runs),
    '',
    ...lookback.map((run) => `look-back: LOOKBACK_NIGHTS=${run.lookbackNights} at concurrency ${run.concurrency}: ${run.requests} archive requests `
      + `(${(run.requests / run.notifications).toFixed(2)} per row), wall ${(run.wallMs / 1000).toFixed(2)} s, `
      + `ideal ${((run.requests * run.latencyMs) / run.concurrency / 1000).toFixed(2)} s`
      + `${run.error ? ` — ERROR: ${run.error}` : ''}`),
    ...(lookback.length ? [''] : []),
    targetLines(targets(runs, main)),
    '',
    `total benchmark time ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const errored = runs.filter((run) => run.error !== null);
  if (errored.length > 0) {
    process.stdout.write(`ERROR: ${errored.map((run) => `${run.name}: ${run.error}`).join('; ')}\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
