/**
 * The metrics files that real `send` runs leave behind (METRICS_FILE in a folder of its own: one file per mode beside
 * it), as promtool and node_exporter's textfile collector read them: both modes' series with the runs' figures, runs
 * of the two modes at the same moment, the last success from the run log.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_CLASSES } from '../../src/bounce/reading.js';
import { STATUSES, type Status } from '../../src/domain/result.js';
import { janeDoeRow, NIGHT, scienceFiles, spawnYougotdata, usePeers } from '../harness/peers.js';
import { closedPort, type PingServer, startPingServer } from '../harness/ping-server.js';
import {
  checkMetrics,
  findNodeExporter,
  findPromtool,
  type NodeExporter,
  ourSamples,
  type Scraped,
  scrapedValue,
  startNodeExporter,
} from '../harness/prometheus.js';
import { piRow } from '../harness/reliability.js';
import { statusTotals } from '../harness/run-summary.js';

const PROMTOOL = findPromtool();
const NODE_EXPORTER = findNodeExporter();

const peers = usePeers();

let dir: string;
let target: string;
let exporter: NodeExporter | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yougotdata-send-metrics-'));
  target = join(dir, 'yougotdata.prom');
  if (NODE_EXPORTER) exporter = await startNodeExporter(NODE_EXPORTER, dir);
});
afterAll(async () => {
  await exporter?.stop();
  await rm(dir, { recursive: true, force: true });
});
/** Each test starts from no file at all, as on a new host. */
async function noFile() {
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}

const env = (extra: Record<string, string> = {}) => ({ ...peers.env, METRICS_FILE: target, ...extra });

/** A run of the built CLI, with the wall-clock times around it that its timestamps must fall between. */
async function timedRun(args: readonly string[], extra: Record<string, string> = {}) {
  const before = Date.now() / 1000;
  const run = await spawnYougotdata(['send', '--date', NIGHT, ...args], env(extra));
  return { run, before, after: Date.now() / 1000 };
}

/** Notifications 101 (Jane Doe), 102 (no data), 103 (data, no PI address) and 104 (data, its own contact scientist). */
async function fourNotifications() {
  await peers.addNotifications([janeDoeRow, piRow(102), piRow(103, { piemail: 'N/A' }), piRow(104, { csemail: 'cs104@gemini.test' })]);
  peers.archive.addEntries([
    ...scienceFiles('GN-2026B-Q-101', 2),
    ...scienceFiles('GN-2026B-Q-103', 1),
    ...scienceFiles('GN-2026B-Q-104', 3),
  ]);
  peers.summit.addEntries([
    ...scienceFiles('GN-2026B-Q-101', 1, NIGHT, { qaState: 'CHECK' }),
    ...scienceFiles('GN-2026B-Q-104', 1, NIGHT, { qaState: 'CHECK' }),
  ]);
}

interface Expected {
  exitCode: number;
  totals: Record<Status, number>;
  messagesSent: number;
  archiveRequests: number;
}

/** One mode's series as scraped: the run's figures, and its timestamps within the run's wall-clock bounds. */
function expectMode(samples: Scraped[], mode: string, run: Expected, bounds: { before: number; after: number }) {
  const value = (name: string, labels: Record<string, string> = {}) => scrapedValue(samples, name, { mode, ...labels });
  const start = value('yougotdata_last_run_start_timestamp_seconds') as number;
  const end = value('yougotdata_last_run_end_timestamp_seconds') as number;
  expect(start).toBeGreaterThanOrEqual(Math.floor(bounds.before));
  expect(end).toBeGreaterThanOrEqual(start);
  expect(end).toBeLessThanOrEqual(Math.ceil(bounds.after));
  expect(value('yougotdata_last_run_duration_seconds')).toBeCloseTo(end - start, 3);
  expect(value('yougotdata_last_run_exit_code')).toBe(run.exitCode);
  for (const status of STATUSES) expect(value('yougotdata_last_run_notifications', { status }), status).toBe(run.totals[status]);
  expect(value('yougotdata_last_run_messages_sent')).toBe(run.messagesSent);
  expect(value('yougotdata_last_run_archive_requests')).toBe(run.archiveRequests);
  return { start, end };
}

const PI_RUN: Expected = {
  exitCode: 0,
  totals: statusTotals({ sent: 2, 'no-data': 1, 'no-recipients': 1 }),
  messagesSent: 2,
  archiveRequests: 4,
};
const FAILED_CHECK_RUN: Expected = {
  exitCode: 1,
  totals: statusTotals({ sent: 1, 'no-data': 2, failed: 1 }),
  messagesSent: 1,
  archiveRequests: 4,
};

describe('the metrics file after a PI run, then a CHECK run that fails', () => {
  let pi: Awaited<ReturnType<typeof timedRun>>;
  let check: Awaited<ReturnType<typeof timedRun>>;

  beforeAll(async () => {
    // Its tests read what these two runs left: usePeers' reset before each test leaves the file alone.
    await noFile();
    await fourNotifications();
    pi = await timedRun([]);
    peers.sink.faults.rejectRecipient('cs104@gemini.test', { code: 550, message: 'mailbox unavailable' });
    check = await timedRun(['--check']);
  });

  it('is what the runs did: one file per mode, beside METRICS_FILE', async () => {
    expect(pi.run.code).toBe(0);
    expect(check.run.code).toBe(1);
    expect(check.run.stdout).toContain('failed');
    expect((await readdir(dir)).sort()).toEqual(['yougotdata-check.prom', 'yougotdata-pi.prom']);
    const piText = await readFile(join(dir, 'yougotdata-pi.prom'), 'utf8');
    const checkText = await readFile(join(dir, 'yougotdata-check.prom'), 'utf8');
    expect(piText).toMatch(/^# HELP yougotdata_last_run_start_timestamp_seconds /);
    expect(piText).toContain('yougotdata_last_run_exit_code{mode="pi"} 0\n');
    expect(checkText).toContain('yougotdata_last_run_exit_code{mode="check"} 1\n');
    expect(piText).not.toContain('mode="check"');
    expect(checkText).not.toContain('mode="pi"');
  });

  it.skipIf(!PROMTOOL)('passes promtool check metrics, each file', async () => {
    for (const file of ['yougotdata-pi.prom', 'yougotdata-check.prom']) {
      expect(await checkMetrics(PROMTOOL as string, join(dir, file))).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });

  it.skipIf(!NODE_EXPORTER)('is served by node_exporter with both modes and no scrape error', async () => {
    const samples = await (exporter as NodeExporter).scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    const piTimes = expectMode(samples, 'pi', PI_RUN, pi);
    const checkTimes = expectMode(samples, 'check', FAILED_CHECK_RUN, check);
    expect(checkTimes.start).toBeGreaterThanOrEqual(piTimes.end);
    // The PI run's success is its end; the CHECK mode has never succeeded.
    expect(scrapedValue(samples, 'yougotdata_last_success_timestamp_seconds', { mode: 'pi' })).toBe(piTimes.end);
    expect(scrapedValue(samples, 'yougotdata_last_success_timestamp_seconds', { mode: 'check' })).toBeUndefined();
    expect(ourSamples(samples)).toHaveLength(2 * (7 + STATUSES.length + FAILURE_CLASSES.length) - 1);
  });
});

describe('a PI run and a CHECK run that end at the same moment (both timers catching up after downtime)', () => {
  /**
   * A monitor that holds both runs' start pings and answers them at one instant, a second after the second one came:
   * each run, its work done by then, writes its metrics when its start ping is answered, so the two write together.
   */
  async function togetherMonitor(): Promise<PingServer> {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let starts = 0;
    return startPingServer(async (_n, ping) => {
      if (!ping.pathname.endsWith('/start')) return 200;
      starts += 1;
      if (starts === 2) setTimeout(release, 1000);
      await released;
      return 200;
    });
  }

  it.skipIf(!NODE_EXPORTER)(
    'leave both modes served by node_exporter, each time',
    async () => {
      await noFile();
      await fourNotifications();
      for (let round = 0; round < 3; round++) {
        const monitor = await togetherMonitor();
        try {
          const extra = { HEALTHCHECK_URL: monitor.url };
          const [piRun, checkRun] = await Promise.all([timedRun([], extra), timedRun(['--check'], extra)]);
          expect([piRun.run.code, checkRun.run.code]).toEqual([0, 0]);
          // Both start pings were answered in time: the runs wrote their metrics at that one instant.
          expect(piRun.run.stderr + checkRun.run.stderr).not.toContain('healthcheck');
          const samples = await (exporter as NodeExporter).scrape();
          expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
          // This round's runs, both of them, every series.
          const end = (mode: string) => scrapedValue(samples, 'yougotdata_last_run_end_timestamp_seconds', { mode }) ?? 0;
          expect(end('pi')).toBeGreaterThanOrEqual(Math.floor(piRun.before));
          expect(end('check')).toBeGreaterThanOrEqual(Math.floor(checkRun.before));
          expect(ourSamples(samples)).toHaveLength(2 * (7 + STATUSES.length + FAILURE_CLASSES.length));
        } finally {
          await monitor.close();
        }
      }
    },
    60_000,
  );
});

describe('the last success', () => {
  /** When the run log says the last run of `mode` that exited 0 ended, in seconds. */
  async function runLogSuccess(mode: string): Promise<number> {
    const { rows } = await peers.db.pool.query('SELECT max(finished_at) AS at FROM yougotdata_run WHERE mode = $1 AND exit_code = 0', [
      mode,
    ]);
    return (rows[0].at as Date).getTime() / 1000;
  }

  it.skipIf(!NODE_EXPORTER)('of a mode is read from the run log when its next run fails; the other mode is left alone', async () => {
    await noFile();
    await fourNotifications();
    const pi = await timedRun([]);
    const good = await timedRun(['--check', '--match', '101']);
    expect([pi.run.code, good.run.code]).toEqual([0, 0]);
    const before = await (exporter as NodeExporter).scrape();
    const success = scrapedValue(before, 'yougotdata_last_success_timestamp_seconds', { mode: 'check' });
    expect(success).toBe(scrapedValue(before, 'yougotdata_last_run_end_timestamp_seconds', { mode: 'check' }));

    peers.sink.faults.rejectRecipient('cs104@gemini.test', { code: 550, message: 'mailbox unavailable' });
    const failed = await timedRun(['--check']);
    expect(failed.run.code).toBe(1);
    const after = await (exporter as NodeExporter).scrape();
    expect(scrapedValue(after, 'node_textfile_scrape_error')).toBe(0);
    // The 101 notice went out in the good run: now already-sent.
    expectMode(
      after,
      'check',
      { ...FAILED_CHECK_RUN, totals: statusTotals({ 'already-sent': 1, 'no-data': 2, failed: 1 }), messagesSent: 0 },
      failed,
    );
    // The good run's end as the run log recorded it: within a second of the end the good run wrote itself.
    const fromLog = await runLogSuccess('check');
    expect(scrapedValue(after, 'yougotdata_last_success_timestamp_seconds', { mode: 'check' })).toBe(fromLog);
    expect(Math.abs(fromLog - (success as number))).toBeLessThan(1);
    const piSeries = (samples: Scraped[]) => ourSamples(samples).filter((sample) => sample.labels.mode === 'pi');
    expect(piSeries(after)).toEqual(piSeries(before));
  });

  it('is left out by a run that cannot reach the database (exit 75): unknown, not made up', async () => {
    await noFile();
    const unreachable = `postgres://yougotdata@127.0.0.1:${await closedPort()}/fits`;
    const { run } = await timedRun([], { DATABASE_URL: unreachable });
    expect(run.code).toBe(75);
    const text = await readFile(join(dir, 'yougotdata-pi.prom'), 'utf8');
    expect(text).toContain('yougotdata_last_run_exit_code{mode="pi"} 75\n');
    expect(text).not.toContain('yougotdata_last_success_timestamp_seconds');
  });
});

describe('no metrics file is written', () => {
  const servers: PingServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('METRICS_FILE in a folder that does not exist: exit 2 at start, one line, nothing searched, sent or pinged', async () => {
    await noFile();
    await fourNotifications();
    const monitor = await startPingServer();
    servers.push(monitor);
    const missing = join(dir, 'no-such-folder', 'yougotdata.prom');
    const run = await spawnYougotdata(['send', '--date', NIGHT], env({ METRICS_FILE: missing, HEALTHCHECK_URL: monitor.url }));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `yougotdata: configuration: METRICS_FILE ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist\n`,
    );
    expect(run.stdout).toBe('');
    expect(monitor.requests).toEqual([]);
    expect(peers.archive.requests).toEqual([]);
    expect(peers.sink.messages()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('by a dry run', async () => {
    await noFile();
    await fourNotifications();
    const { run } = await timedRun(['--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dry-run');
    expect(await readdir(dir)).toEqual([]);
  });
});
