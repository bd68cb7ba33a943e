/**
 * `yougotdata history`: the run log as support reads it, "did cron run?" answered without reading logs.
 * `readHistory` reads the runs and the locks held now; the rest, pure, says what they mean.
 */

import { DateTime } from 'luxon';
import type { HeldRunLock } from '../db/run-lock.js';
import type { RunEntry, RunLog } from '../db/run-log.js';
import { MODES, type Mode, profileOf, sendCommandFor } from '../domain/mode.js';
import { type Night, shiftNight, toNight, utcStamp } from '../domain/night.js';
import { escapeControls } from '../text/escape.js';
import { type TextColumn, tableLines } from '../text/table.js';

/** finished: it recorded its end. running: no end yet, and its mode's run lock is held. crashed: no end, no lock. */
export type RunState = 'finished' | 'running' | 'crashed';

export interface HistoryRun extends RunEntry {
  state: RunState;
}

/**
 * Each run's state. A run holds its mode's lock from before it records its start to after it records its end,
 * and two runs of a mode never overlap: so with the lock held, the latest run of that mode with no end (started
 * after the holder connected, when that is known) is the one running; every other run with no end crashed.
 */
export function runStatesOf(runs: readonly RunEntry[], locks: readonly HeldRunLock[]): RunState[] {
  const running = new Set<RunEntry>();
  for (const lock of locks) {
    const candidates = runs.filter(
      (run) => run.mode === lock.mode && run.finishedAt === null && (lock.since === null || run.startedAt >= lock.since),
    );
    const latest = candidates.reduce<RunEntry | null>((best, run) => (!best || run.startedAt > best.startedAt ? run : best), null);
    if (latest) running.add(latest);
  }
  return runs.map((run) => (run.finishedAt !== null ? 'finished' : running.has(run) ? 'running' : 'crashed'));
}

export interface RunHistory {
  runs: HistoryRun[];
  /** False before `migrate` ever ran: there is no run log to read. */
  logExists: boolean;
}

/** The runs started in the last `days` days, each with its state. */
export async function readHistory(
  ports: { runLog: Pick<RunLog, 'since'>; heldLocks: () => Promise<HeldRunLock[]> },
  now: Date,
  days: number,
): Promise<RunHistory> {
  const logged = await ports.runLog.since(new Date(now.getTime() - days * 86_400_000));
  const entries = logged ?? [];
  // Only a run with no end needs the locks to say whether it is running or crashed.
  const locks = entries.some((run) => run.finishedAt === null) ? await ports.heldLocks() : [];
  const states = runStatesOf(entries, locks);
  return { runs: entries.map((run, i) => ({ ...run, state: states[i] ?? 'crashed' })), logExists: logged !== null };
}

/** The nights of the window, oldest first, ending with today's (UTC, as the archive counts them). */
export function nightsOfWindow(now: Date, days: number): Night[] {
  const today = toNight(DateTime.fromJSDate(now, { zone: 'utc' }));
  return Array.from({ length: days }, (_, i) => shiftNight(today, -(days - 1 - i)));
}

export interface ModeSummary {
  mode: Mode;
  runs: number;
  latest: HistoryRun | null;
  /** Nights of the window no run of this mode was for (only for a mode that ran at all in the window). */
  nightsWithoutRun: Night[];
}

export function summariesOf(runs: readonly HistoryRun[], now: Date, days: number): ModeSummary[] {
  const window = nightsOfWindow(now, days);
  return MODES.map((mode) => {
    const own = runs.filter((run) => run.mode === mode);
    const nights = new Set(own.map((run) => run.night));
    return {
      mode,
      runs: own.length,
      latest: own.reduce<HistoryRun | null>((latest, run) => (!latest || run.startedAt > latest.startedAt ? run : latest), null),
      nightsWithoutRun: own.length === 0 ? [] : window.filter((night) => !nights.has(night)),
    };
  });
}

/** The end as a time of day when on the day it started, with the duration. */
function endOf(run: HistoryRun): string {
  if (run.state === 'running') return 'running';
  if (run.state === 'crashed' || !run.finishedAt) return 'no end';
  const seconds = Math.max(0, Math.round((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000));
  const end = utcStamp(run.finishedAt);
  const sameDay = end.slice(0, 10) === utcStamp(run.startedAt).slice(0, 10);
  return `${sameDay ? end.slice(11) : end} (${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`})`;
}

export function totalsText(totals: Record<string, number> | null): string {
  if (!totals) return '';
  return (
    Object.entries(totals)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ') || 'no notifications'
  );
}

function outcomeOf(run: HistoryRun): string {
  if (run.state === 'running') return `still running (pid ${run.pid} on ${run.host} holds the run lock)`;
  if (run.state === 'crashed')
    return (
      `no end recorded and no run holds the lock: it crashed or was killed (pid ${run.pid} on ${run.host}); ` +
      `rerun: ${sendCommandFor(run.night, run.mode)}`
    );
  return totalsText(run.totals);
}

const HISTORY_COLUMNS: readonly TextColumn<HistoryRun>[] = [
  { heading: 'started', value: (run) => utcStamp(run.startedAt) },
  { heading: 'ended', value: endOf },
  { heading: 'night', value: (run) => run.night },
  { heading: 'mode', value: (run) => profileOf(run.mode).name },
  { heading: 'exit', value: (run) => (run.exitCode === null ? '—' : String(run.exitCode)) },
  // The host name comes from the machine that ran: shown escaped.
  { heading: 'outcome', value: (run) => escapeControls(outcomeOf(run)) },
];

/** The table `history` prints: one line per run, oldest first, then one line per mode. */
export function historyText(runs: readonly HistoryRun[], options: { now: Date; days: number; logExists: boolean }): string {
  const span = `the last ${options.days === 1 ? 'day' : `${options.days} days`}`;
  if (!options.logExists) {
    return "No run log yet: the tool's tables do not exist (`yougotdata migrate` never ran, and no `send` has run since).\n";
  }
  const lines = [`Runs of yougotdata send started in ${span} (dry runs are not recorded), times UTC:`];
  if (runs.length === 0) {
    lines.push('  none');
  } else {
    lines.push(...tableLines(runs, HISTORY_COLUMNS));
  }
  for (const summary of summariesOf(runs, options.now, options.days)) {
    const name = profileOf(summary.mode).name;
    const latest = summary.latest;
    if (!latest) {
      lines.push(`${name}: no run in ${span}.`);
      continue;
    }
    const how =
      latest.state === 'finished' ? `exit ${latest.exitCode ?? '?'}` : latest.state === 'running' ? 'still running' : 'no end: crashed';
    const today = nightsOfWindow(options.now, 1)[0];
    const nights = summary.nightsWithoutRun.map((night) => (night === today ? `${night} (today)` : night));
    const missing = nights.length > 0 ? ` No run for night${nights.length === 1 ? '' : 's'} ${nights.join(', ')}.` : '';
    lines.push(
      `${name}: ${summary.runs} run${summary.runs === 1 ? '' : 's'}; ` +
        `the latest started ${utcStamp(latest.startedAt)} for night ${latest.night}, ${how}.${missing}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The one JSON document of `history --json`. */
export function historyJson(runs: readonly HistoryRun[], options: { now: Date; days: number; logExists: boolean }) {
  const since = new Date(options.now.getTime() - options.days * 86_400_000);
  return {
    since: since.toISOString(),
    days: options.days,
    logExists: options.logExists,
    runs: runs.map((run) => ({
      id: run.id,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
      night: run.night,
      mode: run.mode,
      host: run.host,
      pid: run.pid,
      state: run.state,
      totals: run.totals,
      exitCode: run.exitCode,
    })),
    modes: Object.fromEntries(
      summariesOf(runs, options.now, options.days).map((s) => [
        s.mode,
        {
          runs: s.runs,
          latestStartedAt: s.latest ? s.latest.startedAt.toISOString() : null,
          nightsWithoutRun: s.nightsWithoutRun,
        },
      ]),
    ),
  };
}
