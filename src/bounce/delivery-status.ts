/**
 * The body of a `message/delivery-status` (RFC 3464 §2) or `message/global-delivery-status` (RFC 6533) part:
 * header-like fields in groups, the first about the message, each next one about one recipient
 * (docs/bounces.md#delivery-status). postal-mime exposes no header parser of its own, and the form is this small.
 */

/** Field names lower-cased; a name given twice keeps its first value, as RFC 3464 allows each field once. */
export type Fields = ReadonlyMap<string, string>;

export interface DeliveryStatus {
  perMessage: Fields;
  perRecipient: Fields[];
}

const FIELD = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;
const FOLD = /^[ \t]+\S/;
/** Fields that open a recipient's group: some servers leave out the blank line between two recipients. */
const RECIPIENT_OPENERS = new Set(['original-recipient', 'final-recipient']);
const RECIPIENT_FIELDS = new Set(['original-recipient', 'final-recipient', 'action', 'status']);

/** Groups of fields as written, unfolded: a blank line ends a group, a line that is not a field ends the fields. */
function fieldGroups(text: string): { name: string; value: string }[][] {
  const groups: { name: string; value: string }[][] = [];
  let group: { name: string; value: string }[] = [];
  const close = () => {
    if (group.length) groups.push(group);
    group = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      close();
      continue;
    }
    const last = group.at(-1);
    if (FOLD.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const field = FIELD.exec(line.trim());
    if (!field) {
      // A line that is no field ends what the part says; what follows is prose or a copy of the message.
      if (groups.length || group.length) break;
      continue;
    }
    group.push({ name: (field[1] ?? '').toLowerCase(), value: (field[2] ?? '').trim() });
  }
  close();
  return groups;
}

/** Splits a group where a second recipient starts without the blank line between. */
function splitRecipients(group: { name: string; value: string }[]): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let block = new Map<string, string>();
  for (const { name, value } of group) {
    // A recipient field seen twice, or after the last one's Action, starts the next recipient.
    const opensAnother = RECIPIENT_OPENERS.has(name) && (block.has(name) || block.has('action'));
    if (opensAnother) {
      blocks.push(block);
      block = new Map();
    }
    if (!block.has(name)) block.set(name, value);
  }
  blocks.push(block);
  return blocks;
}

/** Every value of a field, in every group: a feedback report may name several Original-Rcpt-To (RFC 5965 §3.2). */
export function fieldValues(text: string, name: string): string[] {
  return fieldGroups(text).flatMap((group) => group.filter((f) => f.name === name).map((f) => f.value));
}

const isRecipientGroup = (fields: ReadonlyMap<string, string>) => [...RECIPIENT_FIELDS].some((name) => fields.has(name));

export function parseDeliveryStatus(text: string): DeliveryStatus {
  const groups = fieldGroups(text).flatMap(splitRecipients);
  const first = groups[0];
  const perMessage = first && !(first.has('final-recipient') || first.has('original-recipient')) ? first : new Map<string, string>();
  const rest = first === perMessage ? groups.slice(1) : groups;
  return { perMessage, perRecipient: rest.filter(isRecipientGroup) };
}

/** Whether a text holds delivery-status fields: a report that lost its MIME structure still carries them. */
export function hasRecipientFields(text: string): boolean {
  return /^[ \t]*(?:final-recipient|original-recipient)[ \t]*:[^\n]*;/im.test(text) && /^[ \t]*action[ \t]*:/im.test(text);
}

/** The start of the delivery-status fields in a text (from the Reporting-MTA or first recipient field on). */
export function deliveryStatusStart(text: string): number {
  const match = /^[ \t]*(?:reporting-mta|original-envelope-id|final-recipient|original-recipient)[ \t]*:/im.exec(text);
  return match ? match.index : -1;
}

/**
 * `rfc822; a@example.org` → `a@example.org`. RFC 6533's `utf-8` type may write characters as `\x{HHHH}`; angle
 * brackets some servers add are dropped.
 */
export function typedAddress(value: string | undefined): string | null {
  if (!value) return null;
  const semicolon = value.indexOf(';');
  const type = semicolon >= 0 ? value.slice(0, semicolon).trim().toLowerCase() : '';
  let address = (semicolon >= 0 ? value.slice(semicolon + 1) : value).trim();
  if (type === 'utf-8')
    address = address.replace(/\\x\{([0-9A-Fa-f]{1,6})\}/g, (written, hex: string) => unescaped(written, parseInt(hex, 16)));
  // A source route (`@relay:user@host`, RFC 5321 §4.1.2) names the relays before the mailbox.
  address = address
    .replace(/^<(.*)>$/, '$1')
    .replace(/^@[^:,]+(?:,@[^:,]+)*:/, '')
    .trim();
  if (MAILBOX.test(address)) return address;
  // A pipe or file recipient (`|/usr/bin/prog user@example.org`) names the mailbox as an argument.
  return MAILBOX_WITHIN.exec(address)?.[0] ?? null;
}

/** A character written `\x{HHHH}`; past the last code point Unicode has, the escape is left as written. */
const unescaped = (written: string, codePoint: number) => (codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : written);

/** A mailbox at a domain with at least one dot: a host-local name (`user@mailhub`) is not one anyone sent to. */
const MAILBOX = /^(?:"[^"]+"|[^\s@"]+)@[^\s@.]+(?:\.[^\s@.]+)+$/;
const MAILBOX_WITHIN = /(?<=^|[\s<(])[^\s@"<>()|/]+@[^\s@.<>()]+(?:\.[^\s@.<>()]+)+(?=$|[\s>)])/;

/** `dns; mx.example.org` → `mx.example.org`; `smtp; 550 …` → `550 …`. */
export function typedText(value: string | undefined): string | null {
  if (!value) return null;
  const text = value
    .replace(/^\s*[A-Za-z][A-Za-z0-9-]*\s*;/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text || null;
}
