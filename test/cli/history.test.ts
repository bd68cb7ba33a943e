import { hostname } from 'node:os';
import { beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../src/db/run-lock.js';
import { scienceFiles, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();

beforeEach(async () => {
  await peers.addNotifications([{ id: 5, label: 'Auto - GN-2026B-Q-5', selection: 'GN-2026B-Q-5/science', piemail: 'pi@uni.test' }]);
});

const history = (...args: string[]) => yougotdata(['history', ...args], peers.env);

describe('history', () => {
  it('one line per run of send, with its night, mode, counts and exit code; dry runs are not recorded', async () => {
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-5', 2));
    expect((await yougotdata(['send', '--date', '20261126'], peers.env)).code).toBe(0);
    expect((await yougotdata(['send', '--date', '20261126', '--check'], peers.env)).code).toBe(0);
    expect((await yougotdata(['send', '--date', '20261126', '--dry-run'], peers.env)).code).toBe(0);
    const run = await history();
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('Runs of yougotdata send started in the last 7 days (dry runs are not recorded), times UTC:');
    expect(lines[1]).toMatch(/^started\s+ended\s+night\s+mode\s+exit\s+outcome$/);
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d\d:\d\d:\d\d \(\d+ s\)\s+20261126 {2}PI {5}0 {5}sent 1$/);
    expect(lines[3]).toMatch(/20261126 {2}CHECK {2}0 {5}no-data 1$/);
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatch(/^PI: 1 run; the latest started .* for night 20261126, exit 0\./);
    expect(lines[5]).toMatch(/^CHECK: 1 run; /);
  });

  it('a run with no end is "crashed", unless it is the latest and its mode\'s run lock is held: "running"', async () => {
    await yougotdata(['migrate'], peers.env);
    const host = hostname();
    await peers.db.pool.query(
      `INSERT INTO yougotdata_run (night, mode, dry_run, host, pid, started_at) VALUES ('20261125', 'pi', false, $1, 999999, now() - interval '1 day')`,
      [host],
    );
    const lock = await acquireRunLock(peers.db.url, 'pi', `yougotdata send pi 20261126 on ${host} pid 4242`);
    try {
      await peers.db.pool.query(`INSERT INTO yougotdata_run (night, mode, dry_run, host, pid) VALUES ('20261126', 'pi', false, $1, 4242)`, [
        host,
      ]);
      const run = await history('--json');
      expect(run.code).toBe(0);
      expect(run.json().runs.map((r: { night: string; state: string }) => [r.night, r.state])).toEqual([
        ['20261125', 'crashed'],
        ['20261126', 'running'],
      ]);
      const text = (await history()).stdout;
      expect(text).toMatch(
        /20261125 {2}PI {4}— {5}no end recorded and no run holds the lock: it crashed or was killed \(pid 999999 on .*\); rerun: yougotdata send --date 20261125$/m,
      );
      expect(text).toMatch(/running {2}20261126 {2}PI {4}— {5}still running \(pid 4242 on .* holds the run lock\)$/m);
      expect(text).toMatch(/^PI: 2 runs; the latest started .* for night 20261126, still running\./m);
      const check = await history('--json');
      expect(check.json().runs.filter((r: { state: string }) => r.state === 'running')).toHaveLength(1);
    } finally {
      await lock.release();
    }
    const after = (await history('--json')).json();
    expect(after.runs.map((r: { state: string }) => r.state)).toEqual(['crashed', 'crashed']);
  });

  it('--days limits the window; nights of the window with no run are named', async () => {
    await yougotdata(['migrate'], peers.env);
    const now = new Date('2026-11-27T20:00:00Z');
    await peers.db.pool.query(
      `INSERT INTO yougotdata_run (night, mode, dry_run, host, pid, started_at, finished_at, totals, exit_code) VALUES
         ('20261120', 'pi', false, 'h', 1, '2026-11-20T18:00:00Z', '2026-11-20T18:00:30Z', '{"no-data": 3}', 0),
         ('20261125', 'pi', false, 'h', 2, '2026-11-25T18:00:00Z', '2026-11-25T18:01:00Z', '{"sent": 2, "failed": 1}', 1),
         ('20261127', 'pi', false, 'h', 3, '2026-11-27T18:00:00Z', '2026-11-27T18:00:05Z', '{}', 0)`,
    );
    const run = await yougotdata(['history', '--days', '3', '--json'], peers.env, now);
    const doc = run.json();
    expect(doc.runs.map((r: { night: string }) => r.night)).toEqual(['20261125', '20261127']);
    expect(doc.modes).toEqual({
      pi: { runs: 2, latestStartedAt: '2026-11-27T18:00:00.000Z', nightsWithoutRun: ['20261126'] },
      check: { runs: 0, latestStartedAt: null, nightsWithoutRun: [] },
    });
    expect(doc.runs[0]).toMatchObject({ totals: { sent: 2, failed: 1 }, exitCode: 1, state: 'finished' });
    const text = (await yougotdata(['history', '--days', '3'], peers.env, now)).stdout;
    expect(text).toContain('2026-11-25 18:00:00  18:01:00 (60 s)  20261125  PI    1     sent 2, failed 1');
    expect(text).toContain('PI: 2 runs; the latest started 2026-11-27 18:00:00 for night 20261127, exit 0. No run for night 20261126.');
    expect(text).toContain('CHECK: no run in the last 3 days.');
  });

  it('before migrate ever ran: says there is no run log yet', async () => {
    const run = await history();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No run log yet');
    const json = await history('--json');
    expect(json.json()).toMatchObject({ logExists: false, runs: [] });
  });

  it('--json prints exactly one JSON document', async () => {
    await yougotdata(['send', '--date', '20261126'], peers.env);
    const run = await history('--json');
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.json().runs).toHaveLength(1);
    expect(run.json().runs[0]).toMatchObject({ night: '20261126', mode: 'pi', state: 'finished', exitCode: 0, totals: { 'no-data': 1 } });
  });

  it.each([
    ['--days 0', ['history', '--days', '0'], {}],
    ['--days x', ['history', '--days', 'x'], {}],
    ['no DATABASE_URL', ['history'], { DATABASE_URL: '' }],
  ])('%s: exit 2', async (_case, argv, env) => {
    const run = await yougotdata(argv, { ...peers.env, ...env });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toBe('');
  });

  it('an unreachable database: exit 75', async () => {
    const run = await yougotdata(['history'], { ...peers.env, DATABASE_URL: 'postgres://u:pw-not-shown@127.0.0.1:1/x' });
    expect(run.code).toBe(75);
    expect(run.stderr).not.toContain('pw-not-shown');
  });

  it('--help exits 0', async () => {
    const run = await yougotdata(['history', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--days <n>');
  });
});
