/**
 * The floor: what a client doing no work at all gets from the same stand-in on the same machine. undici with the
 * job's number of connections, each answer read and dropped. Timer and wake-up latencies of the machine, and the
 * stand-in's own cost per request, are in it; whatever the job adds above it is the job's.
 */
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import type { BenchArchive } from './archive.js';
import type { ArchiveRunStats } from './archive-worker.js';

export interface FloorRun {
  concurrency: number;
  requests: number;
  wallMs: number;
  latencyMs: number;
  stats: ArchiveRunStats;
}

export async function bareClientRun(
  archive: BenchArchive,
  paths: readonly string[],
  concurrency: number,
  latencyMs: number,
): Promise<FloorRun> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  await archive.start();
  let next = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let index = next++; index < paths.length; index = next++) {
          const { statusCode, body } = await agent.request({ origin: archive.url, path: paths[index] ?? '/', method: 'GET' });
          await body.text();
          if (statusCode !== 200) throw new Error(`the stand-in answered ${statusCode} to ${paths[index]}`);
        }
      }),
    );
  } finally {
    await agent.close();
  }
  const wallMs = performance.now() - start;
  return { concurrency, requests: paths.length, wallMs, latencyMs, stats: await archive.stop() };
}
