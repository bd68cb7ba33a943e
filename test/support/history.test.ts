import { describe, expect, it } from 'vitest';
import type { RunEntry } from '../../src/db/run-log.js';
import type { Night } from '../../src/domain/night.js';
import { type HistoryRun, historyJson, historyText, nightsOfWindow, runStatesOf, summariesOf } from '../../src/support/history.js';

const entry = (extra: Partial<RunEntry> = {}): RunEntry => ({
  id: 1,
  startedAt: new Date('2026-11-26T18:00:00Z'),
  finishedAt: new Date('2026-11-26T18:00:42Z'),
  night: '20261126' as Night,
  mode: 'pi',
  dryRun: false,
  host: 'cronhost',
  pid: 4242,
  totals: { sent: 3, 'no-data': 40 },
  exitCode: 0,
  ...extra,
});
const finished = (extra: Partial<RunEntry> = {}): HistoryRun => ({ ...entry(extra), state: 'finished' });
const NOW = new Date('2026-11-27T20:00:00Z');

describe('runStatesOf', () => {
  const day = (d: number) => new Date(`2026-11-${d}T18:00:00Z`);
  const open = (id: number, d: number, mode: 'pi' | 'check' = 'pi') =>
    entry({ id, mode, startedAt: day(d), finishedAt: null, totals: null, exitCode: null });

  it('an end recorded: finished, whatever the locks', () => {
    expect(runStatesOf([entry()], [{ mode: 'pi', since: null }])).toEqual(['finished']);
  });

  it('no end and no lock held: crashed', () => {
    expect(runStatesOf([open(1, 25), open(2, 26)], [])).toEqual(['crashed', 'crashed']);
  });

  it('the lock of its mode held: the latest run with no end is running, older ones crashed', () => {
    expect(runStatesOf([open(1, 24), entry({ id: 2, startedAt: day(25) }), open(3, 26)], [{ mode: 'pi', since: null }])).toEqual([
      'crashed',
      'finished',
      'running',
    ]);
  });

  it("the other mode's lock says nothing about this one", () => {
    expect(runStatesOf([open(1, 26, 'pi'), open(2, 26, 'check')], [{ mode: 'check', since: null }])).toEqual(['crashed', 'running']);
  });

  it('a run started before the lock holder connected is not the one running (it has not recorded its start yet)', () => {
    expect(runStatesOf([open(1, 25)], [{ mode: 'pi', since: day(26) }])).toEqual(['crashed']);
    expect(runStatesOf([open(1, 26)], [{ mode: 'pi', since: new Date(day(26).getTime() - 1000) }])).toEqual(['running']);
  });
});

describe('summaries', () => {
  it('the window is the last N UTC dates, ending today', () => {
    expect(nightsOfWindow(NOW, 3)).toEqual(['20261125', '20261126', '20261127']);
  });
  it('nights without a run, per mode that ran at all; the latest run', () => {
    const runs = [finished({ night: '20261125' as Night, startedAt: new Date('2026-11-25T18:00:00Z') }), finished({ id: 2 })];
    const [pi, check] = summariesOf(runs, NOW, 3);
    expect(pi).toMatchObject({ mode: 'pi', runs: 2, nightsWithoutRun: ['20261127'] });
    expect(pi?.latest?.id).toBe(2);
    expect(check).toEqual({ mode: 'check', runs: 0, latest: null, nightsWithoutRun: [] });
  });
});

describe('historyText', () => {
  it('one aligned line per run, then one per mode', () => {
    const runs: HistoryRun[] = [
      finished(),
      { ...entry({ id: 2, mode: 'check', finishedAt: null, totals: null, exitCode: null }), state: 'crashed' },
      {
        ...entry({
          id: 3,
          startedAt: new Date('2026-11-27T18:00:00Z'),
          night: '20261127' as Night,
          finishedAt: null,
          totals: null,
          exitCode: null,
        }),
        state: 'running',
      },
    ];
    const text = historyText(runs, { now: NOW, days: 2, logExists: true });
    expect(text.split('\n')).toEqual([
      'Runs of yougotdata send started in the last 2 days (dry runs are not recorded), times UTC:',
      'started              ended            night     mode   exit  outcome',
      '2026-11-26 18:00:00  18:00:42 (42 s)  20261126  PI     0     sent 3, no-data 40',
      '2026-11-26 18:00:00  no end           20261126  CHECK  —     no end recorded and no run holds the lock: it crashed or was killed (pid 4242 on cronhost); rerun: yougotdata send --date 20261126 --check',
      '2026-11-27 18:00:00  running          20261127  PI     —     still running (pid 4242 on cronhost holds the run lock)',
      'PI: 2 runs; the latest started 2026-11-27 18:00:00 for night 20261127, still running.',
      'CHECK: 1 run; the latest started 2026-11-26 18:00:00 for night 20261126, no end: crashed. No run for night 20261127 (today).',
      '',
    ]);
  });

  it('a long run shows minutes, a run ending the next day its date', () => {
    const long = finished({ finishedAt: new Date('2026-11-27T00:10:00Z') });
    expect(historyText([long], { now: NOW, days: 2, logExists: true })).toContain('2026-11-26 18:00:00  2026-11-27 00:10:00 (370 min)');
  });

  it('no runs; no run log', () => {
    expect(historyText([], { now: NOW, days: 1, logExists: true })).toBe(
      [
        'Runs of yougotdata send started in the last day (dry runs are not recorded), times UTC:',
        '  none',
        'PI: no run in the last day.',
        'CHECK: no run in the last day.',
        '',
      ].join('\n'),
    );
    expect(historyText([], { now: NOW, days: 7, logExists: false })).toMatch(/^No run log yet/);
  });
});

describe('historyJson', () => {
  it('ISO dates, the state of each run, the summaries', () => {
    const doc = historyJson([finished()], { now: NOW, days: 2, logExists: true });
    expect(doc).toEqual({
      since: '2026-11-25T20:00:00.000Z',
      days: 2,
      logExists: true,
      runs: [
        {
          id: 1,
          startedAt: '2026-11-26T18:00:00.000Z',
          finishedAt: '2026-11-26T18:00:42.000Z',
          night: '20261126',
          mode: 'pi',
          host: 'cronhost',
          pid: 4242,
          state: 'finished',
          totals: { sent: 3, 'no-data': 40 },
          exitCode: 0,
        },
      ],
      modes: {
        pi: { runs: 1, latestStartedAt: '2026-11-26T18:00:00.000Z', nightsWithoutRun: ['20261127'] },
        check: { runs: 0, latestStartedAt: null, nightsWithoutRun: [] },
      },
    });
  });
});
