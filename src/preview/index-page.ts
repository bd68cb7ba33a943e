/**
 * The dry-run outbox's index.html: every message `send --dry-run --out DIR` would send, with its HTML body
 * shown as the recipient would see it. The page (`templates/preview.html.hbs`) runs no script; each body sits in a
 * sandboxed iframe (srcdoc, no allow-scripts, no allow-same-origin), so a message can neither run script nor break
 * the page, and Handlebars escapes every value from the archive or the table where the page itself shows it.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Address } from '../addresses/index.js';
import { type Mode, profileOf } from '../domain/mode.js';
import { utcStamp } from '../domain/night.js';
import { PROBLEM_STATUSES, QUIET_STATUSES, type Result } from '../domain/result.js';
import type { OutgoingMessage } from '../mail/message.js';
import { TEMPLATES } from '../mail/render.js';
import { plural } from '../text/words.js';

export interface PreviewMessage {
  /** The .eml file's name in the outbox folder. */
  file: string;
  result: Result;
  message: OutgoingMessage;
}

export interface PreviewPage {
  mode: Mode;
  /** `YYYYMMDD`, or `A..B` for a range. */
  date: string;
  generatedAt: Date;
  messages: readonly PreviewMessage[];
  /** The run's results that would send nothing (no data, invalid selection, …); absent when unknown. */
  others?: readonly Result[];
}

const TEMPLATE = new URL('preview.html.hbs', TEMPLATES);

let compiled: Handlebars.TemplateDelegate | undefined;

/** Compiled once per process, on first use; strict: a misspelt field throws instead of rendering as blank. */
const template = (): Handlebars.TemplateDelegate =>
  (compiled ??= Handlebars.create().compile(readFileSync(TEMPLATE, 'utf8'), { strict: true }));

const addressText = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);
const list = (addresses: readonly Address[]) => addresses.map(addressText).join(', ');
const stamp = (date: Date) => `${utcStamp(date)} UTC`;

/** `message-3`: the anchor of the nth message. */
export const anchorOf = (index: number) => `message-${index + 1}`;

/** What every row of the page shows of a result: the notification, its night, status badge and rejected pieces. */
function resultView(r: Result) {
  return {
    id: r.id,
    label: r.label,
    night: r.night,
    status: r.status,
    problem: PROBLEM_STATUSES.includes(r.status),
    quiet: !PROBLEM_STATUSES.includes(r.status) && QUIET_STATUSES.includes(r.status),
    files: r.files,
    rejected: r.rejected.map((piece) => JSON.stringify(piece)).join(', '),
  };
}

function messageView({ file, result, message }: PreviewMessage, index: number) {
  return {
    ...resultView(result),
    number: index + 1,
    anchor: anchorOf(index),
    selection: result.selection ?? '',
    wouldBeSent: result.status === 'dry-run',
    url: result.url,
    file,
    href: encodeURIComponent(file),
    from: addressText(message.from),
    replyTo: message.replyTo ? addressText(message.replyTo) : null,
    to: list(message.to),
    cc: list(message.cc),
    bcc: message.bcc.join(', '),
    subject: message.subject,
    date: stamp(message.date),
    messageId: message.messageId,
    hasHtml: message.html !== undefined,
    html: message.html ?? '',
    text: message.text,
  };
}

const otherView = (r: Result) => ({ ...resultView(r), selection: r.selection ?? '(no selection)', error: r.error ?? '' });

/** The whole page: a summary table, one section per message, then what would send nothing. */
export function indexPage(page: PreviewPage): string {
  const withoutOne = page.others ? `; ${plural(page.others.length, 'notification')} without one` : '';
  return template()({
    title: `yougotdata preview: ${profileOf(page.mode).name} messages for night ${page.date}`,
    lead:
      `Dry run: nothing was sent and nothing recorded. ${plural(page.messages.length, 'message')} would be sent${withoutOne}. ` +
      `Made ${stamp(page.generatedAt)}.`,
    messages: page.messages.map(messageView),
    others: (page.others ?? []).map(otherView),
  });
}
