/**
 * The archive stand-in in a worker thread of its own: its event loop shares nothing with the mail sink's (which parses
 * every message it gets), so a late answer is the stand-in's own doing, and the worker reports how busy it was.
 */
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { type StandInRequest, startArchiveStandIn } from '../src/demo/archive-stand-in/index.js';
import { scienceFiles } from './data.js';

export interface ArchiveWorkerSetup {
  programs: string[];
  filesPerProgram: number;
  latencyMs: number;
}

/** What the stand-in saw during one run. */
export interface ArchiveRunStats {
  total: number;
  peakInFlight: number;
  pages: { jsonsummary: number; summary: number; other: number };
  non200: number;
  /** Epoch ms of the first and last request's arrival; null without requests. */
  firstAt: number | null;
  lastAt: number | null;
  /** The worker's event loop: busy fraction (0–1) and delays, ms. */
  utilization: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

export type ArchiveWorkerRequest = { id: number; type: 'start' | 'stop' | 'close' };
export type ArchiveWorkerMessage =
  | { type: 'ready'; url: string }
  | { type: 'done'; id: number; stats?: ArchiveRunStats }
  | { type: 'failed'; id?: number; error: string };

function pageOf(path: string): keyof ArchiveRunStats['pages'] {
  if (path.startsWith('/jsonsummary/')) return 'jsonsummary';
  if (path.startsWith('/summary/')) return 'summary';
  return 'other';
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('bench-archive-worker runs as a worker thread');
  const setup = workerData as ArchiveWorkerSetup;
  const archive = await startArchiveStandIn();
  archive.addEntries(setup.programs.flatMap((programId) => scienceFiles(programId, setup.filesPerProgram)));
  archive.setLatency(setup.latencyMs);

  // The stand-in keeps only its latest requests: drained here often, so a run of 80,000 requests is counted whole.
  let seen: StandInRequest[] = [];
  const drain = () => {
    for (const request of archive.requests.splice(0)) seen.push(request);
  };
  const drainer = setInterval(drain, 200);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let busySince: EventLoopUtilization = performance.eventLoopUtilization();

  const stop = (): ArchiveRunStats => {
    drain();
    loop.disable();
    const pages = { jsonsummary: 0, summary: 0, other: 0 };
    let non200 = 0;
    let firstAt: number | null = null;
    let lastAt: number | null = null;
    for (const request of seen) {
      pages[pageOf(request.path)] += 1;
      if (request.status !== 200) non200 += 1;
      firstAt = firstAt === null ? request.at : Math.min(firstAt, request.at);
      lastAt = lastAt === null ? request.at : Math.max(lastAt, request.at);
    }
    seen = [];
    return {
      total: archive.stats.total,
      peakInFlight: archive.stats.peakInFlight,
      pages,
      non200,
      firstAt,
      lastAt,
      utilization: performance.eventLoopUtilization(busySince).utilization,
      loopP50Ms: loop.percentile(50) / 1e6,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
    };
  };

  port.on('message', (message: ArchiveWorkerRequest) => {
    void (async () => {
      try {
        if (message.type === 'start') {
          drain();
          seen = [];
          archive.resetStats();
          loop.reset();
          loop.enable();
          busySince = performance.eventLoopUtilization();
          port.postMessage({ type: 'done', id: message.id } satisfies ArchiveWorkerMessage);
        } else if (message.type === 'stop') {
          port.postMessage({ type: 'done', id: message.id, stats: stop() } satisfies ArchiveWorkerMessage);
        } else {
          clearInterval(drainer);
          await archive.close();
          port.postMessage({ type: 'done', id: message.id } satisfies ArchiveWorkerMessage);
          port.close();
        }
      } catch (error) {
        port.postMessage({ type: 'failed', id: message.id, error: (error as Error).stack ?? String(error) } satisfies ArchiveWorkerMessage);
      }
    })();
  });
  port.postMessage({ type: 'ready', url: archive.url } satisfies ArchiveWorkerMessage);
}

serve().catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', error: (error as Error)?.stack ?? String(error) } satisfies ArchiveWorkerMessage);
});
