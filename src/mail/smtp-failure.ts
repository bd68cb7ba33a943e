/** What nodemailer's errors carry besides the message. */
export interface SmtpFailure extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpFailure[];
}

/** What the server answered, or else what the socket said. */
export const smtpReply = (error: SmtpFailure): string => (error.response ?? error.message).trim();

/** A failed TLS check on the server's certificate, and what the operator can do about it. */
const CERTIFICATE_ADVICE: readonly [RegExp, string][] = [
  [/altnames|does not match certificate/i, "SMTP_URL must name the host the server's certificate is for"],
  [/certificate has expired|certificate is not yet valid/i, "the server's certificate is out of date: its administrators must renew it"],
  [
    /self[- ]signed|unable to (get|verify)|certificate chain/i,
    "the server's certificate is not signed by an authority this machine trusts: if the relay uses a private " +
      'authority, give its certificate (PEM) in NODE_EXTRA_CA_CERTS',
  ],
];

/**
 * One line for a failed SMTP exchange, as reports and check-smtp print it: nodemailer's code, what was said, and
 * what to do when the cause is a setting rather than the server's mood.
 */
export function describeSmtpFailure(error: SmtpFailure, timeoutMs: number): string {
  const said = smtpReply(error);
  // The greeting and the socket timeouts race: both mean the server went quiet.
  if (error.code === 'ETIMEDOUT') return `ETIMEDOUT: no answer within ${timeoutMs} ms (SMTP_TIMEOUT_MS): ${said}`;
  const advice = CERTIFICATE_ADVICE.find(([pattern]) => pattern.test(said))?.[1];
  return `${error.code ? `${error.code}: ` : ''}${said}${advice ? ` (${advice})` : ''}`;
}
