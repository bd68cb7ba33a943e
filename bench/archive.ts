/** The benchmark's side of the archive worker: start it, bracket each run with start/stop, close it. */
import { Worker } from 'node:worker_threads';
import type { ArchiveRunStats, ArchiveWorkerMessage, ArchiveWorkerRequest, ArchiveWorkerSetup } from './archive-worker.js';

export interface BenchArchive {
  url: string;
  /** Counts from zero for the next run. */
  start(): Promise<void>;
  /** What the stand-in saw since start(). */
  stop(): Promise<ArchiveRunStats>;
  close(): Promise<void>;
}

export async function startBenchArchive(setup: ArchiveWorkerSetup): Promise<BenchArchive> {
  // The bench runs under tsx; a worker starts without its loader, so it registers it before importing the TypeScript.
  const entry = new URL('./archive-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: setup });
  const pending = new Map<number, { resolve: (stats?: ArchiveRunStats) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const url = await new Promise<string>((resolve, reject) => {
    worker.on('message', (message: ArchiveWorkerMessage) => {
      if (message.type === 'ready') return resolve(message.url);
      if (message.type === 'failed' && message.id === undefined) {
        const error = new Error(`the archive stand-in's worker failed: ${message.error}`);
        reject(error);
        return failAll(error);
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      pending.delete(message.id);
      if (message.type === 'failed') waiter.reject(new Error(`the archive stand-in's worker failed: ${message.error}`));
      else waiter.resolve(message.stats);
    });
    worker.on('error', (error) => {
      reject(error);
      failAll(error);
    });
    worker.on('exit', (code) => {
      const error = new Error(`the archive stand-in's worker exited (${code})`);
      reject(error);
      failAll(error);
    });
  });
  const ask = (type: ArchiveWorkerRequest['type']) =>
    new Promise<ArchiveRunStats | undefined>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, type } satisfies ArchiveWorkerRequest);
    });
  return {
    url,
    start: async () => {
      await ask('start');
    },
    stop: async () => {
      const stats = await ask('stop');
      if (!stats) throw new Error("the archive stand-in's worker sent no figures");
      return stats;
    },
    close: async () => {
      await ask('close').catch(() => undefined);
      await worker.terminate();
    },
  };
}
