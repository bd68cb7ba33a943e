import { type ParsedMail, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { startMailSink } from '../../src/sink/index.js';
import { scienceFiles, spawnYougotdata, usePeers, yougotdata } from '../harness/peers.js';
import { NIGHT, piRow, type Report, reliabilityEnv, sendInProcess } from '../harness/reliability.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import { LOCALHOST_CERT_FILE, localhostTls } from '../harness/tls.js';

/**
 * The messages as a mail client reads them (mailparser on the raw bytes the sink received): every one marked
 * automatic, a follow-up threaded under the first notice of its night; and credentials never sent in the clear.
 */

const peers = usePeers();

const OPS = 'ops@gemini.test';
const env = (extra: Record<string, string> = {}) => reliabilityEnv(peers, extra);
const parsed = (raw: string) => simpleParser(raw);
const messagesTo = (address: string) => peers.sink.messages().filter((m) => m.envelope.to.includes(address));

function expectAutomatic(mail: ParsedMail): void {
  expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  expect(mail.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
}

describe('headers of every message', () => {
  it('a PI notice, a CHECK notice and the digest are marked automatic; a first notice replies to nothing', async () => {
    await peers.addNotifications([piRow(1, { csemail: 'cs1@gemini.test' }), piRow(2, { piemail: 'N/A' })]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-1', 2), ...scienceFiles('GN-2026B-Q-2', 1)]);
    peers.summit.addEntries(scienceFiles('GN-2026B-Q-1', 1, NIGHT, { qaState: 'CHECK' }));
    const pi = await sendInProcess(env({ ERRORS_TO: OPS }));
    expect(pi.json().results.map((r: { status: string }) => r.status)).toEqual(['sent', 'no-recipients']);
    const check = await sendInProcess(env(), '--check');
    expect(check.json().results[0].status).toBe('sent');

    const [notice, checkNotice] = await Promise.all(
      ['New Data for GN-2026B-Q-1/science', 'Data set to CHECK for GN-2026B-Q-1/science'].map((subject) =>
        parsed(peers.sink.messages().find((m) => m.subject === subject)!.raw),
      ),
    );
    const [digest] = await Promise.all(messagesTo(OPS).map((m) => parsed(m.raw)));
    expect(messagesTo(OPS)).toHaveLength(1);
    for (const mail of [notice!, checkNotice!, digest!]) {
      expectAutomatic(mail);
      expect(mail.inReplyTo).toBeUndefined();
      expect(mail.references).toBeUndefined();
    }
    expect(digest!.subject).toBe(`yougotdata: PI run for night ${NIGHT} needs attention`);
  });

  it('a follow-up for late files replies to the first notice of its night, under the same subject, however many follow', async () => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 2));
    expect((await sendInProcess(env())).json().results[0].status).toBe('sent');
    for (const ut of ['2026-11-26T14:00:00Z', '2026-11-26T15:00:00Z']) {
      peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1, NIGHT, { ut }));
      const late: Report = (await sendInProcess(env())).json();
      expect(late.results[0]).toMatchObject({ status: 'sent', files: 1 });
    }
    const [first, second, third] = await Promise.all(messagesTo('pi1@uni.test').map((m) => parsed(m.raw)));
    expect(messagesTo('pi1@uni.test')).toHaveLength(3);
    expect(first!.inReplyTo).toBeUndefined();
    expect(first!.references).toBeUndefined();
    for (const followUp of [second!, third!]) {
      expectAutomatic(followUp);
      expect(followUp.subject).toBe(first!.subject);
      expect(followUp.messageId).not.toBe(first!.messageId);
      expect(followUp.inReplyTo).toBe(first!.messageId);
      expect(followUp.references).toBe(first!.messageId);
    }
  });

  it("a look-back night's late files reply to that night's first notice, not to tonight's", async () => {
    const earlier = '20261125';
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1, earlier));
    expect((await sendInProcess({ ...env(), LOOKBACK_NIGHTS: '0' }, '--date', earlier)).code).toBe(0);
    // The next morning: a night checked within the hour is not asked again by the look-back.
    await peers.db.pool.query("UPDATE yougotdata_outcome SET checked_at = checked_at - interval '1 day'");
    peers.archive.addEntries([
      ...scienceFiles('GN-2026B-Q-1', 1, NIGHT),
      ...scienceFiles('GN-2026B-Q-1', 1, earlier, { ut: '2026-11-25T14:00:00Z' }),
    ]);
    const run: Report = (await sendInProcess(env({ LOOKBACK_NIGHTS: '1' }))).json();
    expect(run.results.map((r) => [r.night, r.status])).toEqual([
      [NIGHT, 'sent'],
      [earlier, 'sent'],
    ]);
    const mails = await Promise.all(messagesTo('pi1@uni.test').map((m) => parsed(m.raw)));
    const firstOfEarlier = mails.find((m) => m.messageId?.includes(`.${earlier}.pi.`) && !m.inReplyTo)!;
    const lateOfEarlier = mails.find((m) => m.messageId?.includes(`.${earlier}.pi.`) && m.inReplyTo)!;
    const tonight = mails.find((m) => m.messageId?.includes(`.${NIGHT}.pi.`))!;
    expect(lateOfEarlier.inReplyTo).toBe(firstOfEarlier.messageId);
    expect(lateOfEarlier.references).toBe(firstOfEarlier.messageId);
    expect(tonight.inReplyTo).toBeUndefined();
  });
});

describe('credentials in SMTP_URL', () => {
  const password = 'pa55-w0rd-not-for-logs';
  const withCredentials = (url: string) => url.replace('smtp://', `smtp://mailer:${password}@`);

  it('over smtp:// to a server without STARTTLS: send exits 2 before any message, one line; the password never leaves', async () => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 2));
    // Everything the client says, to show that neither AUTH nor the password went over the wire.
    const said: Buffer[] = [];
    const wire = await startTcpProxy({ host: '127.0.0.1', port: peers.sink.smtpPort }, { fromClient: (_c, chunk) => said.push(chunk) });
    try {
      const url = withCredentials(`smtp://127.0.0.1:${wire.port}`);
      const run = await sendInProcess(env({ SMTP_URL: url }));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^yougotdata: configuration: SMTP_URL holds a user and password, and the server offers no STARTTLS /);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.json()).toEqual({
        error: { kind: 'configuration', message: expect.stringMatching(/^configuration: SMTP_URL holds a user and password/) },
        exitCode: 2,
      });
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      // Without --json: the same line, and nothing on stdout.
      const table = await yougotdata(['send', '--date', NIGHT], env({ SMTP_URL: url }));
      expect(table.code).toBe(2);
      expect(table.stdout).toBe('');
      expect(table.stderr).toBe(run.stderr);
      for (const output of [run.stdout, run.stderr, table.stdout, table.stderr]) expect(output).not.toContain(password);
      const conversation = Buffer.concat(said).toString('latin1');
      expect(conversation).not.toMatch(/^AUTH/m);
      expect(conversation).not.toContain(Buffer.from(`\u0000mailer\u0000${password}`).toString('base64'));
      expect(peers.sink.messages()).toHaveLength(0);
    } finally {
      await wire.close();
    }
  });

  it('over smtp:// to a server with STARTTLS, trusted: sent, encrypted', async () => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 2));
    const relay = await startMailSink({ tls: localhostTls });
    try {
      // NODE_EXTRA_CA_CERTS is read when node starts: a process of its own.
      const run = await spawnYougotdata(
        ['send', '--date', NIGHT, '--json'],
        env({ SMTP_URL: withCredentials(relay.smtpUrl), NODE_EXTRA_CA_CERTS: LOCALHOST_CERT_FILE }),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.json().results[0].status).toBe('sent');
      expect(relay.messages().map((m) => [[...m.envelope.to], m.secure])).toEqual([[['pi1@uni.test'], true]]);
      expect(run.stdout + run.stderr).not.toContain(password);
    } finally {
      await relay.close();
    }
  });
});
