import { type Address, type EmailAddress, type ParsedAddresses, parseAddresses, withoutRepeats } from '../addresses/index.js';
import { readSelection, type SelectionReading } from '../archive/selection.js';
import { type Mode, profileOf } from '../domain/mode.js';
import type { EmailField, Notification } from '../domain/notification.js';

export interface Recipients {
  to: Address[];
  cc: Address[];
  bcc: EmailAddress[];
  /** Pieces of the email fields that are not addresses: reported, never sent to. */
  rejected: string[];
}

/** What one notification asks of the run, read from its row before any I/O. */
export interface Plan {
  notification: Notification;
  recipients: Recipients;
  /** The addresses every result of the notification reports, made once and shared by its nights' results. */
  addressed: { to: readonly string[]; cc: readonly string[] };
  selection: SelectionReading;
}

/** The mode's To and Cc fields (PI mode: To the PI, Cc the partner office and contact scientist; CHECK: To the contact scientist). */
export function recipientsOf(notification: Notification, mode: Mode, bcc: readonly EmailAddress[]): Recipients {
  const { piemail, ngoemail, csemail } = notification;
  return recipientsFrom(
    { piemail: parseAddresses(piemail), ngoemail: parseAddresses(ngoemail), csemail: parseAddresses(csemail) },
    mode,
    bcc,
  );
}

/** The same from email fields already parsed (`audit` parses an overlong field only so far). */
export function recipientsFrom(
  fields: Readonly<Record<EmailField, ParsedAddresses>>,
  mode: Mode,
  bcc: readonly EmailAddress[],
): Recipients {
  const profile = profileOf(mode);
  const to = fields[profile.to].addresses;
  const cc = profile.cc.flatMap((field) => fields[field].addresses);
  const rejected = [profile.to, ...profile.cc].flatMap((field) => fields[field].rejected);
  const hidden = bcc.map((address) => ({ name: null, address }));
  const distinct = withoutRepeats({ to, cc, bcc: hidden });
  return { to: distinct.to, cc: distinct.cc, bcc: distinct.bcc.map((a) => a.address), rejected };
}

export function planNotification(notification: Notification, mode: Mode, bcc: readonly EmailAddress[]): Plan {
  const recipients = recipientsOf(notification, mode, bcc);
  const addressed = { to: recipients.to.map((a) => a.address), cc: recipients.cc.map((a) => a.address) };
  return { notification, recipients, addressed, selection: readSelection(notification.selection) };
}
