import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { type MimeEntity, parseMimeEntity } from './mime.js';

/** The parameters of MAIL FROM or RCPT TO (`RET=HDRS`, `ORCPT=rfc822;a@b`, `SMTPUTF8`), xtext decoded. */
export type SmtpParams = Readonly<Record<string, string | true>>;

/** One message the sink received, envelope included. */
export interface SinkMessage {
  /** MailHog-style id, `<random>@mail-sink`: callers must URL-encode it in paths. */
  readonly id: string;
  /** MAIL FROM and every accepted RCPT TO: Bcc recipients are here and nowhere else. */
  readonly envelope: {
    readonly from: string;
    readonly to: readonly string[];
    /** Of MAIL FROM: with DSN offered, a client's RET and ENVID are here. */
    readonly fromParams: SmtpParams;
    /** Of each RCPT TO, in the order of `to`: NOTIFY and ORCPT. */
    readonly toParams: readonly SmtpParams[];
  };
  /** The name the client gave in HELO/EHLO. */
  readonly helo: string;
  /** Whether the message came over TLS (STARTTLS), not in the clear. */
  readonly secure: boolean;
  /** The message exactly as transmitted after DATA (dot-unstuffed), CRLF line ends. */
  readonly raw: string;
  readonly created: Date;
  /** The raw message split into headers, body and MIME parts, as MailHog does. */
  readonly content: MimeEntity;
  /** Decoded by mailparser. */
  readonly subject: string | undefined;
  readonly text: string | undefined;
  readonly html: string | undefined;
  /** The Message-ID header, angle brackets included. */
  readonly messageId: string | undefined;
}

export interface ReceivedMail {
  readonly envelope: SinkMessage['envelope'];
  readonly helo: string;
  readonly secure: boolean;
  readonly raw: string;
}

export async function toSinkMessage(mail: ReceivedMail): Promise<SinkMessage> {
  const parsed = await simpleParser(mail.raw);
  return {
    id: `${randomBytes(12).toString('base64url')}@mail-sink`,
    ...mail,
    created: new Date(),
    content: parseMimeEntity(mail.raw),
    subject: parsed.subject,
    text: parsed.text,
    html: parsed.html || undefined,
    messageId: parsed.messageId,
  };
}
