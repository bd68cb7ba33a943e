import PostalMime, { type Attachment, type Email } from 'postal-mime';
import { comparedAs } from '../addresses/index.js';
import { autoReplyEvidence, type HeaderField } from './automatic-reply.js';
import {
  type DeliveryStatus,
  deliveryStatusStart,
  type Fields,
  fieldValues,
  hasRecipientFields,
  parseDeliveryStatus,
  typedAddress,
  typedText,
} from './delivery-status.js';
import { classify, enhancedStatus, isHard, replyCode } from './failure-class.js';
import type {
  AutoReply,
  Complaint,
  DeliveryAction,
  DeliveryAddress,
  FailedRecipient,
  ReadingProblem,
  RecipientSource,
  ReportKind,
  ReportReading,
} from './reading.js';
import { ANY_ADDRESS, isReportWriter, oneLine, saysStillTrying, splitReturnedCopy, textRecipients } from './report-text.js';

/**
 * One raw message → what it says about mail this tool sent (docs/bounces.md). Never throws: input it cannot read
 * is `unreadable` with a problem saying why.
 */

/**
 * What the MTA passes a pipe with the message (Postfix local(8), Exim: RECIPIENT, ORIGINAL_RECIPIENT). Postfix's
 * EXTENSION is not read: it is the token RECIPIENT already carries whole, with the address it checks against.
 */
export interface Envelope {
  recipient?: string | undefined;
  originalRecipient?: string | undefined;
}

export interface ReadOptions {
  envelope?: Envelope;
  /**
   * The addresses the matched message was sent to: recipients read from wording are kept only when among them,
   * and a report about that message with no recognisable recipient is read as about its only recipient
   * (docs/bounces.md#sources). Standard delivery-status blocks are kept as they are.
   */
  sentTo?: readonly string[];
}

/** docs/bounces.md#limits: what is read of a message; the rest is a copy of the returned mail, if anything. */
export const READ_LIMIT = 10 * 1024 * 1024;
/** The notification a person reads is short; past this it is a copy of what was sent. */
const TEXT_LIMIT = 256 * 1024;
/** The header section of a returned message, which is all that is wanted of it. */
const RETURNED_HEADER_LIMIT = 64 * 1024;

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const FEEDBACK_TYPES = new Set(['message/feedback-report']);
const RETURNED_MESSAGE_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'text/rfc822-header',
  'message/global-headers',
  'message/partial',
]);

const MAIL_FIELDS = new Set([
  'from',
  'to',
  'date',
  'subject',
  'received',
  'return-path',
  'message-id',
  'content-type',
  'mime-version',
  'delivered-to',
]);

const decoder = new TextDecoder('utf-8');
const japanese = new TextDecoder('iso-2022-jp');
/** ISO-2022-JP switches to a Japanese character set with ESC `$B` or ESC `$@`; it is 7-bit, and ASCII elsewhere. */
const TO_JAPANESE = ['\u001b$B', '\u001b$@'];

/**
 * The first `limit` bytes of a part as text: a large part is never decoded whole. Japanese servers write the fields
 * of a delivery-status part in ISO-2022-JP without saying so (docs/bounces.md#delivery-status).
 */
function textOf(content: Attachment['content'], limit: number): string {
  if (typeof content === 'string') return content.slice(0, limit);
  const bytes = content instanceof ArrayBuffer ? new Uint8Array(content) : content;
  const text = decoder.decode(bytes.subarray(0, limit));
  return TO_JAPANESE.some((shift) => text.includes(shift)) ? japanese.decode(bytes.subarray(0, limit)) : text;
}

/** A Message-ID in angle brackets, as the header carries it and as the send record keeps it. */
const bracketed = (id: string) => `<${id.trim().replace(/^<|>$/g, '')}>`;
const MESSAGE_ID_LINE = /^[ \t>]*(?:X-)?(?:Original-)?Message-ID[ \t]*:[ \t]*(<[^<>\s]+>|[^<>\s]+@[^<>\s]+)/gim;
/** docs/bounces.md#matching: this tool's own Message-IDs, wherever a report quotes one. */
const OWN_MESSAGE_ID = /<yougotdata\.[^<>\s@]+@[^<>\s]+>/g;
const QUEUED_AS = /\bqueued as ([A-Za-z0-9]{5,})\b/g;

function unique<T>(items: Iterable<T>, key: (item: T) => string = String): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function header(email: Email, key: string): string | null {
  return email.headers.find((h) => h.key === key)?.value.trim() ?? null;
}

function mailboxes(value: Email['to'] | Email['from']): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => (a.group ? a.group.map((m) => m.address) : [a.address])).filter((a): a is string => !!a);
}

function deliveryAddresses(email: Email, envelope: Envelope): DeliveryAddress[] {
  const addresses: DeliveryAddress[] = [];
  if (envelope.recipient) addresses.push({ address: envelope.recipient, from: 'envelope' });
  if (envelope.originalRecipient) addresses.push({ address: envelope.originalRecipient, from: 'original-envelope' });
  for (const h of email.headers) {
    if (h.key === 'delivered-to') addresses.push({ address: h.value.trim(), from: 'delivered-to' });
    if (h.key === 'x-original-to') addresses.push({ address: h.value.trim(), from: 'x-original-to' });
  }
  for (const address of mailboxes(email.to)) addresses.push({ address, from: 'to' });
  return unique(
    addresses.map((a) => ({ ...a, address: a.address.replace(/^<|>$/g, '') })).filter((a) => a.address.includes('@')),
    (a) => `${a.from} ${comparedAs(a.address)}`,
  );
}

/** The headers of a returned message, parsed on their own: its body may be large and is not needed. */
async function returnedHeaders(content: Attachment['content']): Promise<Email | null> {
  const text = textOf(content, RETURNED_HEADER_LIMIT);
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end + 1) : text;
  if (!head.trim()) return null;
  return PostalMime.parse(`${head}\n\n`);
}

/** Text of an HTML-only notification, enough to find addresses and codes in. */
function htmlText(html: string): string {
  return html
    .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

interface Parts {
  email: Email;
  text: string;
  deliveryStatus: string[];
  feedback: string[];
  returned: Email[];
  returnedText: string[];
}

async function partsOf(email: Email): Promise<Parts> {
  const deliveryStatus: string[] = [];
  const feedback: string[] = [];
  const returned: Email[] = [];
  const returnedText: string[] = [];
  for (const part of email.attachments) {
    const type = part.mimeType.split(/[;\s]/)[0] ?? '';
    if (DELIVERY_STATUS_TYPES.has(type)) deliveryStatus.push(textOf(part.content, TEXT_LIMIT));
    else if (FEEDBACK_TYPES.has(type)) feedback.push(textOf(part.content, TEXT_LIMIT));
    else if (RETURNED_MESSAGE_TYPES.has(type)) {
      const head = await returnedHeaders(part.content);
      if (head) returned.push(head);
      returnedText.push(textOf(part.content, RETURNED_HEADER_LIMIT));
    }
  }
  const text = (email.text?.trim() ? email.text : htmlText(email.html ?? '')).slice(0, TEXT_LIMIT);
  return { email, text, deliveryStatus, feedback, returned, returnedText };
}

/** One recipient as a report names it, before its failure is described. */
interface Sighting {
  address: string;
  originalRecipient: string | null;
  /** The DSN's Action and Status; null for a recipient read from wording. */
  fields: Fields | null;
  diagnostic: string | null;
  remoteMta: string | null;
  source: RecipientSource;
  /** What the notification's text says about this recipient. */
  words: string;
}

/** Status, reply code, action, class and hardness of one recipient (docs/bounces.md#classes). */
function describeFailure(sighting: Sighting, notification: string, alone: boolean): FailedRecipient | null {
  const { fields, words } = sighting;
  const diagnostic = sighting.diagnostic ?? oneLine(words) ?? (fields ? null : oneLine(notification));
  let status: string | null;
  if (fields) {
    // docs/bounces.md#status: the remote server's own code, in its answer, says more than the reporting server's
    // summary of it, unless the two disagree on whether the failure is permanent.
    const statusField = enhancedStatus(fields.get('status'));
    const fromDiagnostic = enhancedStatus(diagnostic);
    status = fromDiagnostic && (!statusField || statusField[0] === fromDiagnostic[0]) ? fromDiagnostic : statusField;
  } else status = enhancedStatus(words) ?? enhancedStatus(notification);
  const reply = replyCode(diagnostic) ?? replyCode(words) ?? (fields ? null : replyCode(notification));
  const action = fields ? actionOf(fields, status) : wordingAction(notification, status, reply);
  if (!action) return null;
  // The only recipient of a report is what all of its words are about, the reason before its address too.
  const failureClass = classify(status, [diagnostic, words, alone ? notification : null], sighting.address);
  return {
    address: sighting.address,
    originalRecipient: sighting.originalRecipient,
    action,
    status,
    replyCode: reply,
    class: failureClass,
    hard: isHard(action, failureClass, status, reply),
    diagnostic,
    remoteMta: sighting.remoteMta,
    source: sighting.source,
  };
}

/** docs/bounces.md#delays: a report that says the server keeps trying, and gives no permanent code, is a delay. */
function wordingAction(notification: string, status: string | null, reply: string | null): DeliveryAction {
  const permanent = status?.startsWith('5') || reply?.startsWith('5');
  return saysStillTrying(notification) && !permanent ? 'delayed' : 'failed';
}

/** Recipients of standard delivery-status blocks, each with what the notification says of it (docs/bounces.md#delivery-status). */
function statusSightings(statuses: readonly DeliveryStatus[], notification: string): Sighting[] {
  const sightings = statuses.flatMap(({ perRecipient }) =>
    perRecipient.flatMap((fields): Sighting[] => {
      const address = typedAddress(fields.get('final-recipient')) ?? typedAddress(fields.get('original-recipient'));
      if (!address) return [];
      return [
        {
          address,
          originalRecipient: typedAddress(fields.get('original-recipient')),
          fields,
          diagnostic: typedText(fields.get('diagnostic-code')),
          remoteMta: typedText(fields.get('remote-mta')),
          source: 'delivery-status',
          words: '',
        },
      ];
    }),
  );
  const named = new Set(sightings.flatMap((s) => [s.address, s.originalRecipient ?? s.address]).map(comparedAs));
  const words = new Map(textRecipients(notification, { exclude: new Set(), sentTo: named }).map((t) => [comparedAs(t.address), t.words]));
  return sightings.map((s) => ({
    ...s,
    words: words.get(comparedAs(s.address)) ?? words.get(comparedAs(s.originalRecipient ?? '')) ?? '',
  }));
}

/** RFC 3464 §2.3.3: `failed` and `delayed` are reported; `delivered`, `relayed`, `expanded` are not failures. */
function actionOf(fields: Fields, status: string | null): DeliveryAction | null {
  const action =
    fields
      .get('action')
      ?.trim()
      .toLowerCase()
      .split(/[\s(;]/)[0] ?? '';
  if (action === 'failed' || action === 'delayed') return action;
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') return null;
  if (status?.startsWith('5')) return 'failed';
  if (status?.startsWith('4')) return 'delayed';
  return null;
}

/** docs/bounces.md#evidence: the signs that a message is a delivery report, whatever its form. */
const REPORT_SENDER_NAME =
  /\b(?:mail(?:er)?[ -]?daemon|mail delivery|delivery (?:status|subsystem|system)|postmaster|mail administrator|system administrator)\b/i;
const REPORT_SUBJECT =
  /\b(?:undeliver\w*|undelivered|returned (?:mail|to sender)|delivery (?:status notification|failure|failed|problem|report|notification|has failed|error)|failure notice|mail delivery (?:failed|failure|system|subsystem)|non[- ]?deliver\w*|not (?:be )?delivered|could not (?:be )?(?:deliver|sen[dt])|mail system error|unable to deliver|bounced? (?:mail|message|notification)|delivery (?:delayed|warning)|warning: could not send|delayed mail|message (?:not delivered|delayed|rejected)|mail failure|rejected|returned)\b/i;

function looksLikeReport(email: Email): boolean {
  const from = email.from && !email.from.group ? email.from : null;
  return (
    isReportWriter(from?.address ?? '') ||
    REPORT_SENDER_NAME.test(from?.name ?? '') ||
    REPORT_SUBJECT.test(email.subject ?? '') ||
    email.headers.some((h) => h.key === 'x-failed-recipients') ||
    /report-type\s*=\s*"?delivery-status/i.test(header(email, 'content-type') ?? '')
  );
}

/** docs/bounces.md#wording: recipients of a report that follows no standard. */
function wordingSightings(
  parts: Parts,
  notification: string,
  exclude: ReadonlySet<string>,
  sentTo: ReadonlySet<string> | null,
): Sighting[] {
  const named = textRecipients(notification, { exclude, sentTo });
  const failedHeader = parts.email.headers
    .filter((h) => h.key === 'x-failed-recipients')
    .flatMap((h) => [...h.value.matchAll(ANY_ADDRESS)].map((m) => m[0]));
  for (const address of failedHeader) {
    const key = comparedAs(address);
    if ((!sentTo || sentTo.has(key)) && !named.some((n) => comparedAs(n.address) === key)) named.push({ address, words: '' });
  }
  return named.map(({ address, words }) => ({
    address,
    originalRecipient: null,
    fields: null,
    diagnostic: null,
    remoteMta: REMOTE_HOST.exec(words)?.[1] ?? null,
    source: 'text',
    words,
  }));
}

const REMOTE_HOST = /\b(?:host|while talking to|from remote (?:mail )?server|connected to)\s+\[?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b/i;

/**
 * docs/bounces.md#complaints: an RFC 5965 feedback report; Microsoft's older complaint form (the reported message
 * carries X-HmXmrOriginalRecipient); or a mail client's unsubscribe request (Apple Mail's X-Apple-Unsubscribe).
 */
function complaintOf(parts: Parts, from: string | null): Complaint | null {
  const isFeedback = parts.feedback.length > 0 || /report-type\s*=\s*"?feedback-report/i.test(header(parts.email, 'content-type') ?? '');
  const microsoft = parts.returned.flatMap((r) => r.headers.filter((h) => h.key === 'x-hmxmroriginalrecipient').map((h) => h.value));
  const unsubscribe = /^\s*true\b/i.test(header(parts.email, 'x-apple-unsubscribe') ?? '');
  if (!isFeedback && !microsoft.length && !unsubscribe) return null;
  const report = parts.feedback.join('\n\n');
  const values = (name: string) => fieldValues(report, name);
  const addressesIn = (list: readonly string[]) => list.flatMap((v) => [...v.matchAll(ANY_ADDRESS)].map((m) => m[0]));
  let complainants = addressesIn([...values('original-rcpt-to'), ...values('removal-recipient'), ...microsoft]);
  if (unsubscribe && from) complainants.push(from);
  if (!complainants.length) complainants = parts.returned.flatMap((r) => mailboxes(r.to));
  return {
    feedbackType: values('feedback-type')[0] ?? (unsubscribe ? 'unsubscribe' : microsoft.length ? 'abuse' : null),
    complainants: unique(complainants, comparedAs),
  };
}

function messageIds(texts: readonly string[], own: string | null): string[] {
  const ids: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(MESSAGE_ID_LINE)) if (match[1]) ids.push(bracketed(match[1]));
    for (const match of text.matchAll(OWN_MESSAGE_ID)) ids.push(match[0]);
  }
  return unique(ids).filter((id) => id !== own);
}

/** A reading of nothing: what a message that cannot be read at all gets, with the problems saying why. */
export function emptyReading(kind: ReportKind, problems: ReadingProblem[]): ReportReading {
  return {
    kind,
    recipients: [],
    messageId: null,
    date: null,
    deliveryAddresses: [],
    envelopeId: null,
    returnedMessageIds: [],
    referencedMessageIds: [],
    queueIds: [],
    complaint: null,
    autoReply: null,
    problems,
  };
}

const asBytes = (raw: Uint8Array | string) => (typeof raw === 'string' ? new TextEncoder().encode(raw) : raw);

/** A multipart whose closing boundary never comes was cut short on the way (docs/bounces.md#limits). */
function isCutShort(email: Email, bytes: Uint8Array): boolean {
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(header(email, 'content-type') ?? '');
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter || !/^\s*multipart\//i.test(header(email, 'content-type') ?? '')) return false;
  return !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(`--${delimiter}--`);
}

export async function readReport(raw: Uint8Array | string, options: ReadOptions = {}): Promise<ReportReading> {
  const problems: ReadingProblem[] = [];
  try {
    let bytes = asBytes(raw);
    if (!bytes.some((b) => b > 32)) return emptyReading('unreadable', [{ code: 'empty', detail: 'the message is empty' }]);
    if (bytes.byteLength > READ_LIMIT) {
      problems.push({ code: 'too-large', detail: `the message has ${bytes.byteLength} bytes; the first ${READ_LIMIT} were read` });
      bytes = bytes.subarray(0, READ_LIMIT);
    }
    const email = await PostalMime.parse(bytes, { forceRfc822Attachments: true, attachmentEncoding: 'arraybuffer' });
    if (!email.headers.some((h) => MAIL_FIELDS.has(h.key))) {
      return emptyReading('unreadable', [...problems, { code: 'not-mail', detail: 'no mail header fields: this is not an email message' }]);
    }
    if (isCutShort(email, bytes)) problems.push({ code: 'truncated', detail: 'the message ends before its last MIME part closes' });
    return await readEmail(email, () => bodyText(bytes), options, problems);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const limit = typeof code === 'string' && code.startsWith('EMAX');
    return emptyReading('unreadable', [
      ...problems,
      { code: limit ? 'parser-limit' : 'unexpected', detail: `the message could not be parsed: ${(error as Error).message}` },
    ]);
  }
}

/** The body of a raw message as text: what is left to read when its MIME parts cannot be found. */
function bodyText(bytes: Uint8Array): string {
  const text = decoder.decode(bytes.subarray(0, TEXT_LIMIT * 2));
  const end = text.search(/\r?\n\r?\n/);
  return end >= 0 ? text.slice(end).trim() : '';
}

async function readEmail(email: Email, rawBody: () => string, options: ReadOptions, problems: ReadingProblem[]): Promise<ReportReading> {
  const envelope = options.envelope ?? {};
  const parts = await partsOf(email);
  const contentType = header(email, 'content-type') ?? '';
  if (/^\s*multipart\//i.test(contentType) && !email.attachments.length && !email.text?.trim() && !email.html?.trim()) {
    problems.push({ code: 'broken-mime', detail: 'a multipart message whose parts could not be found: read as plain text' });
    parts.text = rawBody().slice(0, TEXT_LIMIT);
  }
  // A report whose MIME structure was lost still carries its delivery-status fields in its text.
  const statusTexts = parts.deliveryStatus.length ? parts.deliveryStatus : [];
  if (!statusTexts.length && hasRecipientFields(parts.text)) statusTexts.push(parts.text.slice(deliveryStatusStart(parts.text)));
  const statuses = statusTexts.map(parseDeliveryStatus);

  const addresses = deliveryAddresses(email, envelope);
  const own = email.messageId ? bracketed(email.messageId) : null;
  const from = mailboxes(email.from)[0] ?? null;
  const sentTo = options.sentTo ? new Set(options.sentTo.map(comparedAs)) : null;
  // docs/bounces.md#wording: the report's own addressee is never its failed recipient. X-Original-To is left out: it is
  // the address before rewriting, and some servers copy the failed one there.
  const addressee = addresses.filter((a) => a.from !== 'x-original-to').map((a) => a.address);
  const exclude = new Set([...addressee, ...(from ? [from] : []), ...mailboxes(email.sender)].map(comparedAs));
  for (const returned of parts.returned) for (const sender of mailboxes(returned.from)) exclude.add(comparedAs(sender));

  const perMessage = statuses.map((s) => s.perMessage);
  const firstOf = (name: string) => perMessage.map((f) => f.get(name)).find((v) => v) ?? null;
  const { notification, returned: returnedCopy } = splitReturnedCopy(parts.text);
  const diagnostics: string[] = [];

  const complaint = complaintOf(parts, from);
  let kind: ReportKind;
  let recipients: FailedRecipient[] = [];
  let autoReply: AutoReply | null = null;
  if (complaint) kind = 'complaint';
  else {
    const reported = statuses.some((s) => s.perRecipient.length > 0);
    const isReport = reported || looksLikeReport(email);
    let sightings = reported
      ? statusSightings(statuses, notification)
      : isReport
        ? wordingSightings(parts, notification, exclude, sentTo)
        : [];
    if (!sightings.length && isReport && sentTo?.size === 1) sightings = [soleSighting(options.sentTo?.[0] as string)];
    recipients = sightings.flatMap((s) => describeFailure(s, notification, sightings.length === 1) ?? []);
    const evidence = isReport ? null : autoReplyEvidence(email.headers as HeaderField[], email.subject ?? '', notification);
    if (recipients.some((r) => r.action === 'failed')) kind = 'bounce';
    else if (recipients.length) kind = 'delay';
    else if (evidence) {
      kind = 'auto-reply';
      autoReply = { responder: from, evidence };
    } else {
      kind = 'not-a-bounce';
      if (isReport && !reported) {
        problems.push({
          code: 'no-recipient',
          detail: 'reads like a delivery report, but names no failed recipient this reader recognises',
        });
      }
    }
    diagnostics.push(...recipients.flatMap((r) => (r.diagnostic ? [r.diagnostic] : [])));
  }

  const envelopeId = firstOf('original-envelope-id')?.trim();
  const returnedIds = [
    ...parts.returned.flatMap((r) => (r.messageId ? [bracketed(r.messageId)] : [])),
    ...messageIds([...statusTexts, ...parts.feedback, notification, returnedCopy, ...parts.returnedText], own),
  ];
  const referenced = [email.inReplyTo ?? '', email.references ?? ''].flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
  const queueIds = [
    ...perMessage.flatMap((f) => (f.get('x-postfix-queue-id') ? [(f.get('x-postfix-queue-id') as string).split(/\s/)[0] as string] : [])),
    ...[notification, ...diagnostics].flatMap((t) => [...t.matchAll(QUEUED_AS)].map((m) => m[1] as string)),
  ];
  return {
    kind,
    recipients,
    messageId: own,
    date: email.date ?? null,
    deliveryAddresses: addresses,
    envelopeId: envelopeId ? bracketed(envelopeId) : null,
    returnedMessageIds: unique(returnedIds).filter((id) => id !== own),
    referencedMessageIds: unique(referenced),
    queueIds: unique(queueIds),
    complaint,
    autoReply,
    problems,
  };
}

/** docs/bounces.md#sources: a report about a message sent to one address, naming none, is about that address. */
const soleSighting = (address: string): Sighting => ({
  address,
  originalRecipient: null,
  fields: null,
  diagnostic: null,
  remoteMta: null,
  source: 'sole-recipient',
  words: '',
});

/**
 * Whether reading the message again knowing `sentTo` may say something else (docs/bounces.md#sources): not when its
 * recipients came from standard delivery-status blocks, which are kept as they are, nor for a complaint or an
 * automatic reply, which `sentTo` does not touch.
 */
export function readsOtherwiseKnowingSentTo(reading: ReportReading): boolean {
  if (reading.kind === 'complaint' || reading.kind === 'auto-reply') return false;
  return !reading.recipients.some((r) => r.source === 'delivery-status');
}
