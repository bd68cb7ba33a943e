/**
 * The bounce token, the delivery reports asked for and the DKIM signature as the mail sink (offering DSN) receives
 * them from `send` and `check-smtp`; and today's envelope exactly when none is configured (docs/bounces.md).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import { notTried } from '../../src/domain/result.js';
import { BounceTokens } from '../../src/mail/bounce-token.js';
import { joinSubmissions } from '../../src/mail/smtp-mailer.js';
import { type MailSink, startMailSink } from '../../src/sink/index.js';
import { janeDoeRow, scienceFiles, sendInProcess, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();
const SECRET = 'a3f1c9e07b52d846a3f1c9e07b52d846';
const tokens = new BounceTokens('fitsdata-bounces@gemini.test' as EmailAddress, SECRET);
const dir = mkdtempSync(join(tmpdir(), 'ygd-tracing-'));
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(dir, 'dkim.pem');
writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const resolver = async (name: string) => {
  if (name === 'ygd2026._domainkey.gemini.test') return [[`v=DKIM1; k=rsa; p=${publicKey}`]];
  throw Object.assign(new Error(`no record for ${name}`), { code: 'ENOTFOUND' });
};
const TRACED = {
  BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test',
  BOUNCE_SECRET: SECRET,
  DKIM_DOMAIN: 'gemini.test',
  DKIM_SELECTOR: 'ygd2026',
  DKIM_PRIVATE_KEY_FILE: keyFile,
};

/** A sink that offers DSN, so what the job asks for shows. */
let dsnSink: MailSink;
beforeAll(async () => {
  dsnSink = await startMailSink({ dsn: true });
});
afterAll(async () => {
  await dsnSink.close();
});

const send = async (env: Record<string, string>) => {
  dsnSink.clear();
  await peers.addNotifications([janeDoeRow]);
  peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1));
  return sendInProcess({ ...peers.env, SMTP_URL: dsnSink.smtpUrl, ERRORS_TO: 'ops@gemini.test', ...env });
};

describe('without BOUNCE_ADDRESS or DKIM_DOMAIN', () => {
  it('sends as before: one transaction, From as envelope sender, no delivery report asked, no signature', async () => {
    const run = await send({});
    expect(run.code).toBe(0);
    const [notice, digest] = dsnSink.messages();
    expect(dsnSink.messages()).toHaveLength(2);
    expect(notice?.envelope).toEqual({
      from: 'archive@gemini.test',
      to: ['jane.doe@uni.test', 'ngo@office.test', 'cs@gemini.test'],
      fromParams: {},
      toParams: [{}, {}, {}],
    });
    expect(digest?.envelope.from).toBe('archive@gemini.test');
    expect(notice?.raw).not.toMatch(/^DKIM-Signature:/im);
    const { rows } = await peers.db.pool.query('SELECT relay FROM yougotdata_message');
    expect(rows[0].relay).toEqual([
      {
        recipients: ['jane.doe@uni.test', 'ngo@office.test', 'cs@gemini.test'],
        reply: expect.stringMatching(/^250 Ok: queued as /),
        queueId: expect.any(String),
      },
    ]);
  });
});

describe('with BOUNCE_ADDRESS and DKIM_DOMAIN', () => {
  it('sends each recipient its own copy with its token and report request, the digest to the bare address, all signed', async () => {
    const run = await send(TRACED);
    expect(run.code, run.stderr).toBe(0);
    const { rows } = await peers.db.pool.query('SELECT id, message_id FROM yougotdata_message');
    const sendId = Number(rows[0].id);
    const copies = dsnSink.messages().filter((m) => m.messageId === rows[0].message_id);
    const order = ['jane.doe@uni.test', 'ngo@office.test', 'cs@gemini.test'];
    expect(copies.map((m) => m.envelope.to).sort()).toEqual(order.map((a) => [a]).sort());
    for (const copy of copies) {
      const to = copy.envelope.to[0] as string;
      expect(copy.envelope.from).toBe(tokens.senderFor(sendId, order.indexOf(to)));
      expect(copy.envelope.fromParams).toMatchObject({ RET: 'HDRS', ENVID: String(rows[0].message_id).slice(1, -1) });
      expect(copy.envelope.toParams).toEqual([{ NOTIFY: 'FAILURE,DELAY', ORCPT: `rfc822;${to}` }]);
    }
    // The copies are one message, whoever gets them (each built anew: its MIME boundaries differ).
    expect(new Set(copies.map((m) => `${m.subject}\n${m.text}\n${m.html}`)).size).toBe(1);
    const [digest] = dsnSink.messages().filter((m) => m.subject?.startsWith('yougotdata:'));
    expect(digest?.envelope.from).toBe('fitsdata-bounces@gemini.test');
    for (const message of [copies[0], digest]) {
      const verdict = await dkimVerify(Buffer.from(message?.raw ?? ''), { resolver });
      expect(verdict.results.map((r) => r.status.result)).toEqual(['pass']);
    }
  });

  it('keeps the follow-up threaded and automatic: In-Reply-To and References signed', async () => {
    await send(TRACED);
    const first = dsnSink.messages()[0];
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2).slice(1));
    dsnSink.clear();
    const run = await sendInProcess({ ...peers.env, SMTP_URL: dsnSink.smtpUrl, ...TRACED });
    expect(run.json().results[0]).toMatchObject({ status: 'sent', files: 1 });
    const followUp = dsnSink.messages()[0];
    const mail = await simpleParser(followUp?.raw ?? '');
    expect(mail.inReplyTo).toBe(first?.messageId);
    expect(mail.references).toBe(first?.messageId);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    const verdict = await dkimVerify(Buffer.from(followUp?.raw ?? ''), { resolver });
    expect(verdict.results[0]?.status.result).toBe('pass');
    expect((verdict.results[0] as { signingHeaders?: { keys: string } }).signingHeaders?.keys).toMatch(/In-Reply-To: ?References/i);
  });
});

describe('a DKIM key the job cannot use', () => {
  it('stops the run at the start with exit 2 and one line, before anything is sent or recorded', async () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a key\n');
    const run = await send({ ...TRACED, DKIM_PRIVATE_KEY_FILE: junk });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `yougotdata: configuration: DKIM_PRIVATE_KEY_FILE is not a PEM private key without a passphrase (${junk}): make one with "openssl genrsa -out dkim.pem 2048"`,
    ]);
    expect(run.json()).toMatchObject({ error: { kind: 'configuration' }, exitCode: 2 });
    expect(dsnSink.messages()).toHaveLength(0);
    expect(peers.archive.requests).toHaveLength(0);
  });

  it('is no obstacle to a dry run, which sends and signs nothing', async () => {
    const run = await send({ ...TRACED, DKIM_PRIVATE_KEY_FILE: join(dir, 'missing.pem'), BOUNCE_SECRET: 'short' });
    expect(run.code).toBe(2);
    const dry = await sendInProcess({ ...peers.env, ...TRACED, DKIM_PRIVATE_KEY_FILE: join(dir, 'missing.pem') }, '--dry-run');
    expect(dry.code).toBe(0);
  });
});

describe('check-smtp', () => {
  it('shows the bounce address, whether the server offers DSN, and the DNS record to publish', async () => {
    const run = await yougotdata(['check-smtp', '--to', 'support@gemini.test'], {
      SMTP_URL: dsnSink.smtpUrl,
      EMAIL_FROM: 'Gemini Observatory Archive <archive@gemini.test>',
      ...TRACED,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'Bounces    to fitsdata-bounces@gemini.test with a token per recipient (fitsdata-bounces+<row>-<recipient>-<hmac>@gemini.test); ' +
        'the server offers DSN: delivery reports are asked for',
    );
    expect(run.stdout).toContain('DKIM       signing for gemini.test with selector ygd2026; the DNS record to publish:');
    const record = /^ {2}ygd2026\._domainkey\.gemini\.test\. IN TXT (.*)$/m.exec(run.stdout)?.[1] ?? '';
    expect([...record.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')).toBe(`v=DKIM1; k=rsa; p=${publicKey}`);
    const [test] = dsnSink.messages().slice(-1);
    expect(test?.envelope.from).toBe('fitsdata-bounces@gemini.test');
    expect((await dkimVerify(Buffer.from(test?.raw ?? ''), { resolver })).results[0]?.status.result).toBe('pass');
  });

  it('says so when neither is configured, and when the server offers no DSN', async () => {
    const plain = await yougotdata(['check-smtp'], {
      SMTP_URL: peers.sink.smtpUrl,
      ...TRACED,
      DKIM_DOMAIN: '',
      DKIM_SELECTOR: '',
      DKIM_PRIVATE_KEY_FILE: '',
    });
    expect(plain.stdout).toContain('the server does not offer DSN: bounces come without ENVID or ORCPT');
    expect(plain.stdout).toContain('DKIM       not signed by the job (DKIM_DOMAIN not set): the relay may sign');
    const off = await yougotdata(['check-smtp'], { SMTP_URL: peers.sink.smtpUrl });
    expect(off.stdout).toContain('Bounces    to the From address (BOUNCE_ADDRESS not set)');
  });
});

describe('the copies of one message, one per recipient, joined', () => {
  const accepted = (address: string) => ({
    kind: 'accepted' as const,
    accepted: [address],
    refused: [],
    relay: [{ recipients: [address], reply: `250 Ok: queued as Q${address.length}`, queueId: `Q${address.length}` }],
  });

  it('is accepted when anyone took it, the others refused with their own reply or their transaction error', () => {
    const joined = joinSubmissions([
      { recipient: 'a@x.test', submission: accepted('a@x.test') },
      {
        recipient: 'bb@x.test',
        submission: {
          kind: 'failed',
          error: 'no recipient accepted the message: bb@x.test: 550 no',
          refused: [{ address: 'bb@x.test', reply: '550 no' }],
        },
      },
      { recipient: 'ccc@x.test', submission: { kind: 'failed', error: 'the SMTP server refused the message: 554 spam', refused: [] } },
    ]);
    expect(joined).toEqual({
      kind: 'accepted',
      accepted: ['a@x.test'],
      refused: [
        { address: 'bb@x.test', reply: '550 no' },
        { address: 'ccc@x.test', reply: 'the SMTP server refused the message: 554 spam' },
      ],
      relay: [{ recipients: ['a@x.test'], reply: '250 Ok: queued as Q8', queueId: 'Q8' }],
    });
  });

  it('fails with the one error all shared, or else naming each refusal', () => {
    const down = { kind: 'failed' as const, ...notTried('the SMTP server could not be reached'), refused: [] };
    expect(
      joinSubmissions([
        { recipient: 'a@x.test', submission: down },
        { recipient: 'b@x.test', submission: down },
      ]),
    ).toEqual({
      kind: 'failed',
      error: 'not tried: the SMTP server could not be reached',
      notTried: 'the SMTP server could not be reached',
      refused: [
        { address: 'a@x.test', reply: down.error },
        { address: 'b@x.test', reply: down.error },
      ],
    });
    const refusedBy = (address: string) => ({
      kind: 'failed' as const,
      error: `no recipient accepted the message: ${address}: 550 gone`,
      refused: [{ address, reply: '550 gone' }],
    });
    expect(
      joinSubmissions([
        { recipient: 'a@x.test', submission: refusedBy('a@x.test') },
        { recipient: 'b@x.test', submission: refusedBy('b@x.test') },
      ]),
    ).toEqual({
      kind: 'failed',
      error: 'no recipient accepted the message: a@x.test: 550 gone; b@x.test: 550 gone',
      refused: [
        { address: 'a@x.test', reply: '550 gone' },
        { address: 'b@x.test', reply: '550 gone' },
      ],
    });
  });

  it('a copy that went out whole and got no reply: unknown when nobody took the message, so the next run sends it once more', () => {
    const unanswered = { kind: 'unknown' as const, error: 'no reply after the whole message was sent (ETIMEDOUT)', refused: [] };
    const refused = {
      kind: 'failed' as const,
      error: 'no recipient accepted the message: b@x.test: 550 gone',
      refused: [{ address: 'b@x.test', reply: '550 gone' }],
    };
    expect(
      joinSubmissions([
        { recipient: 'a@x.test', submission: unanswered },
        { recipient: 'b@x.test', submission: refused },
      ]),
    ).toEqual({
      kind: 'unknown',
      error: unanswered.error,
      refused: [
        { address: 'a@x.test', reply: unanswered.error },
        { address: 'b@x.test', reply: '550 gone' },
      ],
    });
    expect(
      joinSubmissions([
        { recipient: 'a@x.test', submission: unanswered },
        { recipient: 'c@x.test', submission: accepted('c@x.test') },
      ]),
    ).toMatchObject({ kind: 'accepted', accepted: ['c@x.test'], refused: [{ address: 'a@x.test', reply: unanswered.error }] });
  });

  it('after a stop, taken by some and not tried for others: unknown, so the next run sends it to everyone; not tried by all: failed', () => {
    const held = { kind: 'failed' as const, ...notTried('stopped by SIGTERM'), refused: [] };
    expect(
      joinSubmissions(
        [
          { recipient: 'a@x.test', submission: accepted('a@x.test') },
          { recipient: 'b@x.test', submission: held },
        ],
        'stopped by SIGTERM',
      ),
    ).toEqual({
      kind: 'unknown',
      error: 'stopped by SIGTERM after 1 of 2 copies went out, before the copies to b@x.test: the next run sends it to everyone once more',
      refused: [{ address: 'b@x.test', reply: 'not tried: stopped by SIGTERM' }],
    });
    expect(
      joinSubmissions(
        [
          { recipient: 'a@x.test', submission: held },
          { recipient: 'b@x.test', submission: held },
        ],
        'stopped by SIGTERM',
      ),
    ).toMatchObject({ kind: 'failed', notTried: 'stopped by SIGTERM' });
    // Not tried for another reason than the stop (the server out of reach): the message stays sent to those who took it.
    const down = { kind: 'failed' as const, ...notTried('the SMTP server could not be reached'), refused: [] };
    expect(
      joinSubmissions(
        [
          { recipient: 'a@x.test', submission: accepted('a@x.test') },
          { recipient: 'b@x.test', submission: down },
        ],
        'stopped by SIGTERM',
      ),
    ).toMatchObject({ kind: 'accepted', accepted: ['a@x.test'] });
  });
});
