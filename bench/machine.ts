/** How busy the machine is, and who is busy: Linux /proc, null elsewhere. */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

type Ticks = { busy: number; steal: number; total: number };

/**
 * Busy, stolen and total jiffies of all CPUs (Linux /proc/stat), null elsewhere: how saturated the whole machine was.
 * Steal is time the hypervisor gave other guests while this one wanted the CPU; it counts as busy.
 */
export function machineTicks(): Ticks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, steal: ticks[7] ?? 0, total };
  } catch {
    return null;
  }
}

function percentBetween(before: Ticks | null, after: Ticks | null, part: 'busy' | 'steal'): number | null {
  return before && after && after.total > before.total ? ((after[part] - before[part]) / (after.total - before.total)) * 100 : null;
}

export const busyPercentBetween = (before: Ticks | null, after: Ticks | null) => percentBetween(before, after, 'busy');
export const stealPercentBetween = (before: Ticks | null, after: Ticks | null) => percentBetween(before, after, 'steal');

/** CPU seconds used so far by every process named `postgres` and the backends they reaped (Linux /proc), null elsewhere. */
export function postgresCpuSeconds(): number | null {
  try {
    const ticksPerSecond = 100;
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime, stime, and cutime, cstime: a backend that has exited is counted in the postmaster's children's times.
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
    }
    return total;
  } catch {
    return null;
  }
}

/** How busy the machine is over `ms`: before a run, that is other people's work, which skews every figure. */
export async function busyPercentOver(ms: number): Promise<number | null> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return busyPercentBetween(before, machineTicks());
}

const QUIET_WAIT_LIMIT_MS = 10 * 60_000;

/** Waits (at most 10 minutes) until the machine is less than `belowPercent` busy. */
export async function untilQuiet(belowPercent: number, say: (line: string) => void): Promise<void> {
  const start = performance.now();
  let busy = await busyPercentOver(2000);
  if (busy === null || busy < belowPercent) return;
  say(`  waiting for the machine to be less than ${belowPercent}% busy (now ${busy.toFixed(0)}%)…`);
  while (busy !== null && busy >= belowPercent && performance.now() - start < QUIET_WAIT_LIMIT_MS) busy = await busyPercentOver(2000);
  say(
    `  ${busy !== null && busy < belowPercent ? 'quiet' : 'still busy'} (${busy?.toFixed(0)}%) ` +
      `after ${((performance.now() - start) / 1000).toFixed(0)} s`,
  );
}
