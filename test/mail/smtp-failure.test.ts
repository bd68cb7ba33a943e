import { describe, expect, it } from 'vitest';
import { type CertificateTrust, describeSmtpFailure, runningNodeTrust, type SmtpFailure, smtpReply } from '../../src/mail/smtp-failure.js';

const failure = (message: string, extra: Partial<SmtpFailure> = {}): SmtpFailure => Object.assign(new Error(message), extra);

/** Node 20, and a node that has `--use-system-ca` (22.15+, 24) and does not use it yet. */
const NODE_20: CertificateTrust = { systemCaFlag: false };
const NODE_24: CertificateTrust = { systemCaFlag: true };
/** What Node 24 appends to an untrusted certificate's error. */
const NODE_24_HINT = '; if the root CA is installed locally, try running Node.js with --use-system-ca';
const PRIVATE_AUTHORITY = 'if the relay uses a private authority, give its certificate (PEM) in NODE_EXTRA_CA_CERTS';
const SYSTEM_STORE = "if the authority is in this machine's certificate store, set NODE_OPTIONS=--use-system-ca";
const occurrences = (text: string, part: string) => text.split(part).length - 1;

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

  const untrusted = [
    ['self-signed certificate'],
    ['self signed certificate in certificate chain'],
    ['unable to verify the first certificate'],
    ['unable to get local issuer certificate'],
  ];

  it.each(untrusted)('an untrusted certificate (%s) on Node 20 names NODE_EXTRA_CA_CERTS only', (message) => {
    expect(describeSmtpFailure(failure(message, { code: 'ESOCKET' }), 1000, NODE_20)).toBe(
      `ESOCKET: ${message} (the server's certificate is not signed by an authority node trusts: ${PRIVATE_AUTHORITY})`,
    );
  });

  it.each(untrusted)('an untrusted certificate (%s) on Node 24 names both, and --use-system-ca once', (message) => {
    const expected = `ESOCKET: ${message} (the server's certificate is not signed by an authority node trusts: ${PRIVATE_AUTHORITY}; ${SYSTEM_STORE})`;
    // As Node 24 words the error, and as Node 22 did before it added its hint.
    expect(describeSmtpFailure(failure(`${message}${NODE_24_HINT}`, { code: 'ESOCKET' }), 1000, NODE_24)).toBe(expected);
    expect(describeSmtpFailure(failure(message, { code: 'ESOCKET' }), 1000, NODE_24)).toBe(expected);
  });

  it("a node already using the machine's store is not told to use it; its hint is not kept either", () => {
    expect(describeSmtpFailure(failure(`self-signed certificate${NODE_24_HINT}`, { code: 'ESOCKET' }), 1000, NODE_20)).toBe(
      `ESOCKET: self-signed certificate (the server's certificate is not signed by an authority node trusts: ${PRIVATE_AUTHORITY})`,
    );
  });

  it('a hint of node in other words is kept, and --use-system-ca still said only once', () => {
    const message = 'self-signed certificate; see --use-system-ca for the system store';
    const text = describeSmtpFailure(failure(message, { code: 'ESOCKET' }), 1000, NODE_24);
    expect(text).toBe(`ESOCKET: ${message} (the server's certificate is not signed by an authority node trusts: ${PRIVATE_AUTHORITY})`);
    expect(occurrences(text, '--use-system-ca')).toBe(1);
  });

  it('this node: --use-system-ca is offered only where the flag exists, and said once', () => {
    const has = process.allowedNodeEnvironmentFlags.has('--use-system-ca');
    expect(runningNodeTrust.systemCaFlag && !has).toBe(false);
    const text = describeSmtpFailure(failure(`self-signed certificate${has ? NODE_24_HINT : ''}`, { code: 'ESOCKET' }), 1000);
    expect(text).toContain(PRIVATE_AUTHORITY);
    expect(occurrences(text, '--use-system-ca')).toBe(runningNodeTrust.systemCaFlag ? 1 : 0);
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
