/**
 * The metrics file as its real readers take it: `promtool check metrics` (parse and lint) and
 * node_exporter's textfile collector, scraped over HTTP. Debian's prometheus and
 * prometheus-node-exporter packages bring them; CI installs them (see test/harness/tools.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATUSES } from '../../src/domain/result.js';
import { writeMetricsFile } from '../../src/monitoring/metrics-file.js';
import {
  checkMetrics,
  expectRun,
  findNodeExporter,
  findPromtool,
  type NodeExporter,
  ourSamples,
  type Scraped,
  scrapedValue,
  startNodeExporter,
} from '../harness/prometheus.js';
import { failedCheckSummary, runSummary } from '../harness/run-summary.js';

const PROMTOOL = findPromtool();
const NODE_EXPORTER = findNodeExporter();

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
    const result = await checkMetrics(promtool(), target);
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
    const lint = await checkMetrics(promtool(), target);
    expect(lint.code).not.toBe(0);
    expect(lint.stdout + lint.stderr).toMatch(/_total/);
    await writeFile(target, 'yougotdata_last_run_exit_code{mode="pi"} zero\n');
    expect((await checkMetrics(promtool(), target)).code).not.toBe(0);
  });
});

describe.skipIf(!NODE_EXPORTER)('node_exporter textfile collector', () => {
  let exporter: NodeExporter | undefined;
  // Thrown by each scrape, so that each test fails when node_exporter does not start.
  let notStarted: unknown;

  beforeAll(async () => {
    try {
      exporter = await startNodeExporter(NODE_EXPORTER as string, dir);
    } catch (error) {
      notStarted = error;
    }
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  const scrape = async (): Promise<Scraped[]> => {
    if (notStarted || !exporter) throw notStarted;
    return exporter.scrape();
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
