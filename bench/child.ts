import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const PRELOAD = new URL('./rss-preload.mjs', import.meta.url).href;

export interface ChildRun {
  /** null: killed by a signal (or by the benchmark's own time limit). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** From spawn to exit, ms. */
  wallMs: number;
  /** Epoch ms of the spawn, to line up with the stand-in's request times. */
  startedAt: number;
  endedAt: number;
  /** The job's own peak RSS, bytes, and how it was measured. */
  peakRssBytes: number | null;
  rssSource: 'getrusage' | '/proc VmHWM' | 'unavailable';
  cpuMs: number | null;
  stdout: string;
  stderr: string;
}

/** The node flags of the CLI's `#!/usr/bin/env -S node …` line: the job runs as cron runs it. */
export function shebangFlags(): string[] {
  const first = readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env (?:-S )?node\b(.*)$/.exec(first);
  if (!match) throw new Error(`${CLI} does not start with "#!/usr/bin/env -S node …"`);
  return (match[1] ?? '').split(/\s+/).filter((flag) => flag !== '');
}

/** VmHWM ("high water mark" of the resident set) of a live process, bytes; null off Linux or once it is gone. */
function vmHwm(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * `dist/cli.js <argv>`, with the node flags of its first line, with only the given environment and a working directory without a .env.
 * Peak RSS comes from the child itself: a preload writes getrusage's ru_maxrss on exit (exact, covers every
 * moment of the process); /proc/<pid>/status VmHWM, polled every 100 ms, stands in if that file is missing.
 * Without `timeoutMs`, the child may run as long as it likes.
 */
export function runYougotdata(argv: readonly string[], env: Record<string, string>, timeoutMs?: number): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'yougotdata-bench-'));
  const usageFile = join(dir, 'usage.json');
  // stdout to a file, read once the child has exited: a pipe would have this process (whose main thread is the mail
  // sink being measured) wake for every chunk and hold the growing report during the run. The report is whole
  // either way: the CLI drains stdout before process.exit() (src/cli.ts), as it must for cron, which reads a pipe.
  const stdoutFile = join(dir, 'stdout.json');
  const stdoutFd = openSync(stdoutFile, 'w');
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const start = performance.now();
    // For profiling the job, e.g. BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"; unset in normal runs.
    const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== '');
    const child = spawn(process.execPath, [...shebangFlags(), ...nodeArgs, '--import', PRELOAD, CLI, ...argv], {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        YOUGOTDATA_BENCH_USAGE_FILE: usageFile,
      },
      cwd: dir,
      stdio: ['ignore', stdoutFd, 'pipe'],
    });
    closeSync(stdoutFd);
    const err: Buffer[] = [];
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    let polledHwm = 0;
    const poll = setInterval(() => {
      if (child.pid !== undefined) polledHwm = Math.max(polledHwm, vmHwm(child.pid) ?? 0);
    }, 100);
    let timedOut = false;
    const limit =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, timeoutMs);
    child.on('error', (error) => {
      clearInterval(poll);
      clearTimeout(limit);
      rmSync(dir, { recursive: true, force: true });
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - start;
      clearInterval(poll);
      clearTimeout(limit);
      let usage: { maxRssKb?: number; userCpuUs?: number; systemCpuUs?: number } | null = null;
      try {
        usage = JSON.parse(readFileSync(usageFile, 'utf8'));
      } catch {
        usage = null;
      }
      const stdout = readFileSync(stdoutFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      const fromRusage = typeof usage?.maxRssKb === 'number' ? usage.maxRssKb * 1024 : null;
      resolve({
        code,
        signal,
        timedOut,
        wallMs,
        startedAt,
        endedAt: Date.now(),
        peakRssBytes: fromRusage ?? (polledHwm > 0 ? polledHwm : null),
        rssSource: fromRusage !== null ? 'getrusage' : polledHwm > 0 ? '/proc VmHWM' : 'unavailable',
        cpuMs: usage?.userCpuUs !== undefined && usage.systemCpuUs !== undefined ? (usage.userCpuUs + usage.systemCpuUs) / 1000 : null,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
