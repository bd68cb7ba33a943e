/** What nodemailer's errors carry besides the message. */
export interface SmtpFailure extends Error {
  code?: string;
  /** The system's code (ECONNREFUSED, a certificate's) when nodemailer files it under its own, such as ESOCKET. */
  originalCode?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpFailure[];
}

/** What the server answered, or else what the socket said. */
export const smtpReply = (error: SmtpFailure): string => (error.response ?? error.message).trim();

/** What the running node offers an operator whose relay's certificate is not trusted. */
export interface CertificateTrust {
  /** `--use-system-ca` (trust this machine's certificate store) exists in this node and is not in use yet. */
  systemCaFlag: boolean;
}

const usesSystemCa = (): boolean =>
  process.execArgv.includes('--use-system-ca') ||
  (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes('--use-system-ca') ||
  process.env.NODE_USE_SYSTEM_CA === '1';

/** Asked of the flag, not of the version number: it came in Node 23.8 and 22.15, and never to Node 20. */
export const runningNodeTrust: CertificateTrust = {
  systemCaFlag: process.allowedNodeEnvironmentFlags.has('--use-system-ca') && !usesSystemCa(),
};

/** Node 24 ends such errors with its own hint at `--use-system-ca`: the advice says it once, beside NODE_EXTRA_CA_CERTS. */
const NODE_SYSTEM_CA_HINT = /;\s*if the root CA is installed locally, try running Node\.js with --use-system-ca\.?$/i;

function untrustedAdvice(trust: CertificateTrust, said: string): string {
  const ways = ['if the relay uses a private authority, give its certificate (PEM) in NODE_EXTRA_CA_CERTS'];
  // A hint of node's in words not known above is left in place, and not repeated.
  if (trust.systemCaFlag && !said.includes('--use-system-ca'))
    ways.push("if the authority is in this machine's certificate store, set NODE_OPTIONS=--use-system-ca");
  return `the server's certificate is not signed by an authority node trusts: ${ways.join('; ')}`;
}

/** A failed TLS check on the server's certificate, and what the operator can do about it. */
const CERTIFICATE_ADVICE: readonly [RegExp, (trust: CertificateTrust, said: string) => string][] = [
  [/altnames|does not match certificate/i, () => "SMTP_URL must name the host the server's certificate is for"],
  [
    /certificate has expired|certificate is not yet valid/i,
    () => "the server's certificate is out of date: its administrators must renew it",
  ],
  [/self[- ]signed|unable to (get|verify)|certificate chain/i, untrustedAdvice],
];

/** What to do when a server will not protect a login with STARTTLS. */
export const NO_STARTTLS = 'use smtps:// if the relay offers it, or a relay that offers STARTTLS';

/**
 * One line for a failed SMTP exchange, as reports and check-smtp print it: nodemailer's code, what was said, and
 * what to do when the cause is a setting rather than the server's mood.
 */
export function describeSmtpFailure(error: SmtpFailure, timeoutMs: number, trust: CertificateTrust = runningNodeTrust): string {
  const reply = smtpReply(error);
  // The greeting and the socket timeouts race: both mean the server went quiet.
  if (error.code === 'ETIMEDOUT') return `ETIMEDOUT: no answer within ${timeoutMs} ms (SMTP_TIMEOUT_MS): ${reply}`;
  // Only a transport with credentials over smtp:// requires STARTTLS, so ETLS is always about them.
  if (error.code === 'ETLS')
    return `ETLS: ${reply} (the server offers no STARTTLS, and SMTP_URL's password is never sent in the clear: ${NO_STARTTLS})`;
  const said = reply.replace(NODE_SYSTEM_CA_HINT, '');
  const advice = CERTIFICATE_ADVICE.find(([pattern]) => pattern.test(said))?.[1](trust, said);
  return `${error.code ? `${error.code}: ` : ''}${advice ? `${said} (${advice})` : reply}`;
}
