import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SMTP_POOL_CONNECTIONS } from '../../src/mail/smtp-mailer.js';
import { scienceFiles, spawnYougotdata, usePeers } from '../harness/peers.js';
import { startPingServer } from '../harness/ping-server.js';
import {
  addNight,
  copiesPerNotification,
  copiesPerRecipient,
  NIGHT,
  piRow,
  type Report,
  recordedWith,
  reliabilityEnv,
  sendInProcess,
  sendingRows,
  until,
} from '../harness/reliability.js';
import { type SmtpProxyOptions, startSmtpProxy } from '../harness/smtp-proxy.js';

/**
 * A real process stopped by SIGTERM or SIGINT at several moments: it takes no new notification, hands no new message
 * to SMTP, lets the messages already handed over finish (no retry after the stop), records them, prints its report
 * and exits 75. A second signal exits 75 at once. Then a rerun: every notification with data delivered exactly once.
 */

const peers = usePeers();

const WITH_DATA = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const IDS = [...WITH_DATA, 11, 12];
const CONCURRENCY = 2;
/** Notifications in progress at once: each may have a message handed over when the signal comes. */
const WORKERS = 2 * CONCURRENCY;
const OPS = 'ops@gemini.test';

const argv = ['send', '--date', NIGHT, '--json'];
const env = (extra: Record<string, string> = {}) => reliabilityEnv(peers, { ARCHIVE_CONCURRENCY: String(CONCURRENCY), ...extra });
const notices = () => peers.sink.messages().filter((m) => !m.envelope.to.includes(OPS));
/** A copy per recipient, each with its own bounce token. */
const BOUNCES = { BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test', BOUNCE_SECRET: 'test-only secret: 8f1d2c3b4a5e6f7081928374' };

/** Sends `signal` to the run, unless it has ended (ESRCH). */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {}
}

/** A run of the built CLI whose pid is known, and the SMTP proxy in front of the sink that lets a test act mid-submission. */
async function startRun(extraEnv: Record<string, string>, proxyOptions: (pid: () => number) => SmtpProxyOptions = () => ({})) {
  let pid = 0;
  const proxy = await startSmtpProxy(
    peers.sink,
    proxyOptions(() => pid),
  );
  const run = spawnYougotdata(argv, env({ SMTP_URL: proxy.url, ...extraEnv }), { onSpawn: (p) => (pid = p) });
  await until(() => pid !== 0, 5000, 'the spawn');
  return { run, proxy, pid: () => pid };
}

/** A run that is sent SIGTERM once `count` messages have gone out whole; `signalledAt()` is when (0: not yet). */
async function startRunStoppedAfter(count: number, extraEnv: Record<string, string> = {}) {
  let signalledAt = 0;
  const started = await startRun(extraEnv, (pid) => ({
    onDataEnd: (sent) => {
      if (sent !== count) return;
      signalledAt = Date.now();
      signal(pid(), 'SIGTERM');
    },
  }));
  return { ...started, signalledAt: () => signalledAt };
}

/**
 * What every stopped run shows: exit 75, the one JSON report on stdout listing every row, the rows it did not take
 * failed as not tried, no row of the send record left `sending`, every message the sink accepted recorded as sent.
 */
async function expectStopped(
  run: Awaited<ReturnType<typeof spawnYougotdata>>,
  name: NodeJS.Signals,
  otherFailure?: RegExp,
): Promise<{ report: Report; notTried: number[] }> {
  expect(run.signal).toBeNull();
  expect(run.code, run.stderr).toBe(75);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  const report: Report = run.json();
  expect(report.results.map((r) => r.id)).toEqual(IDS);
  const notTried = report.results.filter((r) => r.error === `not tried: stopped by ${name}`).map((r) => r.id);
  expect(notTried.length).toBeGreaterThan(0);
  for (const result of report.results) {
    if (result.status === 'failed') {
      if (!otherFailure?.test(result.error ?? '')) expect(result.error, `notification ${result.id}`).toContain(`stopped by ${name}`);
    } else expect(['sent', 'no-data'], `notification ${result.id}`).toContain(result.status);
  }
  expect(run.stderr).toContain(`${name}: stopping`);
  // Whatever was handed over finished and was recorded: nothing is left for a rerun to send twice.
  expect(await sendingRows(peers.db.pool, NIGHT)).toEqual([]);
  const sent = report.results.filter((r) => r.status === 'sent').map((r) => r.id);
  expect(await recordedWith(peers.db.pool, NIGHT, ['sent'])).toEqual(sent);
  expect([...copiesPerNotification(notices(), IDS)].filter(([, n]) => n > 0).map(([id]) => id)).toEqual(sent);
  return { report, notTried };
}

/** A rerun with no signal: every notification with data delivered exactly once overall, nothing lost, nothing doubled. */
async function expectRerunCompletes(): Promise<void> {
  const rerun = await sendInProcess(reliabilityEnv(peers));
  expect(rerun.code, rerun.stderr).toBe(0);
  const copies = copiesPerNotification(notices(), IDS);
  for (const id of IDS) expect(copies.get(id), `copies for notification ${id}`).toBe(WITH_DATA.includes(id) ? 1 : 0);
}

describe('send stopped by a signal, then run again', () => {
  it('SIGTERM after the first archive search: in-flight searches end, no new notification is taken, exit 75', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.archive.setLatency(1000);
    const { run, proxy, pid } = await startRun({});
    try {
      await until(() => peers.archive.stats.total > 0, 15_000, 'the first search');
      signal(pid(), 'SIGTERM');
      const stopped = await run;
      const { notTried } = await expectStopped(stopped, 'SIGTERM');
      // Stopped during the first searches: the notifications not yet taken are most of them, and asked nothing.
      expect(notTried.length).toBeGreaterThanOrEqual(IDS.length - WORKERS);
      expect(peers.archive.stats.total).toBeLessThanOrEqual(WORKERS);
      expect(proxy.counts.data).toBe(0);
    } finally {
      await proxy.close();
    }
    peers.archive.setLatency(0);
    await expectRerunCompletes();
  });

  it('SIGTERM with searches hung: they are aborted, not waited out; their rows say stopped, never a timeout', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.archive.inject({ hang: true, times: Infinity });
    const { run, proxy, pid } = await startRun({ ARCHIVE_TIMEOUT_MS: '60000' });
    try {
      await until(() => peers.archive.stats.inFlight >= CONCURRENCY, 15_000, 'the searches to hang');
      signal(pid(), 'SIGTERM');
      const { report } = await expectStopped(await run, 'SIGTERM');
      // Every row says the same, not tried; the record tells the searches cut off (they have the URL asked) from the
      // rows never taken (none).
      expect(report.results.every((r) => r.error === 'not tried: stopped by SIGTERM')).toBe(true);
      const checks = await peers.db.pool.query<{ url: string | null }>(
        `SELECT c.url FROM yougotdata_outcome c, jsonb_to_recordset(c.outcomes) AS o(night text, error text)
          WHERE o.night = $1 AND o.error = 'not tried: stopped by SIGTERM'`,
        [NIGHT],
      );
      expect(checks.rows.filter((row) => row.url !== null).length).toBeGreaterThanOrEqual(CONCURRENCY);
      expect(report.results.some((r) => r.error?.includes('no answer within'))).toBe(false);
      // Every search the run made was cut off: none was answered, none is still open at the server.
      await until(() => peers.archive.stats.inFlight === 0, 5000, 'the hung searches to close');
      expect(peers.archive.requests.every((r) => r.status === 0)).toBe(true);
    } finally {
      await proxy.close();
    }
    peers.archive.clear();
    peers.archive.addEntries(WITH_DATA.flatMap((id) => scienceFiles(`GN-2026B-Q-${id}`, 2, NIGHT)));
    await expectRerunCompletes();
  });

  it('SIGINT once: the same, named SIGINT', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.archive.setLatency(1000);
    const { run, proxy, pid } = await startRun({});
    try {
      await until(() => peers.archive.stats.total > 0, 15_000, 'the first search');
      signal(pid(), 'SIGINT');
      await expectStopped(await run, 'SIGINT');
    } finally {
      await proxy.close();
    }
    peers.archive.setLatency(0);
    await expectRerunCompletes();
  });

  it.each([1, 3, 6])('SIGTERM once message %i has gone out whole: it finishes and is recorded sent; no new one starts', async (n) => {
    await addNight(peers, IDS, WITH_DATA);
    let sentAtSignal = 0;
    const { run, proxy } = await startRun({}, (pid) => ({
      onDataEnd: (count) => {
        if (count !== n) return;
        sentAtSignal = count;
        signal(pid(), 'SIGTERM');
      },
    }));
    try {
      const { report } = await expectStopped(await run, 'SIGTERM');
      expect(sentAtSignal).toBe(n);
      const sent = report.results.filter((r) => r.status === 'sent').length;
      // The message on the wire, and those before it, reached the sink; after it, only messages already on the wire.
      expect(sent).toBeGreaterThanOrEqual(n);
      expect(proxy.counts.dataEnd).toBeLessThanOrEqual(n + WORKERS - 1);
      expect(proxy.counts.accepted).toBe(sent);
    } finally {
      await proxy.close();
    }
    await expectRerunCompletes();
  });

  it.each([1, 4])(
    'SIGTERM with message %i accepted by the server, the client not yet told: it waits for the reply and records it sent',
    async (n) => {
      await addNight(peers, IDS, WITH_DATA);
      let accepted = '';
      const { run, proxy } = await startRun({}, (pid) => ({
        holdAcceptanceMs: 300,
        onAccepted: (count, reply) => {
          if (count !== n) return;
          accepted = reply;
          signal(pid(), 'SIGTERM');
        },
      }));
      try {
        const { report } = await expectStopped(await run, 'SIGTERM');
        const message = notices().find((m) => accepted.endsWith(m.id));
        expect(message, accepted).toBeDefined();
        const id = Number(/^pi(\d+)@/.exec(message!.envelope.to[0]!)![1]);
        expect(report.results.find((r) => r.id === id)).toMatchObject({ status: 'sent', messageId: message!.messageId });
      } finally {
        await proxy.close();
      }
      await expectRerunCompletes();
    },
  );

  it('a message handed over before the stop gets no retry after it: a 451 is recorded failed, and the rerun sends it', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.sink.faults.rejectData({ code: 451, message: '4.3.0 try again later' }, 1);
    const { run, proxy } = await startRunStoppedAfter(1);
    try {
      const { report } = await expectStopped(await run, 'SIGTERM', /451 4\.3\.0/);
      const refused = report.results.filter((r) => r.error?.includes('451'));
      expect(refused).toHaveLength(1);
      expect(refused[0]!.error).toMatch(/^no recipient accepted the message: .*451 4\.3\.0 try again later/);
      expect(await recordedWith(peers.db.pool, NIGHT, ['failed'])).toContain(refused[0]!.id);
    } finally {
      await proxy.close();
    }
    await expectRerunCompletes();
  });

  it('no digest is handed to SMTP after the stop either: the report says what was left, and the rerun sends it', async () => {
    await addNight(peers, IDS, WITH_DATA);
    const { run, proxy } = await startRun({ ERRORS_TO: OPS }, (pid) => ({
      onData: (count) => {
        if (count === 2) signal(pid(), 'SIGTERM');
      },
    }));
    try {
      await expectStopped(await run, 'SIGTERM');
      expect(peers.sink.messages().filter((m) => m.envelope.to.includes(OPS))).toHaveLength(0);
    } finally {
      await proxy.close();
    }
    await expectRerunCompletes();
  });

  it('a second SIGTERM during the wind-down exits 75 at once, without waiting for the message being sent', async () => {
    await addNight(peers, IDS, WITH_DATA);
    const HOLD_MS = 10_000;
    let firstAt = 0;
    const { run, proxy, pid } = await startRun({ SMTP_TIMEOUT_MS: '30000' }, (pid) => ({
      holdAcceptanceMs: HOLD_MS,
      onAccepted: (count) => {
        if (count !== 1) return;
        firstAt = Date.now();
        signal(pid(), 'SIGTERM');
      },
    }));
    try {
      await until(() => firstAt !== 0, 15_000, 'the first acceptance');
      // The first stop waits for the held reply; the second does not.
      await sleep(200);
      const secondAt = Date.now();
      signal(pid(), 'SIGTERM');
      const stopped = await run;
      expect(stopped.code).toBe(75);
      expect(Date.now() - secondAt).toBeLessThan(HOLD_MS / 2);
      expect(stopped.stderr).toMatch(/SIGTERM again: exiting at once/);
      // Still exactly one JSON document on stdout, as --json promises.
      expect(stopped.stdout.trim().split('\n')).toHaveLength(1);
      expect(stopped.json()).toEqual({
        error: { kind: 'stopped', message: expect.stringMatching(/^SIGTERM again: exiting at once/) },
        exitCode: 75,
      });
    } finally {
      await proxy.close();
    }
    // The message the server took while the run waited may arrive twice (it was `sending`); nothing is lost.
    const rerun = await sendInProcess(reliabilityEnv(peers));
    expect(rerun.code, rerun.stderr).toBe(0);
    const copies = copiesPerNotification(notices(), IDS);
    for (const id of WITH_DATA) expect(copies.get(id), `copies for notification ${id}`).toBeGreaterThanOrEqual(1);
    expect([...copies.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(WORKERS);
  });
  it('SIGTERM with messages waiting their turn behind a relay that never answers: only those on the wire finish, within one SMTP_TIMEOUT_MS', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.sink.faults.loseDataReply('silence');
    const TIMEOUT_MS = 4000;
    let unanswered: number[] = [];
    // Four workers, three connections: three messages go out whole and wait for their replies, the fourth waits its turn.
    const { run, proxy, signalledAt } = await startRunStoppedAfter(SMTP_POOL_CONNECTIONS, { SMTP_TIMEOUT_MS: String(TIMEOUT_MS) });
    try {
      const stopped = await run;
      const afterSignal = Date.now() - signalledAt();
      expect(stopped.code, stopped.stderr).toBe(75);
      const report: Report = stopped.json();
      // No message went out after the signal: those on the wire ended unanswered, the rest were not tried.
      expect(proxy.counts.dataEnd).toBe(SMTP_POOL_CONNECTIONS);
      unanswered = report.results.filter((r) => r.status === 'unknown').map((r) => r.id);
      expect(unanswered).toHaveLength(SMTP_POOL_CONNECTIONS);
      for (const result of report.results.filter((r) => r.status === 'failed')) expect(result.error).toBe('not tried: stopped by SIGTERM');
      expect(await recordedWith(peers.db.pool, NIGHT, ['unknown'])).toEqual(unanswered);
      expect(await sendingRows(peers.db.pool, NIGHT)).toEqual([]);
      expect(notices()).toHaveLength(SMTP_POOL_CONNECTIONS);
      // One reply's wait, not one per message waiting behind it (docs/commands.md#signals: TimeoutStopSec); wide, for a busy machine.
      expect(afterSignal).toBeLessThan(2 * TIMEOUT_MS);
    } finally {
      await proxy.close();
    }
    peers.sink.faults.reset();
    await sendInProcess(reliabilityEnv(peers));
    const copies = copiesPerNotification(notices(), IDS);
    // The unanswered ones once more (a second copy rather than none), every other exactly once.
    for (const id of WITH_DATA) expect(copies.get(id), `copies for notification ${id}`).toBe(unanswered.includes(id) ? 2 : 1);
  });

  it('SIGTERM with a copy per recipient (BOUNCE_ADDRESS) behind a relay that never answers: copies not on the wire are not sent, within one SMTP_TIMEOUT_MS', async () => {
    // Seven recipients a notice: three copies take the pool's connections, four wait behind them.
    const seven = (id: number) =>
      piRow(id, {
        ngoemail: `ngo${id}a@office.test, ngo${id}b@office.test, ngo${id}c@office.test`,
        csemail: `cs${id}a@gemini.test, cs${id}b@gemini.test, cs${id}c@gemini.test`,
      });
    await peers.addNotifications(IDS.map(seven));
    for (const id of WITH_DATA) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 2, NIGHT));
    peers.sink.faults.loseDataReply('silence');
    const TIMEOUT_MS = 4000;
    const { run, proxy, signalledAt } = await startRunStoppedAfter(SMTP_POOL_CONNECTIONS, {
      SMTP_TIMEOUT_MS: String(TIMEOUT_MS),
      ...BOUNCES,
    });
    let unanswered: number[] = [];
    try {
      const stopped = await run;
      const afterSignal = Date.now() - signalledAt();
      expect(stopped.code, stopped.stderr).toBe(75);
      const report: Report = stopped.json();
      // No copy went out after the signal: not even one of a message some of whose copies were on the wire.
      expect(proxy.counts.dataEnd).toBe(SMTP_POOL_CONNECTIONS);
      expect(notices()).toHaveLength(SMTP_POOL_CONNECTIONS);
      // A message with copies on the wire and copies held back is unknown: the next run sends it to all once more.
      unanswered = report.results.filter((r) => r.status === 'unknown').map((r) => r.id);
      expect(unanswered.length).toBeGreaterThan(0);
      expect([...copiesPerNotification(notices(), IDS)].filter(([, n]) => n > 0).map(([id]) => id)).toEqual(unanswered);
      for (const result of report.results.filter((r) => r.status === 'failed')) expect(result.error).toBe('not tried: stopped by SIGTERM');
      expect(await recordedWith(peers.db.pool, NIGHT, ['unknown'])).toEqual(unanswered);
      expect(await sendingRows(peers.db.pool, NIGHT)).toEqual([]);
      // One reply's wait, not one per copy waiting behind it (docs/commands.md#signals: TimeoutStopSec); wide, for a busy machine.
      expect(afterSignal).toBeLessThan(2 * TIMEOUT_MS);
    } finally {
      await proxy.close();
    }
    peers.sink.faults.reset();
    peers.sink.clear();
    const rerun = await sendInProcess(reliabilityEnv(peers, BOUNCES));
    expect(rerun.code, rerun.stderr).toBe(0);
    // Every recipient of every notification with data gets one copy from the rerun: nobody is left without the message.
    const perRecipient = copiesPerRecipient(notices());
    for (const id of WITH_DATA) {
      const everyone = [seven(id).piemail, seven(id).ngoemail, seven(id).csemail].flatMap((field) => String(field).split(', '));
      for (const address of everyone) expect(perRecipient.get(address), address).toBe(1);
    }
    expect(perRecipient.size).toBe(7 * WITH_DATA.length);
  });

  it('SIGTERM during the end ping: the ping finishes and the run exits with its own code, not killed by the signal', async () => {
    await addNight(peers, IDS, WITH_DATA);
    let pid = 0;
    // The end ping (the second request) is answered just after the signal reaches the run.
    const monitor = await startPingServer((request) => {
      if (request === 2) signal(pid, 'SIGTERM');
      return 200;
    });
    try {
      const run = await spawnYougotdata(argv, env({ HEALTHCHECK_URL: monitor.url }), { onSpawn: (p) => (pid = p) });
      expect(run.signal).toBeNull();
      expect(run.code, run.stderr).toBe(0);
      expect(monitor.requests.map((r) => r.pathname)).toEqual(['/ping/check-key/start', '/ping/check-key']);
    } finally {
      await monitor.close();
    }
  });
});
