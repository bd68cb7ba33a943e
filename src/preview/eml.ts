import MailComposer from 'nodemailer/lib/mail-composer';
import { messageFields, type OutgoingMessage } from '../mail/message.js';

/**
 * The message as the SMTP server would receive it, RFC 822 bytes built by nodemailer's MailComposer from the
 * fields SmtpMailer sends: Bcc stays out of the headers, as it does on the wire (envelope only).
 */
export async function emlOf(message: OutgoingMessage): Promise<Buffer> {
  const composer = new MailComposer({ ...messageFields(message), disableFileAccess: true, disableUrlAccess: true });
  return composer.compile().build();
}
