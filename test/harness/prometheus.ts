/**
 * The metrics file's real readers: `promtool` (Debian's prometheus package) and node_exporter's textfile collector
 * (prometheus-node-exporter), found by debianTool, so a missing one is skipped with a line or fails CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { expect } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { STATUSES } from '../../src/domain/result.js';
import type { RunSummary } from '../../src/monitoring/run-summary.js';
import { debianTool } from './tools.js';

export const findPromtool = () => debianTool(['/usr/bin/promtool', 'promtool'], 'prometheus');
export const findNodeExporter = () =>
  debianTool(['/usr/bin/prometheus-node-exporter', 'node_exporter', 'prometheus-node-exporter'], 'prometheus-node-exporter');

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `promtool ARGS`, with `stdinFile` (if any) as its standard input. */
export async function promtool(binary: string, args: readonly string[], stdinFile?: string): Promise<Exited> {
  const input = stdinFile === undefined ? undefined : await open(stdinFile, 'r');
  try {
    return await new Promise<Exited>((resolve, reject) => {
      const child = spawn(binary, args, { stdio: [input?.fd ?? 'ignore', 'pipe', 'pipe'] });
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
    await input?.close();
  }
}

/** `promtool check metrics < file`: parse and lint. */
export const checkMetrics = (binary: string, file: string) => promtool(binary, ['check', 'metrics'], file);

/** A scraped sample; labels as node_exporter wrote them (its own order). */
export interface Scraped {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a scrape, read independently of the code under test (no escapes occur in these labels). */
export function samplesOf(exposition: string): Scraped[] {
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

export const scrapedValue = (samples: Scraped[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

export const ourSamples = (samples: Scraped[]) => samples.filter((sample) => sample.name.startsWith('yougotdata_'));

/** What node_exporter must show for one run: every series of its mode, with the values of the summary. */
export function expectRun(samples: Scraped[], run: RunSummary, lastSuccess: Date | undefined) {
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

/** A running node_exporter with only the textfile collector, reading one folder. */
export interface NodeExporter {
  url: string;
  scrape(): Promise<Scraped[]>;
  stop(): Promise<void>;
}

/** Starts it on a port that was free a moment ago; tries another if that one was taken meanwhile. */
export async function startNodeExporter(binary: string, textfileFolder: string): Promise<NodeExporter> {
  let log = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        '--collector.disable-defaults',
        '--collector.textfile',
        `--collector.textfile.directory=${textfileFolder}`,
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
    const url = `http://127.0.0.1:${port}/metrics`;
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      try {
        const response = await fetch(url);
        await response.text();
        if (response.ok) return running(child, url);
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
  }
  throw new Error(`node_exporter did not start:\n${log}`);
}

function running(child: ChildProcess, url: string): NodeExporter {
  return {
    url,
    async scrape() {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      return samplesOf(await response.text());
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
