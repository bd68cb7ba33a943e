import net from 'node:net';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { SMTP_POOL_CONNECTIONS } from '../../src/mail/smtp-mailer.js';
import { startMailSink, startSilentSmtpServer } from '../../src/sink/index.js';
import { type Peers, scienceFiles, spawnYougotdata, usePeers, yougotdata } from '../harness/peers.js';
import {
  addNight,
  copiesPerNotification,
  copiesPerRecipient,
  idsWith,
  NIGHT,
  piRow,
  type Report,
  recordedRefusals,
  recordedWith,
  reliabilityEnv,
  sendInProcess,
  statusesOf,
  timed,
  until,
} from '../harness/reliability.js';
import { startSmtpProxy } from '../harness/smtp-proxy.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import { LOCALHOST_CERT_FILE, localhostTls, UNTRUSTED_CERTIFICATE } from '../harness/tls.js';

const peers = usePeers();

const OPS = 'ops@gemini.test';
const digests = () => peers.sink.messages().filter((m) => m.envelope.to.includes(OPS));
const notices = () => peers.sink.messages().filter((m) => !m.envelope.to.includes(OPS));
const digestText = async () => {
  const [digest] = digests();
  expect(digests()).toHaveLength(1);
  return (await simpleParser(digest!.raw)).text ?? '';
};

/** A notification with a PI, a partner office and a contact scientist. */
const threeRecipients = (id: number) => piRow(id, { ngoemail: `ngo${id}@office.test`, csemail: `cs${id}@gemini.test` });
/** A copy per recipient, each with its own bounce token. */
const BOUNCES = { BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test', BOUNCE_SECRET: 'test-only secret: 8f1d2c3b4a5e6f7081928374' };

describe('SMTP faults', () => {
  it('one recipient refused with 550: the others get the message, the refusal is recorded and in the digest', async () => {
    await peers.addNotifications([threeRecipients(1)]);
    await addNight(peers, [], [1]);
    peers.sink.faults.rejectRecipient('ngo1@office.test', { code: 550, message: '5.1.1 no such user here' });
    const run = await sendInProcess(reliabilityEnv(peers, { ERRORS_TO: OPS }));
    expect(run.code).toBe(0);
    expect(run.json().results[0]).toMatchObject({ status: 'sent', refused: ['ngo1@office.test'] });
    const [message] = notices();
    expect(notices()).toHaveLength(1);
    expect([...message!.envelope.to].sort()).toEqual(['cs1@gemini.test', 'pi1@uni.test']);
    const recorded = await recordedRefusals(peers.db.pool);
    expect(recorded).toContain('ngo1@office.test');
    expect(recorded).toContain('no such user here');
    const digest = await digestText();
    expect(digest).toMatch(/#1 .*: sent/);
    expect(digest).toMatch(/refused: ngo1@office\.test \(550.*no such user here\)/);
  });

  it('every recipient refused with 550: failed, exit 1, in the digest; nothing delivered', async () => {
    await addNight(peers, [1, 2], [1, 2]);
    peers.sink.faults.rejectRecipient('pi1@uni.test', { code: 550, message: '5.1.1 mailbox unavailable' });
    const run = await sendInProcess(reliabilityEnv(peers, { ERRORS_TO: OPS }));
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(statusesOf(report)).toEqual({ 1: 'failed', 2: 'sent' });
    expect(report.results[0]!.error).toContain('mailbox unavailable');
    expect(await digestText()).toMatch(/#1 .*: failed[\s\S]*pi1@uni\.test/);
    expect([...copiesPerNotification(notices(), [1, 2]).values()]).toEqual([0, 1]);
  });

  it.each([
    [
      '451 at RCPT for one of three recipients',
      (p: Peers) => p.sink.faults.rejectRecipient('cs1@gemini.test', { code: 451, message: '4.7.1 greylisted, try again' }, 1),
    ],
    [
      '421 at RCPT (the server closing the connection)',
      (p: Peers) => p.sink.faults.rejectRecipient('ngo1@office.test', { code: 421, message: '4.3.2 shutting down' }, 1),
    ],
    ['451 after DATA', (p: Peers) => p.sink.faults.rejectData({ code: 451, message: '4.3.0 local error, try again' }, 1)],
    ['421 after DATA', (p: Peers) => p.sink.faults.rejectData({ code: 421, message: '4.3.2 closing' }, 1)],
    ['the connection dropped at RCPT', (p: Peers) => p.sink.faults.dropConnection('rcpt', 1)],
    ['the connection dropped at DATA', (p: Peers) => p.sink.faults.dropConnection('data', 1)],
  ])('%s is retried: every recipient gets the message exactly once', async (_case, fault) => {
    await peers.addNotifications([threeRecipients(1), threeRecipients(2)]);
    await addNight(peers, [], [1, 2]);
    fault(peers);
    const run = await sendInProcess(reliabilityEnv(peers));
    expect(run.code).toBe(0);
    const report: Report = run.json();
    expect(statusesOf(report)).toEqual({ 1: 'sent', 2: 'sent' });
    for (const result of report.results) expect(result.refused).toEqual([]);
    const copies = copiesPerRecipient(peers.sink.messages());
    expect(Object.fromEntries(copies)).toEqual({
      'pi1@uni.test': 1,
      'ngo1@office.test': 1,
      'cs1@gemini.test': 1,
      'pi2@uni.test': 1,
      'ngo2@office.test': 1,
      'cs2@gemini.test': 1,
    });
  });

  it('connections dropped again and again mid-run: the pool reconnects, no message lost or doubled', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    await addNight(peers, ids, ids);
    peers.sink.faults.dropConnection('data', 3).dropConnection('rcpt', 2);
    const proxy = await startSmtpProxy(peers.sink);
    try {
      // And, three times, the server closes a connection right after accepting a message on it.
      proxy.closeAfterAcceptance(3);
      const run = await sendInProcess(reliabilityEnv(peers, { SMTP_URL: proxy.url }));
      expect(run.code).toBe(0);
      expect(idsWith(run.json(), 'sent')).toEqual(ids);
      expect([...copiesPerNotification(peers.sink.messages(), ids).values()]).toEqual(ids.map(() => 1));
      expect(proxy.tcp.accepted).toBeGreaterThan(3);
    } finally {
      await proxy.close();
    }
  });

  it.each([
    ['never answers (its reply never comes)', 'silence'],
    ['drops the connection after the final dot', 'drop'],
  ] as const)(
    'a relay that takes the whole message and %s: one copy each, recorded unknown, exit 1; the next run sends each once more',
    async (_case, how) => {
      const ids = [1, 2, 3, 4, 5, 6];
      await addNight(peers, ids, ids);
      // The six notices lose their reply; the digest after them goes through.
      peers.sink.faults.loseDataReply(how, ids.length);
      const run = await sendInProcess(reliabilityEnv(peers, { ERRORS_TO: OPS }));
      expect(run.code).toBe(1);
      const report: Report = run.json();
      expect(idsWith(report, 'unknown')).toEqual(ids);
      expect(report.totals).toEqual({ unknown: 6 });
      for (const result of report.results) {
        expect(result.error).toMatch(
          /^no reply after the whole message was sent \((ETIMEDOUT|ECONNECTION): .*\): it may have been delivered/,
        );
        expect(result.messageId).toMatch(/^<yougotdata\./);
      }
      // Each message went out once: a message whose data has gone out is never sent again by the run.
      expect([...copiesPerNotification(notices(), ids).values()]).toEqual(ids.map(() => 1));
      expect(await recordedWith(peers.db.pool, NIGHT, ['unknown'])).toEqual(ids);
      const digest = await digestText();
      expect(digest).toMatch(/#1 .*: unknown\n {2}error: no reply after the whole message was sent/);
      expect(digest).toMatch(/to do: the mail server never answered after taking the whole message, so it may have arrived/);

      // Nothing confirmed them, so none counts as announced: the next run sends each once more, and says so.
      const again = await sendInProcess(reliabilityEnv(peers));
      expect(again.code).toBe(0);
      expect(idsWith(again.json(), 'sent')).toEqual(ids);
      expect(again.stderr.match(/sending again: the message handed to the mail server at .* was never answered/g)).toHaveLength(6);
      expect([...copiesPerNotification(notices(), ids).values()]).toEqual(ids.map(() => 2));
      const third = await sendInProcess(reliabilityEnv(peers));
      expect(idsWith(third.json(), 'already-sent')).toEqual(ids);
      expect([...copiesPerNotification(notices(), ids).values()]).toEqual(ids.map(() => 2));
    },
  );

  it("a message sent whole and never answered is not sent again by the same run, not even as a later night's look-back", async () => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 2, '20261125'));
    peers.sink.faults.loseDataReply('drop', 1);
    // Night 25, then night 26 with night 25 as its look-back night: one request covers both.
    const run = await yougotdata(['send', '--date', '20261125..20261126', '--json'], reliabilityEnv(peers, { LOOKBACK_NIGHTS: '1' }));
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(report.results.map((r) => [r.night, r.status])).toEqual([
      ['20261125', 'unknown'],
      ['20261126', 'no-data'],
    ]);
    expect(notices()).toHaveLength(1);
  });

  it('the server down for the whole run: every would-be message failed, exit 75 (try again later); the next run sends them', async () => {
    await addNight(peers, [1, 2, 3, 4], [1, 2, 3]);
    const { value: down, ms } = await timed(() => sendInProcess(reliabilityEnv(peers, { SMTP_URL: 'smtp://127.0.0.1:9', ERRORS_TO: OPS })));
    expect(down.code).toBe(75);
    const report: Report = down.json();
    expect(statusesOf(report)).toEqual({ 1: 'failed', 2: 'failed', 3: 'failed', 4: 'no-data' });
    for (const result of report.results.slice(0, 3)) expect(result.error).toMatch(/ECONNECTION|ECONNREFUSED/);
    expect(down.stderr).toMatch(/digest could not be sent/);
    // Bounded by attempts (the test above counts them); the time only widely: the backoff alone may reach 7 s.
    expect(ms).toBeLessThan(60_000);
    expect(peers.sink.messages()).toHaveLength(0);

    const again = await sendInProcess(reliabilityEnv(peers));
    expect(again.code).toBe(0);
    expect(statusesOf(again.json())).toEqual({ 1: 'sent', 2: 'sent', 3: 'sent', 4: 'no-data' });
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2, 3, 4]).values()]).toEqual([1, 1, 1, 0]);
  });

  it('a server that closes every connection at once: after one message has used its retries, the rest are not tried', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    await addNight(peers, ids, ids);
    let connections = 0;
    const closing = net.createServer((socket) => {
      connections += 1;
      socket.on('error', () => {});
      socket.destroy();
    });
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    try {
      const port = (closing.address() as net.AddressInfo).port;
      const run = await sendInProcess(reliabilityEnv(peers, { SMTP_URL: `smtp://127.0.0.1:${port}`, ARCHIVE_CONCURRENCY: '2' }));
      expect(run.code).toBe(75);
      const report: Report = run.json();
      expect(idsWith(report, 'failed')).toEqual(ids);
      const notTried = report.results.filter((r) => r.error?.startsWith('not tried: the SMTP server could not be reached ('));
      // Messages handed over before the first one gave up: at most one per worker (2 × ARCHIVE_CONCURRENCY), each
      // making at most its 4 attempts, one connection each (a pool requeueing on a closed connection would open
      // more). The rest ask nothing; without the latch, 4 × 10.
      const workers = 4;
      expect(notTried.length).toBeGreaterThanOrEqual(ids.length - workers);
      expect(connections).toBeGreaterThanOrEqual(4);
      expect(connections).toBeLessThanOrEqual(workers * 4);
      expect(peers.sink.messages()).toHaveLength(0);
    } finally {
      await new Promise((resolve) => closing.close(resolve));
    }
    const again = await sendInProcess(reliabilityEnv(peers));
    expect(idsWith(again.json(), 'sent')).toEqual(ids);
    expect([...copiesPerNotification(peers.sink.messages(), ids).values()]).toEqual(ids.map(() => 1));
  });

  it('a server that accepts the connection and never answers: SMTP_TIMEOUT_MS ends each wait, the run exits 75, the next run sends', async () => {
    const ids = [1, 2, 3];
    await addNight(peers, ids, ids);
    const silent = await startSilentSmtpServer();
    try {
      const { value: hung, ms } = await timed(() =>
        sendInProcess(reliabilityEnv(peers, { SMTP_URL: silent.url, SMTP_TIMEOUT_MS: '1000' })),
      );
      expect(hung.code).toBe(75);
      const report: Report = hung.json();
      expect(idsWith(report, 'failed')).toEqual(ids);
      for (const result of report.results)
        expect(result.error).toMatch(/timeout|ETIMEDOUT|not tried: the SMTP server could not be reached/i);
      // Never open-ended, by what can be counted: each message at most its four attempts, one connection each, and
      // at least one message made them all (every wait ended by the timeout, then tried again).
      expect(silent.connections).toBeGreaterThanOrEqual(4);
      expect(silent.connections).toBeLessThanOrEqual(ids.length * 4);
      expect(peers.sink.messages()).toHaveLength(0);
      // Four one-second attempts and up to 7 s of backoff: any wall-clock bound stays wide on a busy machine.
      expect(ms).toBeLessThan(60_000);
    } finally {
      await silent.close();
    }
    const again = await sendInProcess(reliabilityEnv(peers));
    expect(again.code).toBe(0);
    expect(idsWith(again.json(), 'sent')).toEqual(ids);
    expect([...copiesPerNotification(peers.sink.messages(), ids).values()]).toEqual(ids.map(() => 1));
  });
});

describe('a relay that speaks STARTTLS', () => {
  it('with a certificate this machine does not trust: nothing goes out in the clear, each failure says what to do; trusted, all sent encrypted', async () => {
    const ids = [1, 2];
    await addNight(peers, [...ids, 3], ids);
    const relay = await startMailSink({ tls: localhostTls });
    // NODE_EXTRA_CA_CERTS is read when node starts: these runs are processes of their own.
    const send = (extra: Record<string, string>) =>
      spawnYougotdata(['send', '--date', NIGHT, '--json'], reliabilityEnv(peers, { SMTP_URL: relay.smtpUrl, ...extra }));
    try {
      const untrusted = await send({});
      expect(untrusted.code).toBe(1);
      const report: Report = untrusted.json();
      expect(statusesOf(report)).toEqual({ 1: 'failed', 2: 'failed', 3: 'no-data' });
      for (const id of ids) {
        expect(report.results.find((r) => r.id === id)!.error).toBe(`no recipient accepted the message: ESOCKET: ${UNTRUSTED_CERTIFICATE}`);
      }
      expect(relay.messages()).toHaveLength(0);

      const trusted = await send({ NODE_EXTRA_CA_CERTS: LOCALHOST_CERT_FILE });
      expect(trusted.code).toBe(0);
      expect(idsWith(trusted.json(), 'sent')).toEqual(ids);
      expect(relay.messages().map((m) => m.secure)).toEqual([true, true]);
      expect([...copiesPerNotification(relay.messages(), ids).values()]).toEqual([1, 1]);
    } finally {
      await relay.close();
    }
  });
});

describe('a relay that wants a login', () => {
  const WRONG_PASSWORD = { code: 535, message: '5.7.8 authentication credentials invalid' };
  const ids = [1, 2, 3, 4, 5, 6];
  /** The built CLI against a STARTTLS relay it trusts (NODE_EXTRA_CA_CERTS is read when node starts). */
  const sendThrough = (relay: { smtpPort: number }, password: string, extra: Record<string, string> = {}) =>
    spawnYougotdata(
      ['send', '--date', NIGHT, '--json'],
      reliabilityEnv(peers, {
        SMTP_URL: `smtp://alice:${password}@localhost:${relay.smtpPort}`,
        NODE_EXTRA_CA_CERTS: LOCALHOST_CERT_FILE,
        ERRORS_TO: OPS,
        ...extra,
      }),
    );

  it('a wrong password: one login, refused, then exit 2 with one line naming SMTP_URL; nothing sent; right, all sent', async () => {
    await addNight(peers, ids, ids);
    const relay = await startMailSink({ tls: localhostTls });
    try {
      relay.faults.refuseLogin(WRONG_PASSWORD);
      const refused = await sendThrough(relay, 'wr0ng-pw');
      expect(refused.code).toBe(2);
      expect(relay.stats.logins).toBe(1);
      expect(relay.messages()).toHaveLength(0);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^yougotdata: configuration: SMTP_URL names a user the mail server does not accept: the login of "alice" was refused \(535 5\.7\.8 authentication credentials invalid\); correct the user or password/,
      );
      expect(refused.stderr + refused.stdout).not.toContain('wr0ng-pw');
      expect(refused.json()).toMatchObject({ error: { kind: 'configuration' }, exitCode: 2 });
      // Stopped before any notification was taken: nothing searched, nothing recorded to retry.
      expect(peers.archive.requests).toHaveLength(0);

      relay.faults.reset();
      const right = await sendThrough(relay, 'right-pw');
      expect(right.code).toBe(0);
      expect(idsWith(right.json(), 'sent')).toEqual(ids);
      expect([...copiesPerNotification(relay.messages(), ids).values()]).toEqual(ids.map(() => 1));
    } finally {
      await relay.close();
    }
  });

  it('a login refused later in the run: the run ends there, exit 2, after one refusal per connection, not one per message', async () => {
    const many = Array.from({ length: 12 }, (_, i) => i + 1);
    await addNight(peers, many, many);
    const relay = await startMailSink({ tls: localhostTls });
    try {
      // The check before the first message passes; the pool's own logins are refused.
      relay.faults.refuseLogin(WRONG_PASSWORD, Infinity, 1);
      const run = await sendThrough(relay, 'changed-pw');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^yougotdata: configuration: SMTP_URL names a user the mail server does not accept/m);
      expect(relay.stats.logins).toBeLessThanOrEqual(1 + SMTP_POOL_CONNECTIONS);
      expect(relay.messages()).toHaveLength(0);
      expect(await recordedWith(peers.db.pool, NIGHT, ['sending'])).toEqual([]);
    } finally {
      await relay.close();
    }
  });

  it('a login refused for one copy after the others were taken (BOUNCE_ADDRESS): sent to those, the copy refused, exit 2; no second copy', async () => {
    await peers.addNotifications([threeRecipients(1)]);
    await addNight(peers, [], [1]);
    const everyone = ['cs1@gemini.test', 'ngo1@office.test', 'pi1@uni.test'];
    const relay = await startMailSink({ tls: localhostTls });
    // The check and two of the pool's connections log in; the third connection is slow to open, and its login is
    // refused (the password changed meanwhile) after the other two copies were taken.
    relay.faults.refuseLogin(WRONG_PASSWORD, Infinity, 3);
    const slow = await startTcpProxy(
      { host: '127.0.0.1', port: relay.smtpPort },
      {
        fromServer: async (connection, chunk) => {
          if (connection.id === 1 + SMTP_POOL_CONNECTIONS) await until(() => relay.messages().length >= 2, 10_000, 'two copies taken');
          return chunk;
        },
      },
    );
    try {
      const run = await sendThrough({ smtpPort: slow.port }, 'rotated-pw', BOUNCES);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^yougotdata: configuration: SMTP_URL names a user the mail server does not accept/m);
      expect(relay.stats.logins).toBe(1 + SMTP_POOL_CONNECTIONS);
      const copies = () => relay.messages().filter((m) => !m.envelope.to.includes(OPS));
      const took = copies().flatMap((m) => m.envelope.to);
      expect(took).toHaveLength(2);
      const [left] = everyone.filter((a) => !took.includes(a));
      // The row is sent to those the relay took, with its replies; the copy whose login was refused is a refused recipient.
      const { rows } = await peers.db.pool.query<{
        status: string;
        accepted: string[];
        refused: { address: string; reply: string }[];
        relay: unknown[];
      }>('SELECT status, accepted, refused, relay FROM yougotdata_message WHERE notification_id = 1');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.status).toBe('sent');
      expect([...(rows[0]?.accepted ?? [])].sort()).toEqual([...took].sort());
      expect(rows[0]?.relay).toHaveLength(2);
      expect(rows[0]?.refused).toEqual([{ address: left, reply: expect.stringMatching(/login of "alice" was refused \(535 5\.7\.8/) }]);

      relay.faults.reset();
      const rerun = await sendThrough(relay, 'right-pw', BOUNCES);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(statusesOf(rerun.json())).toEqual({ 1: 'already-sent' });
      // Nobody the relay took gets a second copy.
      expect([...copiesPerRecipient(copies()).values()]).toEqual([1, 1]);
    } finally {
      await slow.close();
      await relay.close();
    }
  });

  it('SMTP_URL with query parameters (?requireTLS=false) is refused: exit 2, and the password never leaves the machine', async () => {
    await addNight(peers, ids, ids);
    const run = await spawnYougotdata(
      ['send', '--date', NIGHT, '--json'],
      reliabilityEnv(peers, { SMTP_URL: `smtp://alice:s3cret-pw@127.0.0.1:${peers.sink.smtpPort}?requireTLS=false` }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'yougotdata: configuration: SMTP_URL must not carry query parameters (?…): the job sets TLS itself, and a password only travels inside TLS',
    ]);
    expect(run.stdout).not.toContain('s3cret-pw');
    expect(peers.sink.stats.logins).toBe(0);
    expect(peers.sink.messages()).toHaveLength(0);
  });
});
