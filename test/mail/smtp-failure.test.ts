import { describe, expect, it } from 'vitest';
import { describeSmtpFailure, type SmtpFailure, smtpReply } from '../../src/mail/smtp-failure.js';

const failure = (message: string, extra: Partial<SmtpFailure> = {}): SmtpFailure => Object.assign(new Error(message), extra);

describe('describeSmtpFailure', () => {
  it.each([
    [
      'a refused connection',
      failure('connect ECONNREFUSED 127.0.0.1:25', { code: 'ESOCKET' }),
      'ESOCKET: connect ECONNREFUSED 127.0.0.1:25',
    ],
    [
      'a server reply wins over the message',
      failure('Invalid login', { code: 'EAUTH', response: '535 5.7.8 bad credentials\r\n', responseCode: 535 }),
      'EAUTH: 535 5.7.8 bad credentials',
    ],
    ['no code', failure('  something odd  '), 'something odd'],
    [
      'a timeout names the setting',
      failure('Greeting never received', { code: 'ETIMEDOUT' }),
      'ETIMEDOUT: no answer within 1500 ms (SMTP_TIMEOUT_MS): Greeting never received',
    ],
  ])('%s', (_case, error, expected) => {
    expect(describeSmtpFailure(error, 1500)).toBe(expected);
  });

  it.each([
    ['self-signed certificate'],
    ['self signed certificate in certificate chain'],
    ['unable to verify the first certificate'],
    ['unable to get local issuer certificate'],
  ])('an untrusted certificate (%s) says how to trust a private authority', (message) => {
    const text = describeSmtpFailure(failure(message, { code: 'ESOCKET' }), 1000);
    expect(text.startsWith(`ESOCKET: ${message} (`)).toBe(true);
    expect(text).toMatch(/not signed by an authority this machine trusts.*NODE_EXTRA_CA_CERTS\)$/);
  });

  it("a certificate for another host says SMTP_URL must name the certificate's host", () => {
    const text = describeSmtpFailure(
      failure("Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: 127.0.0.1", { code: 'ESOCKET' }),
      1000,
    );
    expect(text).toMatch(/^ESOCKET: Hostname\/IP does not match .*\(SMTP_URL must name the host the server's certificate is for\)$/);
  });

  it.each([['certificate has expired'], ['certificate is not yet valid']])('%s: its administrators must renew it', (message) => {
    expect(describeSmtpFailure(failure(message, { code: 'ESOCKET' }), 1000)).toBe(
      `ESOCKET: ${message} (the server's certificate is out of date: its administrators must renew it)`,
    );
  });

  it('no advice for failures that are not about the certificate', () => {
    for (const message of ['Connection closed unexpectedly', '421 4.3.2 Service not available', 'getaddrinfo ENOTFOUND smtp.example']) {
      expect(describeSmtpFailure(failure(message, { code: 'ECONNECTION' }), 1000)).toBe(`ECONNECTION: ${message}`);
    }
  });
});

describe('smtpReply', () => {
  it('prefers what the server said, trimmed, to the error message', () => {
    expect(smtpReply(failure('Message failed', { response: '550 5.1.1 no such user\r\n' }))).toBe('550 5.1.1 no such user');
    expect(smtpReply(failure(' Connection closed '))).toBe('Connection closed');
  });
});
