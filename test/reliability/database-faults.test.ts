import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CommandRun, type Peers, spawnYougotdata, startPeers, yougotdata } from '../harness/peers.js';
import { startPingServer } from '../harness/ping-server.js';
import {
  addNight,
  copiesPerNotification,
  NIGHT,
  type Report,
  recordedWith,
  reliabilityEnv,
  sendInProcess,
  sendingRows,
  timed,
  until,
} from '../harness/reliability.js';
import { type SmtpProxy, startSmtpProxy } from '../harness/smtp-proxy.js';
import { startGate, startTcpProxy, type TcpProxy, throughProxy } from '../harness/tcp-proxy.js';

let peers: Peers;
let pgProxy: TcpProxy;

beforeAll(async () => {
  peers = await startPeers();
  const target = new URL(peers.db.url);
  pgProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  await pgProxy?.close();
  await peers?.close();
});
beforeEach(async () => {
  await peers.reset();
  pgProxy.mode = 'forward';
});

const sendArgs = ['send', '--date', NIGHT, '--json'];

/** The run's own database sessions, ended from the server side (as an administrator or a failover would). */
async function terminateRunSessions(): Promise<number> {
  const ended = await peers.db.pool.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'yougotdata send%' AND pid <> pg_backend_pid()`,
  );
  return ended.rowCount ?? 0;
}

/** The process ended on its own terms: no uncaught exception, no stack trace. */
function expectNoCrash(run: CommandRun) {
  expect(run.stderr).not.toMatch(/Unhandled 'error' event|^\s+at .*\(.*:\d+:\d+\)$/m);
}

function expectOneLine(run: CommandRun, pattern: RegExp) {
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('PostgreSQL unreachable at start', () => {
  it.each([
    ['nothing listening (connection refused)', () => 'postgres://yougotdata:s3cret-pw@127.0.0.1:9/fits'],
    [
      'the connection reset at once',
      () => {
        pgProxy.mode = 'refuse';
        const url = new URL(throughProxy(peers.db.url, pgProxy));
        url.username = 'yougotdata';
        url.password = 's3cret-pw';
        return url.toString();
      },
    ],
  ])('%s: one clear line on stderr, exit 75, nothing sent or searched', async (_case, url) => {
    await addNight(peers, [1, 2], [1, 2]);
    const run = await spawnYougotdata(sendArgs, reliabilityEnv(peers, { DATABASE_URL: url() }));
    expect(run.code).toBe(75);
    expectOneLine(run, /^yougotdata: cannot reach the database/);
    expect(run.stderr).not.toContain('s3cret-pw');
    expect(run.json()).toMatchObject({
      error: { kind: 'database-unavailable', message: expect.stringMatching(/^cannot reach the database/) },
      exitCode: 75,
    });
    expect(run.stdout).not.toContain('s3cret-pw');
    expect(peers.archive.requests).toHaveLength(0);
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it('a server that accepts the connection and never answers: exit 75 after the connection timeout, not a hang', async () => {
    await addNight(peers, [1], [1]);
    pgProxy.mode = 'blackhole';
    const { value: run, ms } = await timed(() =>
      spawnYougotdata(sendArgs, reliabilityEnv(peers, { DATABASE_URL: throughProxy(peers.db.url, pgProxy) })),
    );
    expect(run.code).toBe(75);
    expectOneLine(run, /^yougotdata: cannot reach the database/);
    expect(ms).toBeLessThan(20_000);
    expect(peers.sink.messages()).toHaveLength(0);
  }, 30_000);
});

describe('PostgreSQL lost mid-run', () => {
  let smtp: SmtpProxy;
  let cutAt = 0;
  beforeAll(async () => {
    smtp = await startSmtpProxy(peers.sink, {
      onAccepted: (n) => {
        if (n === cutAt) {
          pgProxy.mode = 'refuse';
          pgProxy.cut();
        }
      },
    });
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it('nothing is sent that cannot be recorded, and the next run completes the night', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    await addNight(
      peers,
      ids,
      ids.filter((id) => id !== 12),
    );
    peers.archive.setLatency(60);
    cutAt = 3 + smtp.counts.accepted;
    const env = reliabilityEnv(peers, { DATABASE_URL: throughProxy(peers.db.url, pgProxy), SMTP_URL: smtp.url, ARCHIVE_CONCURRENCY: '2' });
    const lost = await spawnYougotdata(sendArgs, env);
    expect(pgProxy.mode).toBe('refuse');
    pgProxy.mode = 'forward';
    peers.archive.setLatency(0);

    // Every message in the sink is one the record knows of: sent, or marked as being sent when the connection went.
    const recorded = await recordedWith(peers.db.pool, NIGHT, ['sent', 'sending']);
    const inFlight = await sendingRows(peers.db.pool, NIGHT);
    const delivered = [...copiesPerNotification(peers.sink.messages(), ids)].filter(([, n]) => n > 0).map(([id]) => id);
    for (const id of delivered) expect(recorded, `notification ${id} was mailed without a record`).toContain(id);
    // And the run stopped mailing: only what was under way when the connection went, not the rest of the night.
    expect(delivered.length).toBeLessThan(11);

    const rerun = await sendInProcess(reliabilityEnv(peers));
    expect(rerun.code).toBe(0);
    const copies = copiesPerNotification(peers.sink.messages(), ids);
    for (const id of ids) {
      if (id === 12) expect(copies.get(id)).toBe(0);
      else if (inFlight.includes(id)) expect(copies.get(id)).toBeGreaterThanOrEqual(1);
      else expect(copies.get(id), `notification ${id}`).toBe(1);
    }
    const duplicates = [...copies.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    expect(duplicates).toBeLessThanOrEqual(inFlight.length);

    // And the run that lost the database ended on its own terms: exit 75 with one line, or a report saying what failed.
    expectNoCrash(lost);
    expect([1, 75]).toContain(lost.code);
    // (Logs on stderr say what each notification met; the run's own end is one line.)
    if (lost.code === 75) expect(lost.stderr).toMatch(/^yougotdata: .*(database|lock)/m);
    else expect((lost.json() as Report).results.filter((r) => r.status === 'failed').length).toBeGreaterThan(0);
  });

  it('the run that loses the database stops its workers before its last line, and its ping and metrics count what it sent', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    await addNight(peers, ids, ids);
    peers.archive.setLatency(60);
    // The seventh message's acceptance reaches the run after the database has gone: its worker is still at work when
    // another one meets the loss.
    const held = await startSmtpProxy(peers.sink, {
      holdAcceptanceMs: 300,
      onAccepted: (n) => {
        if (n !== 7) return;
        pgProxy.mode = 'refuse';
        pgProxy.cut();
      },
    });
    const monitor = await startPingServer();
    const dir = await mkdtemp(join(tmpdir(), 'yougotdata-lost-db-'));
    try {
      const env = reliabilityEnv(peers, {
        DATABASE_URL: throughProxy(peers.db.url, pgProxy),
        SMTP_URL: held.url,
        ARCHIVE_CONCURRENCY: '2',
        HEALTHCHECK_URL: monitor.url,
        METRICS_FILE: join(dir, 'yougotdata.prom'),
      });
      const lost = await spawnYougotdata(sendArgs, env);
      pgProxy.mode = 'forward';
      peers.archive.setLatency(0);
      expect(lost.code).toBe(75);
      expectNoCrash(lost);
      // The fatal line is the run's last word: no worker goes on logging after it.
      const lines = lost.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(/^yougotdata: .*(database|lock)/);
      expect(lines.filter((line) => line.startsWith('yougotdata: '))).toHaveLength(1);
      // What went out is counted, from the results the run recorded before the end.
      const delivered = peers.sink.messages().length;
      expect(delivered).toBeGreaterThanOrEqual(7);
      const end = monitor.requests.at(-1);
      expect(end?.pathname).toBe('/ping/check-key/75');
      expect(end?.body).toContain(`\n${delivered} messages sent, `);
      expect(end?.body).toMatch(new RegExp(`\\nsent ${delivered}, `));
      const metrics = await readFile(join(dir, 'yougotdata-pi.prom'), 'utf8');
      expect(metrics).toContain(`yougotdata_last_run_messages_sent{mode="pi"} ${delivered}\n`);
      expect(metrics).toContain(`yougotdata_last_run_notifications{mode="pi",status="sent"} ${delivered}\n`);
    } finally {
      await held.close();
      await monitor.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a run whose sessions (and with them the run lock) are ended mid-run does not go on sending beside the next run', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => i + 1);
    await addNight(peers, ids, ids);
    const gate = await startGate(peers.archive.url);
    try {
      const acceptedBefore = smtp.counts.accepted;
      const env = reliabilityEnv(peers, { ARCHIVE_CONCURRENCY: '2', ARCHIVE_TIMEOUT_MS: '20000' });
      const first = spawnYougotdata(sendArgs, { ...env, ARCHIVE_URL: gate.url, SMTP_URL: smtp.url });
      await until(() => smtp.counts.accepted >= acceptedBefore + 3, 15_000, 'three messages of the first run');
      // The first run is held mid-night (its archive answers wait), and its database sessions end.
      gate.hold();
      expect(await terminateRunSessions()).toBeGreaterThan(0);
      await sleep(150);
      // What was being submitted then: a run that stopped at once has written no intent since.
      const inFlight = await sendingRows(peers.db.pool, NIGHT);
      // The next run finds the lock free and does the night.
      const second = await yougotdata(sendArgs, env);
      // Then the first run's answers come.
      gate.release();
      const firstRun = await first;
      expect(second.code).toBe(0);
      const rerun = await sendInProcess(reliabilityEnv(peers));
      expect(rerun.code).toBe(0);
      const copies = copiesPerNotification(peers.sink.messages(), ids);
      for (const id of ids) expect(copies.get(id), `notification ${id}`).toBeGreaterThanOrEqual(1);
      // As after a crash: at most the messages being submitted when the sessions ended are delivered twice.
      const doubled = ids.filter((id) => (copies.get(id) ?? 0) > 1);
      expect(
        doubled.filter((id) => !inFlight.includes(id)),
        `doubled ${doubled.join(', ')}; in flight at the cut: ${inFlight.join(', ')}`,
      ).toEqual([]);
      // The first run noticed it had lost its lock and stopped, saying so: it neither crashed nor carried on.
      expectNoCrash(firstRun);
      expect(firstRun.code).toBe(75);
      expect(firstRun.stderr).toMatch(/^yougotdata: .*(database|lock)/m);
    } finally {
      await gate.close();
    }
  });
});
