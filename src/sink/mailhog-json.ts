import type { SinkMessage, SmtpParams } from './message.js';
import type { MimeEntity } from './mime.js';

/** An address as MailHog's JSON writes it. */
export interface MailHogPath {
  Relays: string[] | null;
  Mailbox: string;
  Domain: string;
  Params: string;
}

export interface MailHogContent {
  Headers: Record<string, readonly string[]>;
  Body: string;
  Size: number;
  MIME: MailHogMime | null;
}

export interface MailHogMime {
  Parts: MailHogContent[];
}

/** One message of MailHog's HTTP API. */
export interface MailHogMessage {
  ID: string;
  From: MailHogPath;
  To: MailHogPath[];
  Content: MailHogContent;
  Created: string;
  MIME: MailHogMime | null;
  Raw: { From: string; To: string[]; Data: string; Helo: string };
}

/** The answer of GET /api/v2/messages and /api/v2/search. */
export interface MailHogPage {
  total: number;
  count: number;
  start: number;
  items: MailHogMessage[];
}

export function toMailHogMessage(message: SinkMessage): MailHogMessage {
  const { content, envelope } = message;
  return {
    ID: message.id,
    From: toPath(envelope.from, envelope.fromParams),
    To: envelope.to.map((address, index) => toPath(address, envelope.toParams[index] ?? {})),
    // MailHog keeps the parts on the message, not on its content
    Content: { ...toContent(content), Headers: withTraceHeaders(message), MIME: null },
    Created: message.created.toISOString(),
    MIME: toMime(content),
    Raw: { From: envelope.from, To: [...envelope.to], Data: message.raw, Helo: message.helo },
  };
}

function toContent(entity: MimeEntity): MailHogContent {
  return { Headers: { ...entity.headers }, Body: entity.body, Size: entity.size, MIME: toMime(entity) };
}

function toMime(entity: MimeEntity): MailHogMime | null {
  return entity.parts && { Parts: entity.parts.map(toContent) };
}

function toPath(address: string, params: SmtpParams): MailHogPath {
  const at = address.lastIndexOf('@');
  return {
    Relays: null,
    Mailbox: at < 0 ? address : address.slice(0, at),
    Domain: at < 0 ? '' : address.slice(at + 1),
    // As MailHog keeps them: the command's parameters after the address, `RET=HDRS ENVID=…` (here xtext decoded).
    Params: Object.entries(params)
      .map(([key, value]) => (value === true ? key : `${key}=${value}`))
      .join(' '),
  };
}

/** The headers MailHog adds on receipt; unlike MailHog, the sender's Message-ID is kept. */
function withTraceHeaders(message: SinkMessage): Record<string, readonly string[]> {
  const received = `from ${message.helo} by mail-sink (yougotdata)\r\n          id ${message.id}; ${message.created.toUTCString()}`;
  return {
    ...message.content.headers,
    ...(message.messageId === undefined && { 'Message-ID': [message.id] }),
    Received: [received, ...(message.content.headers.Received ?? [])],
    'Return-Path': [`<${message.envelope.from}>`],
  };
}
