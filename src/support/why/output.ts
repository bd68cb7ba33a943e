/**
 * What `why` prints: the text a person reads and the JSON a script reads, each with the verdict and advice of
 * `verdict.ts`, from the facts `gather.ts` found.
 */
import { SCOPE_NOUN } from '../../archive/selection.js';
import type { AddressDelivery } from '../../delivery/address-facts.js';
import { bouncingText } from '../../delivery/wording.js';
import { type Mode, optionText, profileOf } from '../../domain/mode.js';
import { nightsText, utcStamp } from '../../domain/night.js';
import { escapeControls } from '../../text/escape.js';
import { capitalised, plural, someOf } from '../../text/words.js';
import { totalsText } from '../history.js';
import type { AddressFate, Triage, WhyAnswer } from './facts.js';
import type { NearMatch } from './near-matches.js';
import { adviceOf, clockTime, eventText, verdictOf } from './verdict.js';

const quote = (text: string) => JSON.stringify(text);

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

const shownValue = (value: string | null) => (value === null ? 'NULL' : quote(value));

/** `bounced at … (5.1.1: the address does not exist; from mx.uni.edu), matched by token to message 17; bouncing: …` */
function deliveryText(d: AddressDelivery): string {
  if (!d.last) return 'no report has come back';
  const about = d.last.sendId === null ? 'a message no longer in the record' : `message ${d.last.sendId}`;
  const bouncing = bouncingText(d.standing);
  return `${eventText(d.last)}, matched by ${d.last.matchedBy} to ${about}${bouncing ? `; bouncing: ${bouncing}` : ''}`;
}

/** `jane@uni.edu is in piemail (To): accepted by the mail server at 08:00:12 UTC on 2026-11-26` */
function addressLine(fate: AddressFate, mode: Mode, deliveries: readonly AddressDelivery[] = []): string {
  const where = fate.fields.length > 0 ? `is in ${fate.fields.join(' and ')}` : 'is in none of the email fields';
  const role = fate.role === 'to' ? ' (To)' : fate.role === 'cc' ? ' (Cc)' : `, which ${profileOf(mode).name} mode does not mail`;
  const outcome =
    fate.outcome.state === 'accepted'
      ? `accepted by the mail server${fate.outcome.at ? ` at ${clockTime(fate.outcome.at)}` : ''}`
      : fate.outcome.state === 'refused'
        ? `refused by the mail server: ${fate.outcome.reply}`
        : 'not sent to this night';
  const delivery = deliveries.find((d) => d.address.toLowerCase() === fate.address.toLowerCase());
  const report = delivery?.last ? `; latest report: ${deliveryText(delivery)}` : '';
  return `${fate.address} ${where}${role}: ${outcome}${report}`;
}

/** The text `why` prints for one notification. */
export function triageText(t: Triage): string {
  const n = t.notification;
  const profile = profileOf(t.mode);
  const lines: string[] = [];
  lines.push(`#${n.id}${n.label ? ` ${n.label}` : ''} — ${profile.name} mode, night ${t.night}`);
  lines.push(`Verdict: ${verdictOf(t)}`);
  if (t.address) lines.push(`Address: ${addressLine(t.address, t.mode, t.deliveries)}`);
  const advice = adviceOf(t);
  if (advice) lines.push(`Next: ${advice}`);

  lines.push('', 'The row as stored (JSON-quoted, so stray spaces and line breaks show):');
  const row: [string, string][] = [
    ['id', String(n.id)],
    ['label', shownValue(n.label)],
    ['selection', shownValue(n.selection)],
    ['piemail', shownValue(n.piemail)],
    ['ngoemail', shownValue(n.ngoemail)],
    ['csemail', shownValue(n.csemail)],
  ];
  for (const [key, value] of row) lines.push(`  ${key.padEnd(10)}${value}`);

  const cc = profile.cc.length > 0 ? `; Cc ${profile.cc.join(' and ')}` : ' only';
  lines.push('', `Email fields (To ${profile.to}${cc}):`);
  for (const field of t.fields) {
    const addresses = field.addresses.map((a) => (a.name ? `${a.address} (${a.name})` : a.address));
    const parts = [addresses.length > 0 ? addresses.join(', ') : 'no address'];
    if (field.rejected.length > 0) parts.push(`rejected: ${field.rejected.map(quote).join(', ')}`);
    lines.push(`  ${field.field.padEnd(10)}${parts.join('; ')}`);
  }
  lines.push(`  → To ${t.recipients.to.join(', ') || '(nobody)'}${t.recipients.cc.length > 0 ? `; Cc ${t.recipients.cc.join(', ')}` : ''}`);

  lines.push('', 'Selection:');
  const s = t.selection;
  if (s.state === 'valid') {
    const scope = s.scope ? `, confined to ${SCOPE_NOUN[s.scope.kind]} ${s.scope.id}` : ', not confined to one program';
    lines.push(
      `  valid${scope} ` +
        `(${s.checkedBy === 'grammar' ? "every term known to the archive's grammar" : "confirmed with the archive's summary page"})`,
    );
  } else if (s.state === 'invalid') {
    lines.push(`  INVALID: ${s.reason}`);
  } else {
    lines.push(
      `  not confirmed: ${s.unknownTerms.map(quote).join(', ')} only the archive can confirm, and its summary page failed: ${s.error}`,
    );
  }

  lines.push(
    '',
    `${capitalised(profile.server.shortName)} now` +
      `${t.archiveAskedAnyway ? ' (asked only to show what this selection returns: the job never sends on it)' : ''}:`,
  );
  const a = t.archive;
  if (a.state === 'not-asked') {
    lines.push(`  not asked: ${a.why}`);
  } else {
    lines.push(`  search   ${a.url}`, `  browser  ${a.searchUrl}`);
    if (a.state === 'failed') {
      lines.push(`  FAILED: ${a.error}`);
    } else {
      lines.push(`  ${plural(a.files, 'file')}; programs: ${counts(a.programs)}; QA states: ${counts(a.qaStates)}`);
      if (a.foreignPrograms.length > 0) lines.push(`  files of other programs: ${a.foreignPrograms.join(', ')}`);
      if (a.files > 0 && !t.archiveAskedAnyway) {
        lines.push(
          a.unannounced.length === 0
            ? '  every one announced already'
            : `  not yet announced (${a.unannounced.length}): ${someOf(a.unannounced, 10)}`,
        );
      }
    }
  }

  lines.push('', `Send record (${profile.name}, night ${t.night}):`);
  const r = t.record;
  if (r.state === 'absent') {
    lines.push("  none: the tool's tables do not exist (`yougotdata migrate` never ran)");
  } else {
    if (r.runs.length === 0) lines.push(`  runs: none recorded for this night and mode`);
    for (const run of r.runs) {
      const end = run.finishedAt
        ? `ended ${utcStamp(run.finishedAt)} UTC, exit ${run.exitCode ?? '?'}`
        : 'no end (crashed, or still running)';
      lines.push(
        `  run ${run.id}: started ${utcStamp(run.startedAt)} UTC, ${end}, ` +
          `on ${run.host} pid ${run.pid}${run.totals ? ` (${totalsText(run.totals)})` : ''}`,
      );
    }
    if (r.outcome) {
      const c = r.outcome;
      lines.push(`  last check: ${c.status} at ${utcStamp(c.checkedAt)} UTC, ${plural(c.files, 'file')}${c.error ? `: ${c.error}` : ''}`);
      if (c.url) lines.push(`    asked ${c.url}`);
    } else {
      lines.push('  last check: none recorded for this notification');
    }
    if (r.messages.length === 0) lines.push('  messages: none');
    for (const m of r.messages) {
      lines.push(
        `  message ${m.id}: ${m.status}${m.sentAt ? ` at ${utcStamp(m.sentAt)} UTC` : ` (created ${utcStamp(m.createdAt)} UTC)`}  ` +
          `${m.messageId}${m.followsUp !== null ? `  (follows up message ${m.followsUp})` : ''}`,
      );
      lines.push(`    to ${m.to.join(', ') || '(nobody)'}${m.cc.length > 0 ? `; cc ${m.cc.join(', ')}` : ''}`);
      // Neither a message being handed over nor one never answered has a word from the server on who took it.
      if (m.status !== 'sending' && m.status !== 'unknown') lines.push(`    accepted: ${m.accepted.join(', ') || 'none'}`);
      for (const relay of m.relay) lines.push(`    relay: ${relay.reply} (${relay.recipients.join(', ')})`);
      for (const refusal of m.refused) lines.push(`    refused: ${refusal.address} (${refusal.reply})`);
      if (m.error) lines.push(`    error: ${m.error}`);
      lines.push(`    files (${m.files.length})${m.status === 'sent' ? ' announced by it' : ''}: ${someOf(m.files, 10)}`);
    }
    lines.push('', 'Delivery reports (the latest about each recipient, whatever the night):');
    const width = Math.max(0, ...t.deliveries.map((d) => d.address.length));
    for (const d of t.deliveries) lines.push(`  ${d.address.padEnd(width)}  ${deliveryText(d)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON of one notification in `why --json`. */
export function triageJson(t: Triage) {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  const r = t.record;
  return {
    notification: t.notification,
    night: t.night,
    mode: t.mode,
    verdict: verdictOf(t),
    advice: adviceOf(t),
    fields: Object.fromEntries(t.fields.map((f) => [f.field, { stored: f.stored, addresses: f.addresses, rejected: f.rejected }])),
    recipients: t.recipients,
    selection: t.selection,
    archive: { ...t.archive, askedAnyway: t.archiveAskedAnyway },
    ...(t.address
      ? {
          address: {
            ...t.address,
            outcome: t.address.outcome.state === 'accepted' ? { ...t.address.outcome, at: iso(t.address.outcome.at) } : t.address.outcome,
          },
        }
      : {}),
    deliveries: t.deliveries.map((d) => ({
      address: d.address,
      last: d.last ? { ...d.last, occurredAt: iso(d.last.occurredAt), readAt: iso(d.last.readAt) } : null,
      bouncing: d.standing.bouncing ? { reason: d.standing.reason, count: d.standing.count } : null,
    })),
    record:
      r.state === 'absent'
        ? { exists: false, runs: [], check: null, messages: [] }
        : {
            exists: true,
            runs: r.runs.map((run) => ({ ...run, startedAt: iso(run.startedAt), finishedAt: iso(run.finishedAt) })),
            check: r.outcome ? { ...r.outcome, checkedAt: iso(r.outcome.checkedAt) } : null,
            messages: r.messages.map((m) => ({ ...m, createdAt: iso(m.createdAt), sentAt: iso(m.sentAt) })),
          },
  };
}

function noMatchText(text: string, suggestions: readonly NearMatch[]): string {
  const lines = [`No notification has the id ${JSON.stringify(text)}, or a label or selection containing it.`];
  if (suggestions.length === 0) {
    lines.push('Nothing near it either. Every row: psql "$DATABASE_URL" -c \'select id, label, selection from notification order by id\'');
  } else {
    lines.push('Near matches:');
    for (const s of suggestions) {
      lines.push(`  #${s.id}  ${s.label ?? '(no label)'}  [${s.selection ?? 'no selection'}]  (${s.reason})  →  yougotdata why ${s.id}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Over a range of nights, each notification's verdict night by night: the details of one night are `why --date N`. */
function rangeText(triages: readonly Triage[]): string {
  const blocks: string[] = [];
  for (const id of [...new Set(triages.map((t) => t.notification.id))]) {
    const own = triages.filter((t) => t.notification.id === id);
    const [first] = own as [Triage, ...Triage[]];
    const n = first.notification;
    const lines = [
      `#${n.id}${n.label ? ` ${n.label}` : ''} — ${profileOf(first.mode).name} mode, nights ${first.night}..${own.at(-1)?.night}`,
    ];
    for (const t of own) {
      lines.push(`  ${t.night}  ${verdictOf(t)}`);
      if (t.address) lines.push(`            Address: ${addressLine(t.address, t.mode, t.deliveries)}`);
      const advice = adviceOf(t);
      if (advice) lines.push(`            Next: ${advice}`);
    }
    lines.push(`  Every detail of one night: yougotdata why ${n.id} --date NIGHT${optionText(first.mode)}`);
    blocks.push(lines.join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

/**
 * What `why` prints: each match's triage (over a range, a verdict per night), or the near matches when nothing
 * matched. Every line escaped: rows and servers' replies may hold control characters a terminal would act on.
 */
export function whyText(answer: WhyAnswer, query: string): string {
  const footer =
    answer.more > 0
      ? `\n… and ${answer.more} more notifications match ${JSON.stringify(query)}: give an id, or more of the program id.\n`
      : '';
  const text =
    answer.triages.length === 0
      ? noMatchText(query, answer.suggestions)
      : answer.nights.length > 1
        ? rangeText(answer.triages) + footer
        : answer.triages.map(triageText).join(`\n${'─'.repeat(72)}\n\n`) + footer;
  return text
    .split('\n')
    .map((line) => escapeControls(line))
    .join('\n');
}

/** The one JSON document of `why --json`: `night` is one night or `A..B`, and each match carries its own. */
export function whyJson(answer: WhyAnswer, query: string, mode: Mode) {
  return {
    query,
    night: nightsText(answer.nights),
    mode,
    matches: answer.triages.map(triageJson),
    more: answer.more,
    suggestions: answer.suggestions,
  };
}
