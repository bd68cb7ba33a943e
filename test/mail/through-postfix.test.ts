/**
 * The job's mail through a real relay: a private Postfix between `send` and the mail sink playing "the internet",
 * which refuses the PI with 550 5.1.1. What the far side sees: the bounce token, the DSN parameters, a DKIM signature
 * that mailauth accepts; and the RFC 3464 bounce Postfix writes to the token address (docs/bounces.md).
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { type SimpleParserOptions, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import { BounceTokens } from '../../src/mail/bounce-token.js';
import { type MailHogPage, type MailSink, type SinkMessage, startMailSink } from '../../src/sink/index.js';
import { janeDoeRow, scienceFiles, sendInProcess, usePeers } from '../harness/peers.js';
import { findPostfix, type PrivatePostfix, startPostfix } from '../harness/postfix.js';

const POSTFIX = findPostfix();
const peers = usePeers();

const BOUNCE_SECRET = 'test-only secret: 8f1d2c3b4a5e6f7081928374';
const tokens = new BounceTokens('fitsdata-bounces@gemini.test' as EmailAddress, BOUNCE_SECRET);
/** What the job sent, as the far side got it through Postfix; the bounce Postfix wrote for the PI. */
let internet: MailSink;
let postfix: PrivatePostfix;
let publicKey: string;
let keyFile: string;

/** The DKIM record, served by the test in place of DNS. */
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && name === 'ygd2026._domainkey.gemini.test') return [[`v=DKIM1; k=rsa; p=${publicKey}`]];
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
};

describe.skipIf(!POSTFIX)('mail through a private Postfix', () => {
  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    keyFile = join(mkdtempSync(join(tmpdir(), 'ygd-dkim-')), 'dkim.pem');
    writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    internet = await startMailSink({ dsn: true });
    postfix = await startPostfix(POSTFIX as string, { relayPort: internet.smtpPort });
  });
  afterAll(async () => {
    await postfix?.stop();
    await internet?.close();
  });

  it('delivers the copies with a valid token, DSN parameters and a signature; Postfix bounces the refused PI to the token', async () => {
    internet.faults.rejectRecipient('jane.doe@uni.test', {
      code: 550,
      message: '5.1.1 <jane.doe@uni.test>: Recipient address rejected: User unknown',
    });
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const run = await sendInProcess({
      ...peers.env,
      SMTP_URL: postfix.smtpUrl,
      EMAIL_BCC: 'copies@gemini.test',
      BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test',
      BOUNCE_SECRET,
      DKIM_DOMAIN: 'gemini.test',
      DKIM_SELECTOR: 'ygd2026',
      DKIM_PRIVATE_KEY_FILE: keyFile,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().results[0]).toMatchObject({ status: 'sent', refused: [] });
    await postfix.drained();

    // The relay took each recipient in its own transaction; its replies and queue ids are in the send record.
    const { rows } = await peers.db.pool.query('SELECT id, message_id, recipients_bcc, accepted, relay FROM yougotdata_message');
    const [row] = rows;
    const order = ['jane.doe@uni.test', 'ngo@office.test', 'cs@gemini.test', 'copies@gemini.test'];
    expect(row.recipients_bcc).toEqual(['copies@gemini.test']);
    expect(row.accepted).toEqual(order);
    expect(row.relay).toEqual(
      order.map((address) => ({
        recipients: [address],
        reply: expect.stringMatching(/^250 2\.0\.0 Ok: queued as [0-9A-Z]+$/),
        queueId: expect.stringMatching(/^[0-9A-Z]+$/),
      })),
    );
    const queueIdOf = (address: string) => row.relay.find((r: { recipients: string[] }) => r.recipients[0] === address).queueId;

    const delivered = internet.messages().filter((m) => m.envelope.from !== '');
    expect(delivered.map((m) => m.envelope.to)).toEqual(
      expect.arrayContaining([['ngo@office.test'], ['cs@gemini.test'], ['copies@gemini.test']]),
    );
    expect(delivered).toHaveLength(3);
    const envid = String(row.message_id).slice(1, -1);
    for (const message of delivered) {
      const [to] = message.envelope.to as [string];
      // The envelope sender names the row and this recipient's place, and its HMAC holds.
      expect(tokens.read(message.envelope.from)).toEqual({ kind: 'valid', sendId: Number(row.id), recipient: order.indexOf(to) });
      expect(message.envelope.fromParams).toMatchObject({ RET: 'HDRS', ENVID: envid });
      expect(message.envelope.toParams).toEqual([{ NOTIFY: 'FAILURE,DELAY', ORCPT: `rfc822;${to}` }]);
      // Header From, Reply-To, threading and Auto-Submitted are the job's, unchanged; Return-Path is the token.
      const mail = await simpleParser(message.raw);
      expect(mail.from?.value).toEqual([{ name: 'Gemini Observatory Archive', address: 'archive@gemini.test' }]);
      expect(mail.replyTo?.value[0]?.address).toBe('helpdesk@gemini.test');
      expect(mail.messageId).toBe(row.message_id);
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      expect(message.raw).toMatch(/^Received: from .*\r\n\s+by relay\.yougotdata\.test \(Postfix\)/m);
      // A real verifier, with the key from the test's "DNS".
      const verdict = await dkimVerify(Buffer.from(message.raw), { resolver });
      expect(verdict.results.map((r) => [r.signingDomain, r.selector, r.status.result])).toEqual([['gemini.test', 'ygd2026', 'pass']]);
    }

    // MailHog's API shows the parameters where MailHog keeps them.
    const page = (await (await fetch(`${internet.apiUrl}/api/v2/messages`)).json()) as MailHogPage;
    const ngo = page.items.find((item) => item.To[0]?.Mailbox === 'ngo');
    expect(ngo?.From.Params).toMatch(/(^| )RET=HDRS( |$)/);
    expect(ngo?.From.Params).toContain(`ENVID=${envid}`);
    expect(ngo?.To[0]?.Params.split(' ').sort()).toEqual(['NOTIFY=FAILURE,DELAY', 'ORCPT=rfc822;ngo@office.test']);
    expect(`${ngo?.From.Mailbox}@${ngo?.From.Domain}`).toBe(tokens.senderFor(Number(row.id), 1));

    // Postfix's bounce for the refused PI went to the PI's token address: a genuine RFC 3464 report.
    const bounces = internet.messages().filter((m) => m.envelope.from === '');
    expect(bounces).toHaveLength(1);
    const bounce = bounces[0] as SinkMessage;
    expect(bounce.envelope.to).toEqual([tokens.senderFor(Number(row.id), 0)]);
    expect(tokens.read(bounce.envelope.to[0] as string)).toEqual({ kind: 'valid', sendId: Number(row.id), recipient: 0 });
    // mailparser folds the report into the text unless told to keep it (its types do not list the option).
    const report = await simpleParser(bounce.raw, { keepDeliveryStatus: true } as SimpleParserOptions);
    expect(report.headers.get('content-type')).toMatchObject({ value: 'multipart/report', params: { 'report-type': 'delivery-status' } });
    const status = report.attachments.find((a) => a.contentType === 'message/delivery-status');
    const fields = status?.content.toString('utf8') ?? '';
    expect(fields).toContain(`Original-Envelope-Id: ${envid}`);
    expect(fields).toContain(`X-Postfix-Queue-ID: ${queueIdOf('jane.doe@uni.test')}`);
    expect(fields).toMatch(/^Final-Recipient: rfc822; ?jane\.doe@uni\.test$/m);
    expect(fields).toMatch(/^Original-Recipient: rfc822; ?jane\.doe@uni\.test$/m);
    expect(fields).toMatch(/^Action: failed$/m);
    expect(fields).toMatch(/^Status: 5\.1\.1$/m);
    expect(fields).toMatch(/^Diagnostic-Code: smtp; 550 5\.1\.1 <jane\.doe@uni\.test>/m);
    // RET=HDRS: the headers come back, not the message.
    const returned = report.attachments.find((a) => a.contentType === 'text/rfc822-headers');
    expect(returned?.content.toString('utf8')).toMatch(new RegExp(`^Message-ID:\\s+${row.message_id.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(report.attachments.map((a) => a.contentType)).not.toContain('message/rfc822');
    expect(postfix.log()).toMatch(new RegExp(`${queueIdOf('jane.doe@uni.test')}: to=<jane\\.doe@uni\\.test>.*status=bounced`));
  });
});

describe.skipIf(!POSTFIX)('a bounce handed to a command, as an aliases or transport pipe would', () => {
  it('gives the command the bounce and its token address, and keeps it queued while the command says try later (75)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ygd-pipe-'));
    // The command runs as nobody: it writes where anyone may.
    chmodSync(dir, 0o777);
    const command = join(dir, 'read-bounce');
    // Stands in for `yougotdata bounce`: the first call fails for now (the database down), the next one keeps it.
    writeFileSync(
      command,
      `#!/bin/sh\nif [ ! -e ${dir}/tried ]; then touch ${dir}/tried; exit 75; fi\necho "$1" > ${dir}/recipient\ncat > ${dir}/bounce.eml\n`,
    );
    chmodSync(command, 0o755);
    const farSide = await startMailSink();
    farSide.faults.rejectRecipient('gone@uni.test', { code: 550, message: '5.1.1 <gone@uni.test>: User unknown' });
    const relay = await startPostfix(POSTFIX as string, {
      relayPort: farSide.smtpPort,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: pipe(8)'s macro, which Postfix expands to the envelope recipient.
      pipe: { domain: 'gemini.test', argv: [command, '${recipient}'] },
    });
    try {
      const { default: nodemailer } = await import('nodemailer');
      const sender = tokens.senderFor(42, 0);
      const transport = nodemailer.createTransport({ url: relay.smtpUrl });
      await transport.sendMail({ envelope: { from: sender, to: ['gone@uni.test'] }, raw: 'Subject: hello\r\n\r\nhello\r\n' });
      transport.close();
      await relay.drained();
      expect(readFileSync(join(dir, 'recipient'), 'utf8').trim()).toBe(sender);
      const piped = readFileSync(join(dir, 'bounce.eml'));
      const bounce = await simpleParser(piped, { keepDeliveryStatus: true } as SimpleParserOptions);
      // pipe(8)'s D flag: the envelope recipient, the token, is in the message too.
      const deliveredTo = bounce.headerLines.find((line) => line.key === 'delivered-to')?.line ?? '';
      expect(tokens.read(deliveredTo.replace(/^Delivered-To:\s*/i, ''))).toEqual({ kind: 'valid', sendId: 42, recipient: 0 });
      expect(bounce.attachments.map((a) => a.contentType)).toContain('message/delivery-status');
      expect(existsSync(join(dir, 'tried'))).toBe(true);
      expect(relay.log()).toMatch(/status=deferred \(temporary failure/);
      expect(readdirSync(dir).sort()).toEqual(['bounce.eml', 'read-bounce', 'recipient', 'tried']);
    } finally {
      await relay.stop();
      await farSide.close();
    }
  });
});
