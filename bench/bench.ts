/**
 * `npm run bench`: the daily job against real peers at a set archive latency, at concurrency 1 and 8,
 * against the physical limit (archive requests × latency / ARCHIVE_CONCURRENCY). Prints figures, not a test:
 * it exits non-zero only when a run errors, never because a target was missed.
 */
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { postgresServer } from '../src/demo/embedded-postgres.js';
import type { NotificationRow } from '../src/demo/fitsstorage-table.js';
import { loadNotifications } from '../src/demo/fitsstorage-table.js';
import { createScratchDatabase } from '../src/demo/scratch-database.js';
import { type MailSink, startMailSink } from '../src/sink/index.js';
import { type BenchArchive, startBenchArchive } from './archive.js';
import { runYougotdata, shebangFlags } from './child.js';
import { hasData, NIGHT, notificationsOf, programOf } from './data.js';
import { bareClientRun, type FloorRun } from './floor.js';
import { busyPercentBetween, busyPercentOver, machineTicks, postgresCpuSeconds, stealPercentBetween, untilQuiet } from './machine.js';
import { type BenchOptions, parseBenchOptions, USAGE, UsageError } from './options.js';
import { figuresTable, floorLine, idealMs, type RunFigures, resourcesTable, targetLines, targets, workTable } from './report.js';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

interface Peers {
  archive: BenchArchive;
  sink: MailSink;
}

interface RunPlan {
  name: string;
  concurrency: number;
  lookbackNights: number;
}

async function runOnce(
  plan: RunPlan,
  options: BenchOptions,
  peers: Peers,
  adminUrl: string,
  rows: readonly NotificationRow[],
): Promise<RunFigures> {
  const database = await createScratchDatabase(adminUrl, 'yougotdata_bench');
  try {
    await loadNotifications(database.url, rows);
    const { archive, sink } = peers;
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
    if (options.quietBelowPercent !== null) await untilQuiet(options.quietBelowPercent, say);
    const backgroundBusy = await busyPercentOver(1000);
    await archive.start();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const sinkBusySince = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const ticksBefore = machineTicks();
    const postgresBefore = postgresCpuSeconds();
    const child = await runYougotdata(['send', '--date', NIGHT, '--json', '--concurrency', String(plan.concurrency)], env, timeoutMs);
    const cpu = process.cpuUsage(cpuBefore);
    const ticksAfter = machineTicks();
    const postgresAfter = postgresCpuSeconds();
    loop.disable();
    const sinkUtilization = performance.eventLoopUtilization(sinkBusySince).utilization;
    const seen = await archive.stop();

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
    return {
      name: plan.name,
      concurrency: plan.concurrency,
      lookbackNights: plan.lookbackNights,
      notifications: rows.length,
      expectedMails: rows.filter((row) => hasData(row.id, options.dataPercent)).length,
      latencyMs: options.latencyMs,
      wallMs: child.wallMs,
      requests: seen.total,
      jsonsummary: seen.pages.jsonsummary,
      summaryPages: seen.pages.summary,
      otherPages: seen.pages.other,
      non200: seen.non200,
      peakInFlight: seen.peakInFlight,
      smtpConnections: sink.stats.connections - connectionsBefore,
      mailsAccepted: sink.stats.accepted - acceptedBefore,
      totals,
      peakRssBytes: child.peakRssBytes,
      rssSource: child.rssSource,
      jobCpuMs: child.cpuMs,
      peersCpuPercent: ((cpu.user + cpu.system) / 1000 / child.wallMs) * 100,
      backgroundBusyPercent: backgroundBusy,
      postgresCpuPercent:
        postgresBefore !== null && postgresAfter !== null ? (((postgresAfter - postgresBefore) * 1000) / child.wallMs) * 100 : null,
      machineBusyPercent: busyPercentBetween(ticksBefore, ticksAfter),
      machineStealPercent: stealPercentBetween(ticksBefore, ticksAfter),
      archive: { utilization: seen.utilization, loopP50Ms: seen.loopP50Ms, loopP99Ms: seen.loopP99Ms, loopMaxMs: seen.loopMaxMs },
      sink: { utilization: sinkUtilization, loopP99Ms: loop.percentile(99) / 1e6 },
      startupMs: seen.firstAt === null ? null : seen.firstAt - child.startedAt,
      tailMs: seen.lastAt === null ? null : child.endedAt - (seen.lastAt + options.latencyMs),
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
  return (
    `${cores.length} × ${model}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, ` +
    `Node ${process.version}, ${process.platform}/${process.arch}`
  );
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
  const withData = rows.filter((row) => hasData(row.id, options.dataPercent));

  say('starting PostgreSQL, the archive stand-in and the mail sink…');
  const started = performance.now();
  const server = await postgresServer(process.env, ['BENCH_DATABASE_URL']);
  let archive: BenchArchive | undefined;
  let sink: MailSink | undefined;
  const runs: RunFigures[] = [];
  let floor: FloorRun | null = null;
  try {
    [archive, sink] = await Promise.all([
      startBenchArchive({
        programs: withData.map((row) => programOf(row.id)),
        filesPerProgram: options.filesPerProgram,
        latencyMs: options.latencyMs,
      }),
      startMailSink(),
    ]);
    if (options.floor) {
      say(`floor: a bare client with ${highest} connections, ${rows.length} requests to the same stand-in…`);
      const paths = rows.map((row) => `/jsonsummary/night=${NIGHT}/${encodeURIComponent(programOf(row.id))}/science`);
      floor = await bareClientRun(archive, paths, highest, options.latencyMs);
      say(`  ${(floor.wallMs / 1000).toFixed(2)} s`);
    }
    for (const [index, plan] of plans.entries()) {
      say(
        `run ${index + 1}/${plans.length}: ${plan.name} ` +
          `(ARCHIVE_CONCURRENCY=${plan.concurrency}, LOOKBACK_NIGHTS=${plan.lookbackNights}), N=${options.n}…`,
      );
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
    `yougotdata benchmark: N=${options.n} notifications ` +
      `(<progid>/science; ${withData.length} with data, ${options.filesPerProgram} files each), ` +
      `archive latency ${options.latencyMs} ms, night ${NIGHT}`,
    `machine: ${machine()}`,
    `PostgreSQL: ${server.description}; archive stand-in: a worker thread of the benchmark; mail sink: its main thread; ` +
      `send: node ${[...shebangFlags(), 'dist/cli.js'].join(' ')} send --json (the flags of its #! line), a child process`,
    'ideal = archive requests × latency / ARCHIVE_CONCURRENCY; ratio = wall / ideal; ' +
      'speed-up = wall at C=1 / wall; wall = spawn to exit of send',
    '',
    figuresTable(runs, baseline),
    '',
    ...(floor
      ? [
          floorLine(
            floor,
            main.find((run) => run.concurrency === floor?.concurrency),
          ),
          '',
        ]
      : []),
    workTable(runs),
    '',
    resourcesTable(runs),
    '',
    'CPU % are of one core; machine busy % and steal % (CPU the hypervisor gave other guests) are of all cores; ' +
      "loop busy % is the event loop's utilisation; " +
      'ms/request = (wall − startup − tail) × concurrency / requests.',
    '',
    ...lookback.map(
      (run) =>
        `look-back: LOOKBACK_NIGHTS=${run.lookbackNights} at concurrency ${run.concurrency}: ${run.requests} archive requests ` +
        `(${(run.requests / run.notifications).toFixed(2)} per row), wall ${(run.wallMs / 1000).toFixed(2)} s, ` +
        `ideal ${(idealMs(run) / 1000).toFixed(2)} s` +
        `${run.error ? ` — ERROR: ${run.error}` : ''}`,
    ),
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
