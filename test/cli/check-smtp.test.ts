import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink, startSilentSmtpServer } from '../../src/sink/index.js';
import { spawnYougotdata, yougotdata } from '../harness/peers.js';
import { LOCALHOST_CERT_FILE, localhostTls, UNTRUSTED_CERTIFICATE } from '../harness/tls.js';

let sink: MailSink;
const env = () => ({ SMTP_URL: sink.smtpUrl, EMAIL_FROM: 'Gemini Observatory Archive <archive@gemini.test>', SMTP_TIMEOUT_MS: '1500' });

beforeAll(async () => {
  sink = await startMailSink();
});
afterAll(async () => {
  await sink.close();
});
beforeEach(() => {
  sink.clear();
  sink.faults.reset();
});

/** An SMTP server that offers STARTTLS (with the test certificate) and refuses every login. */
async function refusingLogin(): Promise<{ url: (user: string, password: string) => string; close: () => Promise<void> }> {
  const server = new SMTPServer({
    ...localhostTls,
    authOptional: false,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 })),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: (user, password) => `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('check-smtp', () => {
  it('connects, shows what the server answered, sends nothing: exit 0', async () => {
    const run = await yougotdata(['check-smtp'], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`SMTP_URL   ${sink.smtpUrl}`);
    expect(run.stdout).toMatch(/^ {2}Connection established to 127\.0\.0\.1:\d+$/m);
    expect(run.stdout).toMatch(/^ {2}S: 220 /m);
    expect(run.stdout).toMatch(/^ {2}C: EHLO /m);
    expect(run.stdout).toMatch(/^ {2}S: 250[- ]/m);
    expect(run.stdout).toContain('TLS        no: the connection is not encrypted (the server offered no STARTTLS)');
    expect(run.stdout).toContain('Auth       none configured (SMTP_URL names no user)');
    expect(run.stdout).toContain('OK: the server greets, and accepts this client; nothing was sent');
    expect(sink.messages()).toHaveLength(0);
    expect(sink.stats).toBeDefined();
  });

  it('--to ADDR sends one short test message from EMAIL_FROM', async () => {
    const run = await yougotdata(['check-smtp', '--to', 'support@gemini.test'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^OK: test message from archive@gemini\.test to support@gemini\.test accepted: 250 .*\(Message-ID <yougotdata\.check-smtp\.\d+@gemini\.test>\)$/m,
    );
    const [message] = sink.messages();
    expect(sink.messages()).toHaveLength(1);
    expect([...message!.envelope.to]).toEqual(['support@gemini.test']);
    const mail = await simpleParser(message!.raw);
    expect(mail.subject).toBe('yougotdata check-smtp: test message');
    expect(mail.from?.value[0]).toEqual({ name: 'Gemini Observatory Archive', address: 'archive@gemini.test' });
  });

  it('--to refused by the server: exit 1 with its reply', async () => {
    sink.faults.rejectRecipient('nobody@gemini.test', { code: 550, message: 'no such user' });
    const run = await yougotdata(['check-smtp', '--to', 'nobody@gemini.test'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^yougotdata: check-smtp failed: .*550 no such user/m);
    expect(sink.messages()).toHaveLength(0);
  });

  it('a user and password over smtp:// to a server without STARTTLS: refused before any login, exit 1, what to do', async () => {
    const password = 'pa55-w0rd-not-for-logs';
    const run = await yougotdata(['check-smtp'], { ...env(), SMTP_URL: sink.smtpUrl.replace('smtp://', `smtp://mailer:${password}@`) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^yougotdata: check-smtp failed: ETLS: .*the server offers no STARTTLS, and SMTP_URL's password is never sent in the clear/m,
    );
    expect(run.stdout).not.toMatch(/C: AUTH/);
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('a one-letter password: the URL shows *** in its place, and no other word loses a letter', async () => {
    const run = await yougotdata(['check-smtp'], { ...env(), SMTP_URL: sink.smtpUrl.replace('smtp://', 'smtp://mailer:e@') });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`SMTP_URL   ${sink.smtpUrl.replace('smtp://', 'smtp://mailer:***@')}\n`);
    // Masked as text, "e" made this "th*** s***rv***r off***rs no STARTTLS", which shows the password.
    expect(run.stderr).toContain("the server offers no STARTTLS, and SMTP_URL's password is never sent in the clear");
    expect(run.stdout + run.stderr).not.toContain('***r');
  });

  it('nothing listening: exit 1, the reason', async () => {
    const run = await yougotdata(['check-smtp'], { ...env(), SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^yougotdata: check-smtp failed: ESOCKET: .*ECONNREFUSED/m);
  });

  it('a server that never greets: exit 1 within SMTP_TIMEOUT_MS', async () => {
    const silent = await startSilentSmtpServer();
    try {
      const started = Date.now();
      const run = await yougotdata(['check-smtp'], { ...env(), SMTP_URL: silent.url, SMTP_TIMEOUT_MS: '800' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /check-smtp failed: ETIMEDOUT: no answer within 800 ms \(SMTP_TIMEOUT_MS\): (Greeting never received|Timeout)/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await silent.close();
    }
  });

  it.each([
    ['a malformed SMTP_URL', ['check-smtp'], { SMTP_URL: 'http://x' }, 'SMTP_URL'],
    ['--to that is not an address', ['check-smtp', '--to', 'N/A'], {}, '--to'],
    ['--to without EMAIL_FROM', ['check-smtp', '--to', 'a@b.test'], { EMAIL_FROM: '' }, 'EMAIL_FROM'],
  ])('%s: exit 2', async (_case, argv, extra, named) => {
    const run = await yougotdata(argv, { ...env(), ...extra });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
    expect(sink.messages()).toHaveLength(0);
  });

  it('--help exits 0', async () => {
    const run = await yougotdata(['check-smtp', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--to <addr>');
  });
});

/** NODE_EXTRA_CA_CERTS is read when node starts: these runs are processes of their own. */
describe('check-smtp over TLS', () => {
  const trusting = { NODE_EXTRA_CA_CERTS: LOCALHOST_CERT_FILE };

  it('STARTTLS with a trusted certificate: says so, and the test message goes encrypted', async () => {
    const tlsSink = await startMailSink({ tls: localhostTls });
    try {
      const run = await spawnYougotdata(['check-smtp', '--to', 'support@gemini.test'], {
        ...env(),
        SMTP_URL: tlsSink.smtpUrl,
        ...trusting,
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}C: STARTTLS$/m);
      expect(run.stdout).toContain('TLS        yes, upgraded with STARTTLS');
      expect(tlsSink.messages().map((m) => [[...m.envelope.to], m.secure])).toEqual([[['support@gemini.test'], true]]);
    } finally {
      await tlsSink.close();
    }
  });

  it('a certificate this machine does not trust: exit 1, why, and how to trust a private authority; nothing sent', async () => {
    const tlsSink = await startMailSink({ tls: localhostTls });
    try {
      const run = await spawnYougotdata(['check-smtp', '--to', 'support@gemini.test'], { ...env(), SMTP_URL: tlsSink.smtpUrl });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`yougotdata: check-smtp failed: ESOCKET: ${UNTRUSTED_CERTIFICATE}\n`);
      expect(tlsSink.messages()).toHaveLength(0);
    } finally {
      await tlsSink.close();
    }
  });

  it('login with a password over STARTTLS: accepted, the password never shown', async () => {
    const tlsSink = await startMailSink({ tls: localhostTls });
    try {
      const password = 'pa55-w0rd-not-for-logs';
      const url = tlsSink.smtpUrl.replace('smtp://', `smtp://mailer:${password}@`);
      const run = await spawnYougotdata(['check-smtp'], { ...env(), SMTP_URL: url, ...trusting });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Auth       accepted for "mailer"');
      expect(run.stdout).toContain('smtp://mailer:***@127.0.0.1');
      expect(run.stdout).toMatch(/^ {2}C: STARTTLS$/m);
      expect(run.stdout).toMatch(/^ {2}C: AUTH PLAIN/m);
      expect(run.stdout + run.stderr).not.toContain(password);
      expect(run.stdout + run.stderr).not.toContain(Buffer.from(`\u0000mailer\u0000${password}`).toString('base64'));
    } finally {
      await tlsSink.close();
    }
  });

  it('login refused: exit 1, the reason, the password masked', async () => {
    const server = await refusingLogin();
    try {
      const password = 'wrong-but-secret-pw';
      const run = await spawnYougotdata(['check-smtp'], { ...env(), SMTP_URL: server.url('mailer', password), ...trusting });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^yougotdata: check-smtp failed: EAUTH: 535 Authentication credentials invalid$/m);
      expect(run.stdout).toMatch(/^ {2}S: 535 /m);
      expect(run.stdout + run.stderr).not.toContain(password);
    } finally {
      await server.close();
    }
  });

  it('smtps: TLS from the first byte', async () => {
    const server = new SMTPServer({
      secure: true,
      ...localhostTls,
      authOptional: true,
      logger: false,
      onData: (stream, _session, callback) => stream.resume().on('end', () => callback()),
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as { port: number };
    try {
      const run = await spawnYougotdata(['check-smtp'], { ...env(), SMTP_URL: `smtps://127.0.0.1:${port}`, ...trusting });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('TLS        yes, from the start (smtps)');
      expect(run.stdout).not.toMatch(/C: STARTTLS/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
