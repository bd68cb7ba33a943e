import { comparedAs } from '../addresses/index.js';

/**
 * Reports that follow no standard (qmail, Exim without DSN, Yahoo, old Gmail, Exchange 2003, …): the recipients
 * are read from the wording of the notification, the part a person reads (docs/bounces.md#wording).
 */

/** An address as servers write it in a report: dot-atoms or a quoted local part, a dotted domain or an address literal. */
const ADDRESS_SOURCE = String.raw`(?:"[^"\r\n]{1,64}"|[\p{L}\p{N}!#$%&'*+/=?^_\x60{|}~-]+(?:\.+[\p{L}\p{N}!#$%&'*+/=?^_\x60{|}~-]+)*)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?)+|\[[\d.:a-fA-F]+\])`;

export const ANY_ADDRESS = new RegExp(ADDRESS_SOURCE, 'gu');

/**
 * The forms a report names a failed recipient in, one line at a time: alone at the start of a line (qmail, Exim,
 * Sendmail, Exchange, Gmail), in an SMTP transcript's `RCPT TO:`, or after a label that says it is the recipient.
 */
const RECIPIENT_FORMS: readonly RegExp[] = [
  new RegExp(String.raw`^[ \t>*-]*[<"'\[]?(${ADDRESS_SOURCE})[>"'\]]?(?:$|[ \t]|:|\.\.\.|,|\(|\[|<)`, 'gmu'),
  new RegExp(String.raw`RCPT TO:?[ \t]*<(${ADDRESS_SOURCE})>`, 'giu'),
  new RegExp(String.raw`\b(?:recipient|addressee|rcpt)[^\n:<>@]{0,60}[:=][ \t]*[<"]?(${ADDRESS_SOURCE})`, 'giu'),
  new RegExp(
    String.raw`\b(?:delivery|deliver|delivering|message|mail|e-?mail|sending)[ \t]+to[ \t]+(?:the[ \t]+following[ \t]+\w+[ \t]+)?[<"]?(${ADDRESS_SOURCE})`,
    'giu',
  ),
  new RegExp(
    String.raw`^[^\n:<>@]{0,40}\b(?:unknown|invalid|failed|failure|error|rejected|not found|undeliverable|unable|bad)\b[^\n:<>@]{0,40}:[ \t]*[<"]?(${ADDRESS_SOURCE})`,
    'gimu',
  ),
];

/**
 * Where the copy of the returned message starts in a report that carries it in its text: after one of the lines
 * servers put before it, or at a run of header fields of the kind every message has.
 */
const RETURNED_MARKERS: readonly RegExp[] = [
  /^.*(?:below this line is a copy of the message|this is a copy of the (?:original )?message|original message follows|copy of (?:the )?(?:original |returned )?message (?:follows|below|is (?:attached|included))|(?:returned|original|undelivered|unsent|rejected) (?:message|mail) (?:follows|below|headers? follows?)|headers? of the (?:original|returned|undelivered|rejected) message|message headers follow|the header of the original message|included is a copy|-{2,} ?(?:original|returned|undelivered|forwarded|failed) message ?-*|original message (?:headers|header)|unsent message below).*$/im,
  /^(?:Return-Path|Received|Message-ID|From|To|Subject|Date|MIME-Version|DKIM-Signature|Content-Type)[ \t]*:.*\r?\n(?:[ \t].*\r?\n)*(?:Return-Path|Received|Message-ID|From|To|Subject|Date|MIME-Version|DKIM-Signature|Content-Type|Reply-To|Cc|X-[\w-]+|Sender|References|In-Reply-To)[ \t]*:/im,
];

/** The notification and the returned copy of a report's text, split where the copy starts. */
export function splitReturnedCopy(text: string): { notification: string; returned: string } {
  let start = text.length;
  for (const marker of RETURNED_MARKERS) {
    const match = marker.exec(text);
    if (match && match.index < start && match.index > 0) start = match.index;
  }
  return { notification: text.slice(0, start), returned: text.slice(start) };
}

export interface TextRecipient {
  address: string;
  /** The lines about this recipient: from where it is named to where the next one is. */
  words: string;
}

const MAX_WORDS = 1500;
const MAX_LINES = 25;

/**
 * The local parts reports are sent from (docs/bounces.md#evidence): a message from one is a report, and an address
 * with one is never its failed recipient (docs/bounces.md#wording).
 */
const REPORT_WRITER = /^(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster|mail\.?delivery\w*|double-bounce|bounces?|nobody)$/i;

export const isReportWriter = (address: string): boolean => REPORT_WRITER.test(address.slice(0, Math.max(0, address.lastIndexOf('@'))));

export interface RecipientSearch {
  /** Addresses that are the report's own or the sender's: skipped. */
  exclude: ReadonlySet<string>;
  /** When given, only these are failed recipients, and any mention of one in the notification counts. */
  sentTo: ReadonlySet<string> | null;
}

/** Line start offsets, to turn a match position into the line it is on. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Each failed recipient the notification names, in the order named, with the words about it. */
export function textRecipients(notification: string, search: RecipientSearch): TextRecipient[] {
  const firstLine = new Map<string, { address: string; line: number }>();
  const starts = lineStarts(notification);
  const note = (address: string, offset: number) => {
    const key = comparedAs(address);
    if (search.sentTo ? !search.sentTo.has(key) : search.exclude.has(key) || isReportWriter(address)) return;
    const line = lineOf(starts, offset);
    const known = firstLine.get(key);
    if (!known || line < known.line) firstLine.set(key, { address, line });
  };
  for (const form of RECIPIENT_FORMS) {
    for (const match of notification.matchAll(form)) {
      const address = match[1];
      if (address) note(address, (match.index ?? 0) + match[0].indexOf(address));
    }
  }
  if (search.sentTo) for (const match of notification.matchAll(ANY_ADDRESS)) note(match[0], match.index ?? 0);
  const named = [...firstLine.values()].sort((a, b) => a.line - b.line);
  const lines = notification.split('\n');
  return named.map(({ address, line }, index) => {
    const next = named.slice(index + 1).find((other) => other.line > line)?.line ?? lines.length;
    const words = lines
      .slice(line, Math.min(next, line + MAX_LINES))
      .join('\n')
      .slice(0, MAX_WORDS);
    return { address, words };
  });
}

/** A report that is only a warning: the server is still trying (docs/bounces.md#delays). */
const STILL_TRYING =
  /\b(?:warning message only|this is (?:only )?a warning|will (?:continue|keep) (?:trying|to try)|will (?:be )?retr(?:y|ied)|(?:has|have) not (?:yet )?been delivered|not yet been delivered|still (?:trying|in the queue|undelivered)|delivery (?:is |has been )?delayed|delayed mail|you do not need to resend|no action is required|delivery attempts? will continue)\b/i;

export const saysStillTrying = (text: string) => STILL_TRYING.test(text);

/** Collapses the words about a recipient to one line a person can read in a table. */
export function oneLine(words: string, limit = 500): string | null {
  const line = words.replace(/\s+/g, ' ').trim();
  return line ? line.slice(0, limit) : null;
}
