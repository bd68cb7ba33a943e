import MailComposer from 'nodemailer/lib/mail-composer';
import type { Address } from '../addresses/index.js';
import type { OutgoingMessage } from '../mail/delivery.js';

const header = (a: Address) => ({ name: a.name ?? '', address: a.address });

/**
 * The message as the SMTP server would receive it, RFC 822 bytes built by nodemailer's MailComposer from the
 * fields MailDelivery sends: Bcc stays out of the headers, as it does on the wire (envelope only).
 */
export async function emlOf(message: OutgoingMessage): Promise<Buffer> {
  const composer = new MailComposer({
    from: header(message.from),
    replyTo: message.replyTo ? header(message.replyTo) : undefined,
    to: message.to.map(header),
    cc: message.cc.length > 0 ? message.cc.map(header) : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: message.date,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
