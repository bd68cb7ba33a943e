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
  /** A follow-up names the first notice of its notification and night, so mail clients show one thread. */
  inReplyTo?: string;
  date: Date;
}

/**
 * Automatic mail, by RFC 3834 and by what Exchange reads: out-of-office and other auto-replies are not sent back to
 * it (they would flood the Reply-To address); bounces still come back.
 */
const AUTOMATIC = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'OOF, AutoReply' } as const;

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
    inReplyTo: message.inReplyTo,
    references: message.inReplyTo,
    date: message.date,
    headers: { ...AUTOMATIC },
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
