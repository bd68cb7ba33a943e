/**
 * The dry-run outbox's index.html: every message `send --dry-run --out DIR` would send, with its HTML body
 * shown as the recipient would see it. The page runs no script; each body sits in a sandboxed iframe
 * (srcdoc, no allow-scripts, no allow-same-origin), so a message can neither run script nor break the page,
 * and every value from the archive or the table is escaped where the page itself shows it.
 */
import type { Address } from '../addresses/index.js';
import { MODE_NAME, type Mode } from '../domain/mode.js';
import { utcStamp } from '../domain/night.js';
import { PROBLEM_STATUSES, QUIET_STATUSES, type Result, type Status } from '../domain/result.js';
import type { OutgoingMessage } from '../mail/message.js';
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

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value (in double quotes) made inert. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const addressText = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);
const list = (addresses: readonly Address[]) => addresses.map(addressText).join(', ');
const stamp = (date: Date) => `${utcStamp(date)} UTC`;

/** `message-3`: the anchor of the nth message. */
export const anchorOf = (index: number) => `message-${index + 1}`;

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1f2328; background: #f3f5f7; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 8px; }
p.lead { margin: 0 0 16px; color: #57606a; }
table { border-collapse: collapse; background: #fff; width: 100%; margin-bottom: 24px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #d8dee4; }
th { background: #e8ecf0; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; }
.status { display: inline-block; padding: 0 6px; border-radius: 4px; background: #ddf4ff; color: #0a3069; font-size: 12px;
  white-space: nowrap; }
.status.problem { background: #ffebe9; color: #82071e; }
.status.quiet { background: #eaeef2; color: #57606a; }
.rejected { color: #82071e; }
section.message { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 16px; margin-bottom: 24px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; }
dt { color: #57606a; }
dd { margin: 0; overflow-wrap: anywhere; }
iframe { display: block; width: 100%; height: 420px; border: 1px solid #d8dee4; border-radius: 4px; background: #fff;
  resize: vertical; overflow: auto; }
details { margin-top: 8px; }
pre { white-space: pre; overflow-x: auto; background: #f6f8fa; padding: 8px; border-radius: 4px; font-size: 12px; }
a { color: #0b57a4; }
`;

function statusBadge(status: Status): string {
  const kind = PROBLEM_STATUSES.includes(status) ? ' problem' : QUIET_STATUSES.includes(status) ? ' quiet' : '';
  return `<span class="status${kind}">${escapeHtml(status)}</span>`;
}

function rejectedCell(rejected: readonly string[]): string {
  return rejected.length === 0 ? '' : `<span class="rejected">${rejected.map((r) => escapeHtml(JSON.stringify(r))).join(', ')}</span>`;
}

const notificationText = (r: Result) => `${r.id}${r.label ? ` ${escapeHtml(r.label)}` : ''}`;
const fileLink = (file: string) => `<a href="${escapeHtml(encodeURIComponent(file))}" download>${escapeHtml(file)}</a>`;

function summaryRow(entry: PreviewMessage, index: number): string {
  const { result, message } = entry;
  return `<tr class="message-row">
<td><a href="#${anchorOf(index)}">${index + 1}</a></td>
<td>${notificationText(result)}</td>
<td>${escapeHtml(result.night)}</td>
<td>${statusBadge(result.status)}</td>
<td>${escapeHtml(list(message.to))}</td>
<td>${escapeHtml(list(message.cc))}</td>
<td>${escapeHtml(message.subject)}</td>
<td class="num">${result.files}</td>
<td>${rejectedCell(result.rejected)}</td>
<td>${fileLink(entry.file)}</td>
</tr>`;
}

function messageSection(entry: PreviewMessage, index: number): string {
  const { result, message } = entry;
  const rows: [string, string][] = [
    ['Notification', `${notificationText(result)} [${escapeHtml(result.selection ?? '')}]`],
    ['Night', escapeHtml(result.night)],
    ['Status', `${statusBadge(result.status)} ${result.status === 'dry-run' ? 'would be sent' : ''}`],
    ['From', escapeHtml(addressText(message.from))],
    ...(message.replyTo ? [['Reply-To', escapeHtml(addressText(message.replyTo))] as [string, string]] : []),
    ['To', escapeHtml(list(message.to))],
    ...(message.cc.length > 0 ? [['Cc', escapeHtml(list(message.cc))] as [string, string]] : []),
    ...(message.bcc.length > 0 ? [['Bcc', `${escapeHtml(message.bcc.join(', '))} (envelope only)`] as [string, string]] : []),
    ['Subject', escapeHtml(message.subject)],
    ['Date', escapeHtml(stamp(message.date))],
    ['Message-ID', escapeHtml(message.messageId)],
    ['Files', String(result.files)],
    ...(result.rejected.length > 0
      ? [['Rejected', `${rejectedCell(result.rejected)} (not addresses: not sent to)`] as [string, string]]
      : []),
    ...(result.url ? [['Archive search', `<a href="${escapeHtml(result.url)}">${escapeHtml(result.url)}</a>`] as [string, string]] : []),
    ['Message file', fileLink(entry.file)],
  ];
  const body =
    message.html === undefined
      ? '<p>(no HTML part)</p>'
      : '<iframe class="body" sandbox="" referrerpolicy="no-referrer" loading="lazy" ' +
        `title="${escapeHtml(`HTML body of message ${index + 1}: ${message.subject}`)}" srcdoc="${escapeHtml(message.html)}"></iframe>`;
  return `<section class="message" id="${anchorOf(index)}" data-notification="${result.id}" data-night="${escapeHtml(result.night)}">
<h2>${index + 1}. ${escapeHtml(message.subject)}</h2>
<dl>
${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('\n')}
</dl>
${body}
<details><summary>Plain-text part</summary><pre>${escapeHtml(message.text)}</pre></details>
</section>`;
}

function othersTable(others: readonly Result[]): string {
  if (others.length === 0) return '';
  const rows = others.map(
    (r) => `<tr class="other-row">
<td>${notificationText(r)}</td>
<td>${escapeHtml(r.night)}</td>
<td>${statusBadge(r.status)}</td>
<td>${escapeHtml(r.selection ?? '(no selection)')}</td>
<td class="num">${r.files}</td>
<td>${escapeHtml(r.error ?? '')}${r.rejected.length > 0 ? `${r.error ? '; ' : ''}rejected: ${rejectedCell(r.rejected)}` : ''}</td>
</tr>`,
  );
  return `<h2 id="no-message">Notifications without a message (${others.length})</h2>
<table class="others">
<thead><tr><th>Notification</th><th>Night</th><th>Status</th><th>Selection</th><th>Files</th><th>Detail</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** The whole page: a summary table, one section per message, then what would send nothing. */
export function indexPage(page: PreviewPage): string {
  const title = `yougotdata preview: ${MODE_NAME[page.mode]} messages for night ${page.date}`;
  const count = page.messages.length;
  const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
  const withoutOne = page.others ? `; ${plural(page.others.length, 'notification')} without one` : '';
  const lead =
    `Dry run: nothing was sent and nothing recorded. ${plural(count, 'message')} would be sent${withoutOne}. ` +
    `Made ${escapeHtml(stamp(page.generatedAt))}.`;
  const summary =
    count === 0
      ? '<p>No message would be sent.</p>'
      : `<table class="summary">
<thead><tr><th>#</th><th>Notification</th><th>Night</th><th>Status</th><th>To</th><th>Cc</th><th>Subject</th><th>Files</th>
<th>Rejected pieces</th><th>.eml</th></tr></thead>
<tbody>
${page.messages.map(summaryRow).join('\n')}
</tbody>
</table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="yougotdata send --dry-run --out">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="lead">${lead}</p>
${summary}
${page.messages.map(messageSection).join('\n')}
${othersTable(page.others ?? [])}
</body>
</html>
`;
}
