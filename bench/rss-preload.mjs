/**
 * Loaded into the `send` child with `node --import <this file>`: on exit, it writes the process's own
 * peak resident set size (getrusage's ru_maxrss, which the kernel keeps for the whole life of the process,
 * so no sampling can miss a short peak) and CPU time to the file named by YOUGOTDATA_BENCH_USAGE_FILE.
 * It does nothing else, and nothing at all without that variable, so the job runs as in production.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.YOUGOTDATA_BENCH_USAGE_FILE;

if (target) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    try {
      // maxRSS is in kilobytes (Node's docs: "maximum resident set size used in kilobytes"); times in microseconds.
      writeFileSync(
        target,
        JSON.stringify({ maxRssKb: usage.maxRSS, userCpuUs: usage.userCPUTime, systemCpuUs: usage.systemCPUTime, code }),
      );
    } catch {
      // The benchmark then falls back to the VmHWM it polled from /proc.
    }
  });
}
