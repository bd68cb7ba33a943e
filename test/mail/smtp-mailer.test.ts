import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, type EmailAddress, parseEmailAddress } from '../../src/addresses/email-address.js';
import { parseNight } from '../../src/domain/night.js';
import { BounceTokens } from '../../src/mail/bounce-token.js';
import type { OutgoingMessage } from '../../src/mail/message.js';
import { SmtpMailer } from '../../src/mail/smtp-mailer.js';
import { type MailSink, startMailSink } from '../../src/sink/index.js';
import { until } from '../harness/reliability.js';
import { startSmtpProxy } from '../harness/smtp-proxy.js';

const address = (text: string): EmailAddress => {
  const parsed = parseEmailAddress(text);
  if (!parsed) throw new Error(`not an address: ${text}`);
  return parsed;
};

let sink: MailSink;
beforeAll(async () => {
  sink = await startMailSink();
});
afterAll(async () => {
  await sink.close();
});

describe('SmtpMailer and IDN domains', () => {
  it('envelope, header and the accepted list carry the ASCII form the address is compared by, on any Node', async () => {
    // `ẞ` is where Node 20's and Node 24's own mappers part: strasse.de on one, xn--strae-oqa.de on the other.
    const to = address('Jo@STRAẞE.de');
    const cc = address('jm@müller.de');
    const bcc = address('hidden@山田.jp');
    const message: OutgoingMessage = {
      from: { name: 'Gemini Archive', address: address('archive@gemini.edu') },
      to: [{ name: 'Jo', address: to }],
      cc: [{ name: null, address: cc }],
      bcc: [bcc],
      subject: 'New Data for GN-2026B-Q-101',
      text: 'Hello\n',
      messageId: '<idn@gemini.edu>',
      date: new Date('2026-11-26T08:00:00Z'),
    };
    const mailer = new SmtpMailer({ smtpUrl: sink.smtpUrl, timeoutMs: 5000, retries: 0 });
    try {
      const result = await mailer.send(message);
      expect(result).toEqual({
        kind: 'accepted',
        accepted: ['Jo@xn--strae-oqa.de', 'jm@xn--mller-kva.de', 'hidden@xn--rhtu98c.jp'],
        refused: [],
        relay: [
          {
            recipients: ['Jo@xn--strae-oqa.de', 'jm@xn--mller-kva.de', 'hidden@xn--rhtu98c.jp'],
            reply: expect.stringMatching(/^250 Ok: queued as \S+@mail-sink$/),
            queueId: expect.stringMatching(/@mail-sink$/),
          },
        ],
      });
      if (result.kind !== 'accepted') return;
      expect(result.accepted.map((a) => a.toLowerCase())).toEqual([to, cc, bcc].map(addressKey));
    } finally {
      await mailer.close();
    }
    const [received] = sink.messages().filter((m) => m.messageId === '<idn@gemini.edu>');
    // smtp-server hands the sink each RCPT TO with its A-labels decoded.
    expect(received?.envelope.to).toEqual(['Jo@straße.de', 'jm@müller.de', 'hidden@山田.jp']);
    expect(received?.raw).toMatch(/^To: Jo <Jo@xn--strae-oqa\.de>\r$/m);
    expect(received?.raw).toMatch(/^Cc: jm@xn--mller-kva\.de\r$/m);
  });
});

describe('SmtpMailer stopped', () => {
  it('a stop during the backoff before a retry ends the wait: the message gets no attempt after the stop', async () => {
    sink.faults.rejectData({ code: 451, message: '4.3.0 try again later' });
    const proxy = await startSmtpProxy(sink);
    const stop = new AbortController();
    // A backoff of up to an hour: only the stop can end it within the test.
    const mailer = new SmtpMailer({ smtpUrl: proxy.url, timeoutMs: 5000, retries: 3, backoffMs: 3_600_000, stop: stop.signal });
    try {
      const message: OutgoingMessage = {
        from: { name: null, address: address('archive@gemini.edu') },
        to: [{ name: null, address: address('pi@uni.test') }],
        cc: [],
        bcc: [],
        subject: 'New Data for GN-2026B-Q-101/science',
        text: 'Hello\n',
        messageId: '<stopped@gemini.edu>',
        date: new Date('2026-11-26T08:00:00Z'),
      };
      const sent = mailer.send(message);
      await until(() => proxy.counts.data === 1, 5000, 'the first DATA');
      // The 451 comes at once; the mailer then waits to try again.
      await sleep(300);
      stop.abort('SIGTERM');
      const result = await sent;
      expect(result).toMatchObject({ kind: 'failed', error: expect.stringContaining('451 4.3.0 try again later') });
      // A second attempt only if the random backoff fell under 300 ms (about once in ten thousand runs).
      expect(proxy.counts.data).toBeLessThanOrEqual(2);
      expect(sink.messages().filter((m) => m.messageId === '<stopped@gemini.edu>')).toHaveLength(0);
    } finally {
      await mailer.close();
      await proxy.close();
      sink.faults.reset();
    }
  });
});

describe('SmtpMailer and the reply to a whole message', () => {
  const notice = (n: number): OutgoingMessage => ({
    from: { name: null, address: address('archive@gemini.edu') },
    to: [{ name: null, address: address(`pi${n}@uni.test`) }],
    cc: [],
    bcc: [],
    subject: 'New Data for GN-2026B-Q-101/science',
    text: 'Hello\n',
    messageId: `<reply-${n}@gemini.edu>`,
    date: new Date('2026-11-26T08:00:00Z'),
  });
  const copies = (n: number) => sink.messages().filter((m) => m.messageId === `<reply-${n}@gemini.edu>`).length;

  it('lost after the final dot: unknown after one attempt, however many retries were allowed', async () => {
    sink.faults.loseDataReply('drop', 1);
    const mailer = new SmtpMailer({ smtpUrl: sink.smtpUrl, timeoutMs: 2000, retries: 3, backoffMs: 10 });
    try {
      const result = await mailer.send(notice(1));
      expect(result).toMatchObject({
        kind: 'unknown',
        error: expect.stringMatching(/^no reply after the whole message was sent \(ECONNECTION/),
      });
      expect(copies(1)).toBe(1);
    } finally {
      await mailer.close();
      sink.faults.reset();
    }
  });

  it('a stop: the message on the wire waits for its reply, the one waiting for a connection is not tried', async () => {
    sink.faults.loseDataReply('silence', 1);
    const proxy = await startSmtpProxy(sink);
    const stop = new AbortController();
    const mailer = new SmtpMailer({ smtpUrl: proxy.url, timeoutMs: 1500, maxConnections: 1, stop: stop.signal });
    try {
      const first = mailer.send(notice(2));
      const second = mailer.send(notice(3));
      await until(() => proxy.counts.dataEnd === 1, 5000, 'the first message on the wire');
      stop.abort('SIGTERM');
      expect(await second).toEqual({ kind: 'failed', error: 'not tried: stopped by SIGTERM', notTried: 'stopped by SIGTERM', refused: [] });
      expect(await first).toMatchObject({ kind: 'unknown' });
      expect(proxy.counts.dataEnd).toBe(1);
      expect([copies(2), copies(3)]).toEqual([1, 0]);
    } finally {
      await mailer.close();
      await proxy.close();
      sink.faults.reset();
    }
  });
});

describe('SmtpMailer with a copy per recipient (BOUNCE_ADDRESS)', () => {
  it('a stop while one copy is on the wire: the copy waiting for a connection is not sent, and the message is unknown, so the next run sends it to both', async () => {
    const proxy = await startSmtpProxy(sink, { holdAcceptanceMs: 800 });
    const stop = new AbortController();
    const bounces = new BounceTokens(address('fitsdata-bounces@gemini.edu'), 'a secret of sixteen or more');
    const mailer = new SmtpMailer({ smtpUrl: proxy.url, timeoutMs: 5000, maxConnections: 1, stop: stop.signal, bounces });
    const message: OutgoingMessage = {
      from: { name: null, address: address('archive@gemini.edu') },
      to: [{ name: null, address: address('pi@uni.test') }],
      cc: [{ name: null, address: address('cs@gemini.test') }],
      bcc: [],
      subject: 'New Data for GN-2026B-Q-101/science',
      text: 'Hello\n',
      messageId: '<copies@gemini.edu>',
      date: new Date('2026-11-26T08:00:00Z'),
    };
    try {
      const sent = mailer.send(message, { notificationId: 101, night: parseNight('20261126', new Date()), mode: 'pi', sendId: 7 });
      await until(() => proxy.counts.dataEnd === 1, 5000, 'the first copy on the wire');
      stop.abort('SIGTERM');
      // The copy on the wire is taken (after 800 ms); the other is not tried, so the stop waits for one reply only.
      expect(await sent).toEqual({
        kind: 'unknown',
        error:
          'stopped by SIGTERM after 1 of 2 copies went out, before the copies to cs@gemini.test: the next run sends it to everyone once more',
        refused: [{ address: 'cs@gemini.test', reply: 'not tried: stopped by SIGTERM' }],
      });
      expect(proxy.counts.dataEnd).toBe(1);
      const copies = sink.messages().filter((m) => m.messageId === '<copies@gemini.edu>');
      expect(copies.map((m) => m.envelope.to.join())).toEqual(['pi@uni.test']);
    } finally {
      await mailer.close();
      await proxy.close();
    }
  });
});
