/**
 * The metrics files as their real readers take them: `promtool check metrics` (parse and lint) and
 * node_exporter's textfile collector, scraped over HTTP. Debian's prometheus and
 * prometheus-node-exporter packages bring them; CI installs them (see test/harness/tools.ts).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAILURE_CLASSES } from '../../src/bounce/reading.js';
import { STATUSES } from '../../src/domain/result.js';
import { modeMetricsFile, writeMetricsFile } from '../../src/monitoring/metrics-file.js';
import { metricsFileText } from '../../src/monitoring/metrics-text.js';
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

/** The next day's PI run, which failed; the run log held the success of runSummary(). */
const nextDayFailedPi = runSummary({
  runId: 'run-3',
  startedAt: new Date('2026-11-28T18:00:00.000Z'),
  endedAt: new Date('2026-11-28T18:00:03.500Z'),
  exitCode: 1,
  lastSuccessAt: runSummary().endedAt,
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
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
});

describe.skipIf(!PROMTOOL)('promtool check metrics', () => {
  const promtool = () => PROMTOOL as string;

  const passes = async (file: string) => {
    const result = await checkMetrics(promtool(), file);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  };

  it('passes the file of a PI run', async () => {
    await writeMetricsFile(target, runSummary());
    await passes(modeMetricsFile(target, 'pi'));
  });

  it('passes the file of a failed first CHECK run, which has no last success', async () => {
    await writeMetricsFile(target, failedCheckSummary());
    await passes(modeMetricsFile(target, 'check'));
  });

  it('passes the file of a failed run that carries an earlier success', async () => {
    await writeMetricsFile(target, nextDayFailedPi);
    await passes(modeMetricsFile(target, 'pi'));
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
  /** 7 series, one per status and one per bounce class for PI, the same less the last success for CHECK (it never succeeded). */
  const BOTH_MODES = 2 * (7 + STATUSES.length + FAILURE_CLASSES.length) - 1;

  it('serves both modes, with the values of each run, after a PI run then a CHECK run', async () => {
    await writeMetricsFile(target, runSummary());
    await writeMetricsFile(target, failedCheckSummary());
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expectRun(samples, runSummary(), runSummary().endedAt);
    expectRun(samples, failedCheckSummary(), undefined);
    expect(ourSamples(samples)).toHaveLength(BOTH_MODES);
  });

  it('serves both modes after each of 20 pairs of runs that end at the same moment', async () => {
    for (let round = 0; round < 20; round++) {
      const pi = runSummary({ archiveRequests: round });
      const check = failedCheckSummary({ archiveRequests: round });
      await Promise.all([writeMetricsFile(target, pi), writeMetricsFile(target, check)]);
      const samples = await scrape();
      expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
      expectRun(samples, pi, pi.endedAt);
      expectRun(samples, check, undefined);
    }
  });

  it('serves the last success the run log held after a failed run', async () => {
    await writeMetricsFile(target, nextDayFailedPi);
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expectRun(samples, nextDayFailedPi, runSummary().endedAt);
  });

  it("an earlier version's shared file goes with the first run: a mode without its own file is absent, not stale", async () => {
    // What the earlier version left: both modes in the one file METRICS_FILE names.
    await writeFile(target, metricsFileTextOfBoth());
    expect(scrapedValue(await scrape(), 'yougotdata_last_run_exit_code', { mode: 'check' })).toBe(0);
    await writeMetricsFile(target, runSummary({ exitCode: 1 }));
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expect(scrapedValue(samples, 'yougotdata_last_run_exit_code', { mode: 'pi' })).toBe(1);
    expect(ourSamples(samples).filter((sample) => sample.labels.mode === 'check')).toEqual([]);
  });

  it("recovers from a corrupted mode's file, which it reports as a scrape error, once a run replaces it", async () => {
    await writeFile(modeMetricsFile(target, 'check'), 'yougotdata_last_run_exit_code{mode="check"} zero\nnot a metric at all\n');
    expect(scrapedValue(await scrape(), 'node_textfile_scrape_error')).toBe(1);
    await writeMetricsFile(target, failedCheckSummary());
    const samples = await scrape();
    expect(scrapedValue(samples, 'node_textfile_scrape_error')).toBe(0);
    expectRun(samples, failedCheckSummary(), undefined);
    expect(ourSamples(samples).filter((sample) => sample.labels.mode === 'pi')).toEqual([]);
  });

  it('never serves a scrape error or a missing mode while runs rewrite the files', async () => {
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
        expect(ourSamples(samples)).toHaveLength(BOTH_MODES);
        scrapes += 1;
      }
    } finally {
      await writer;
    }
    expect(scrapes).toBeGreaterThan(5);
  });
});

/** Both modes in one file, as the earlier version wrote METRICS_FILE: per family its HELP and TYPE, PI's samples, CHECK's. */
function metricsFileTextOfBoth(): string {
  const nameOf = (line: string) => (line.startsWith('#') ? (line.split(' ')[2] ?? '') : (line.split('{')[0] ?? ''));
  const pi = metricsFileText(runSummary()).trimEnd().split('\n');
  const check = metricsFileText(failedCheckSummary({ exitCode: 0 }))
    .trimEnd()
    .split('\n')
    .filter((line) => !line.startsWith('#'));
  const families = [...new Set(pi.map(nameOf))];
  return `${families.flatMap((name) => [...pi.filter((line) => nameOf(line) === name), ...check.filter((line) => nameOf(line) === name)]).join('\n')}\n`;
}
