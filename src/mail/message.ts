import { type Address, asciiAddress, type EmailAddress } from '../addresses/index.js';

/** A message ready to hand to a mailer: every address checked, every text composed. */
export interface OutgoingMessage {
  from: Address;
  replyTo?: Address;
  to: readonly Address[];
  cc: readonly Address[];
  /** Hidden recipients: in the envelope only. */
  bcc: readonly EmailAddress[];
  subject: string;
  text: string;
  /** Absent for plain-text mail such as the digest. */
  html?: string;
  messageId: string;
  date: Date;
}

/**
 * The header fields of a message as nodemailer takes them: the job sends them, a dry run writes them to a file.
 * Addresses go in their ASCII form, which nodemailer leaves alone, so no Node version maps a domain its own way.
 */
export function messageFields(message: OutgoingMessage) {
  const header = (a: Address) => ({ name: a.name ?? '', address: asciiAddress(a.address) });
  return {
    from: header(message.from),
    replyTo: message.replyTo ? header(message.replyTo) : undefined,
    to: message.to.map(header),
    cc: message.cc.length ? message.cc.map(header) : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: message.date,
  };
}

/**
 * `<yougotdata.101.20261126.pi.…@gemini.edu>`: every message this tool makes is named the same way, so a mail server's
 * log can be searched for one notification, and the domain is the sender's, as mail servers expect.
 */
export function messageIdFor(parts: readonly (string | number)[], from: Address): string {
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  return `<yougotdata.${parts.join('.')}@${domain}>`;
}
