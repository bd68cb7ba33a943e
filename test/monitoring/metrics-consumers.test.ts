/**
 * The metrics file as its real readers take it: `promtool check metrics` (parse and lint) and
 * node_exporter's textfile collector, scraped over HTTP. Debian's prometheus and
 * prometheus-node-exporter packages bring them; CI installs them (see test/harness/tools.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATUSES } from '../../src/domain/result.js';
import { writeMetricsFile } from '../../src/monitoring/metrics-file.js';
import type { RunSummary } from '../../src/monitoring/run-summary.js';
import { failedCheckSummary, runSummary } from '../harness/run-summary.js';
import { debianTool } from '../harness/tools.js';

const PROMTOOL = debianTool(['/usr/bin/promtool', 'promtool'], 'prometheus');
const NODE_EXPORTER = debianTool(
  ['/usr/bin/prometheus-node-exporter', 'node_exporter', 'prometheus-node-exporter'],
  'prometheus-node-exporter',
);

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `promtool check metrics < file`. */
async function promtoolCheck(promtool: string, file: string): Promise<Exited> {
  const input = await open(file, 'r');
  try {
    return await new Promise<Exited>((resolve, reject) => {
      const child = spawn(promtool, ['check', 'metrics'], { stdio: [input.fd, 'pipe', 'pipe'] });
      const out = { stdout: '', stderr: '' };
      child.stdout?.on('data', (chunk: Buffer) => {
        out.stdout += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        out.stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, ...out }));
    });
  } finally {
    await input.close();
  }
}

/** A scraped sample; labels as node_exporter wrote them (its own order). */
interface Scraped {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a scrape, read independently of the code under test (no escapes occur in these labels). */
function samplesOf(exposition: string): Scraped[] {
  const samples: Scraped[] = [];
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unexpected line in the scrape: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

const scrapedValue = (samples: Scraped[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

/** What node_exporter must show for one run: every series of its mode, with the values of the summary. */
function expectRun(samples: Scraped[], run: RunSummary, lastSuccess: Date | undefined) {
  const mode = { mode: run.mode };
  expect(scrapedValue(samples, 'yougotdata_last_run_start_timestamp_seconds', mode)).toBe(run.startedAt.getTime() / 1000);
  expect(scrapedValue(samples, 'yougotdata_last_run_end_timestamp_seconds', mode)).toBe(run.endedAt.getTime() / 1000);
  expect(scrapedValue(samples, 'yougotdata_last_run_duration_seconds', mode)).toBe(
    (run.endedAt.getTime() - run.startedAt.getTime()) / 1000,
  );
  expect(scrapedValue(samples, 'yougotdata_last_run_exit_code', mode)).toBe(run.exitCode);
  for (const status of STATUSES) {
    expect(scrapedValue(samples, 'yougotdata_last_run_notifications', { ...mode, status }), status).toBe(run.totals[status]);
  }
  expect(scrapedValue(samples, 'yougotdata_last_run_messages_sent', mode)).toBe(run.messagesSent);
  expect(scrapedValue(samples, 'yougotdata_last_run_archive_requests', mode)).toBe(run.archiveRequests);
  expect(scrapedValue(samples, 'yougotdata_last_success_timestamp_seconds', mode)).toBe(lastSuccess && lastSuccess.getTime() / 1000);
}

const ourSamples = (samples: Scraped[]) => samples.filter((sample) => sample.name.startsWith('yougotdata_'));

const nextDayFailedPi = runSummary({
  runId: 'run-3',
  startedAt: new Date('2026-11-28T18:00:00.000Z'),
  endedAt: new Date('2026-11-28T18:00:03.500Z'),
  exitCode: 1,
});

let dir: string;
let target: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yougotdata-textfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  target = join(dir, 'yougotdata.prom');
  await rm(target, { force: true });
});

describe.skipIf(!PROMTOOL)('promtool check metrics', () => {
  const promtool = () => PROMTOOL as string;

  const passes = async () => {
    const result = await promtoolCheck(promtool(), target);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  };

  it('passes the file after a PI run', async () => {
    await writeMetricsFile(target, runSummary());
    await passes();
  });

  it('passes the file after a PI run then a CHECK run', async () => {
    await writeMetricsFile(target, runSummary());
    await writeMetricsFile(target, failedCheckSummary());
    await passes();
  });

  it('passes the file after a failed first run, which has no last success', async () => {
    await writeMetricsFile(target, failedCheckSummary());
    await passes();
  });

  it('passes the file after a failed run that keeps an earlier success', async () => {
    await writeMetricsFile(target, runSummary());
    await writeMetricsFile(target, nextDayFailedPi);
    await passes();
  });

  it('does complain, as these tests rely on, of a lint problem and of a line it cannot parse', async () => {
    await writeFile(target, '# HELP yougotdata_runs runs\n# TYPE yougotdata_runs counter\nyougotdata_runs 1\n');
    const lint = await promtoolCheck(promtool(), target);
    expect(lint.code).not.toBe(0);
    expect(lint.stdout + lint.stderr).toMatch(/_total/);
    await writeFile(target, 'yougotdata_last_run_exit_code{mode="pi"} zero\n');
    expect((await promtoolCheck(promtool(), target)).code).not.toBe(0);
  });
});

describe.skipIf(!NODE_EXPORTER)('node_exporter textfile collector', () => {
  let exporter: ChildProcess | undefined;
  let url: string;
  // Thrown by each scrape, so that each test fails when node_exporter does not start.
  let notStarted: unknown;

  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });

  /** Starts it on a port that was free a moment ago; tries another if that one was taken meanwhile. */
  async function start(binary: string): Promise<void> {
    let log = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const child = spawn(
        binary,
        [
          '--collector.disable-defaults',
          '--collector.textfile',
          `--collector.textfile.directory=${dir}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      log = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
      });
      let exited = false;
      child.on('exit', () => {
        exited = true;
      });
      const deadline = Date.now() + 10_000;
      while (!exited && Date.now() < deadline) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/metrics`);
          await response.text();
          if (response.ok) {
            exporter = child;
            url = `http://127.0.0.1:${port}/metrics`;
            return;
          }
        } catch {}
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGKILL');
    }
    throw new Error(`node_exporter did not start:\n${log}`);
  }

  beforeAll(async () => {
    try {
      await start(NODE_EXPORTER as string);
    } catch (error) {
      notStarted = error;
    }
  });
  afterAll(async () => {
    const child = exporter;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });

  const scrape = async (): Promise<Scraped[]> => {
    if (notStarted) throw notStarted;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return samplesOf(await response.text());
  };

  it('serves both modes, with the values of each run, after a PI run then a CHECK run', async () => {
    await writeMetricsFile(target, runSummary());
    await writeMetricsFile(target, failedCheckSummary());
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expectRun(samples, runSummary(), runSummary().endedAt);
    expectRun(samples, failedCheckSummary(), undefined);
    // 7 series and one per status for PI, the same less the last success for CHECK.
    expect(ourSamples(samples)).toHaveLength(2 * (7 + STATUSES.length) - 1);
  });

  it('serves the last success of an earlier run after a failed one', async () => {
    await writeMetricsFile(target, runSummary());
    await writeMetricsFile(target, nextDayFailedPi);
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expectRun(samples, nextDayFailedPi, runSummary().endedAt);
  });

  it('recovers from a corrupted file, which it reports as a scrape error, once a run replaces it', async () => {
    await writeFile(target, 'yougotdata_last_run_exit_code{mode="pi"} zero\nnot a metric at all\n');
    expect(scrapedValue(await scrape(), 'node_textfile_scrape_error')).toBe(1);
    await writeMetricsFile(target, failedCheckSummary());
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expectRun(samples, failedCheckSummary(), undefined);
    expect(ourSamples(samples).filter((sample) => sample.labels.mode === 'pi')).toEqual([]);
  });

  it('never serves a scrape error or a missing mode while runs rewrite the file', async () => {
    await writeMetricsFile(target, runSummary());
    await writeMetricsFile(target, failedCheckSummary());
    let writing = true;
    const writer = (async () => {
      try {
        for (let run = 0; run < 60; run++) await writeMetricsFile(target, run % 2 ? runSummary() : failedCheckSummary());
      } finally {
        writing = false;
      }
    })();
    let scrapes = 0;
    try {
      while (writing) {
        const samples = await scrape();
        expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
        expect(ourSamples(samples)).toHaveLength(2 * (7 + STATUSES.length) - 1);
        scrapes += 1;
      }
    } finally {
      await writer;
    }
    expect(scrapes).toBeGreaterThan(5);
  });
});
