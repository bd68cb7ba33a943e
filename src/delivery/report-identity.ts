/**
 * A report's identity: what stays the same whichever way the report reached `bounce` (an aliases pipe, a file, an IMAP
 * mailbox), so a second reading adds nothing (docs/commands.md#bounce). The route changes the head of the message:
 * Postfix's pipe adds Return-Path, Delivered-To and X-Original-To, a mailbox adds Received and perhaps a spam
 * filter's fields, a Maildir keeps bare LF line ends. So the identity is the report's own Message-ID and its body,
 * with line ends and trailing blanks made alike; a message without a Message-ID is taken whole, less the fields a
 * delivery adds.
 */
import { createHash } from 'node:crypto';

/** Of the body, this much is hashed: a report's own text is short, the rest is a copy of what was returned. */
const IDENTITY_BODY = 1024 * 1024;

/** Fields a delivery puts on the message, and the mbox `From ` line: never part of the identity. */
const ADDED_ON_THE_WAY = /^(?:From |(?:Return-Path|Delivered-To|X-Original-To|Received|X-Spam-[\w-]+)[ \t]*:)/i;

/** Text with LF line ends, each line without trailing blanks, and no blank lines at the end. */
const alike = (text: string): string =>
  text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');

/** Where the body starts: after the first empty line; null when there is none. */
function bodyStart(bytes: Buffer): number | null {
  const ends = [bytes.indexOf('\n\n'), bytes.indexOf('\r\n\r\n')].filter((i) => i >= 0);
  if (ends.length === 0) return null;
  const end = Math.min(...ends);
  return end + (bytes[end] === 0x0d ? 4 : 2);
}

/** The header section without the fields a delivery adds (folded lines go with their field). */
function headWithoutDelivery(head: string): string {
  const fields: string[] = [];
  for (const line of alike(head).split('\n')) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\n${line}`;
    else fields.push(line);
  }
  return fields.filter((field) => !ADDED_ON_THE_WAY.test(field)).join('\n');
}

/** A hex SHA-256 naming the report; `messageId` is the report's own (docs/bounces.md#matching). */
export function reportIdentity(raw: Uint8Array, messageId: string | null): string {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const start = bodyStart(bytes);
  const body = alike(bytes.subarray(start ?? bytes.length, (start ?? bytes.length) + IDENTITY_BODY).toString('latin1'));
  const hash = createHash('sha256');
  if (messageId !== null) hash.update(`message-id ${messageId}\n`).update(body, 'latin1');
  else {
    const head = bytes.subarray(0, start ?? Math.min(bytes.length, IDENTITY_BODY)).toString('latin1');
    hash.update(`whole\n${headWithoutDelivery(head)}\n\n`, 'latin1').update(body, 'latin1');
  }
  return hash.digest('hex');
}
