/**
 * What one raw message says about mail this tool sent: the words of docs/bounces.md#kinds, each a type.
 * Every value is read from the message as it came; nothing here has been matched to a send record yet.
 */

export const REPORT_KINDS = ['bounce', 'delay', 'auto-reply', 'complaint', 'not-a-bounce', 'unreadable'] as const;
/** docs/bounces.md#kinds: a report with any failed recipient is a `bounce`, one with only delayed ones a `delay`. */
export type ReportKind = (typeof REPORT_KINDS)[number];

export type DeliveryAction = 'failed' | 'delayed';

export const FAILURE_CLASSES = ['dead-address', 'mailbox-full', 'policy', 'spam-block', 'expired', 'other'] as const;
/** docs/bounces.md#classes: why delivery to one recipient failed, as the people who act on it see it. */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/**
 * Where a recipient was read (docs/bounces.md#sources): a standard delivery-status block (RFC 3464 or 6533), the
 * wording of a report that follows no standard, or, when the caller names the addresses the message was sent to,
 * the only one of them a report without any recognisable recipient can be about.
 */
export type RecipientSource = 'delivery-status' | 'text' | 'sole-recipient';

export interface FailedRecipient {
  /** The address delivery failed for: the DSN's Final-Recipient, or the address the report's text names. */
  address: string;
  /** The address as the sender gave it (the DSN's Original-Recipient), when the report says so. */
  originalRecipient: string | null;
  action: DeliveryAction;
  /** RFC 3463 enhanced status code, e.g. `5.1.1`. */
  status: string | null;
  /** The SMTP reply code the remote server gave, e.g. `550`. */
  replyCode: string | null;
  class: FailureClass;
  /** docs/bounces.md#hard: the address itself is bad (class `dead-address` and a permanent failure). */
  hard: boolean;
  /** The server's own words, on one line. */
  diagnostic: string | null;
  remoteMta: string | null;
  source: RecipientSource;
}

/** Where an address the report was delivered to was seen (docs/bounces.md#matching). */
export type DeliveryAddressSource = 'envelope' | 'original-envelope' | 'delivered-to' | 'x-original-to' | 'to';

export interface DeliveryAddress {
  address: string;
  from: DeliveryAddressSource;
}

/** docs/bounces.md#complaints: an RFC 5965 feedback report. */
export interface Complaint {
  feedbackType: string | null;
  /** Who complained: Original-Rcpt-To and Removal-Recipient, else the To of the returned message. */
  complainants: string[];
}

/** docs/bounces.md#auto-replies: an RFC 3834 automatic response (vacation, out of office). */
export interface AutoReply {
  /** Who is away: the From of the reply. */
  responder: string | null;
  /** What showed it is automatic, e.g. `Auto-Submitted: auto-replied` or `subject`. */
  evidence: string;
}

export type ProblemCode = 'empty' | 'not-mail' | 'broken-mime' | 'truncated' | 'too-large' | 'parser-limit' | 'no-recipient' | 'unexpected';

/** Something the reader met and got past: the reading still says what it could. */
export interface ReadingProblem {
  code: ProblemCode;
  detail: string;
}

export interface ReportReading {
  kind: ReportKind;
  /** Failed and delayed recipients (empty unless the kind is `bounce` or `delay`). */
  recipients: FailedRecipient[];
  /** The report's own Message-ID (its identity) and Date (when it was written). */
  messageId: string | null;
  date: string | null;
  /** The addresses the report was delivered to, envelope first: where a bounce token is (docs/bounces.md#matching). */
  deliveryAddresses: DeliveryAddress[];
  /** The DSN's Original-Envelope-Id: the ENVID the sender gave (RFC 3461), in angle brackets as the Message-IDs are. */
  envelopeId: string | null;
  /** Message-IDs of the returned message, found anywhere in the report (never the report's own). */
  returnedMessageIds: string[];
  /** The report's In-Reply-To and References: an auto-reply names the message it answers there. */
  referencedMessageIds: string[];
  /** Queue ids of the relay that handled the message (Postfix's X-Postfix-Queue-ID, `queued as …`). */
  queueIds: string[];
  complaint: Complaint | null;
  autoReply: AutoReply | null;
  problems: ReadingProblem[];
}
