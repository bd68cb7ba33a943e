/**
 * `yougotdata why`: what support needs to answer "why didn't I get my email?" for one notification and
 * night, gathered by the command (src/cli/why.ts) as facts, and turned here, without I/O, into a
 * one-sentence verdict, a next step, the text a person reads and the JSON a script reads.
 */

import { sameAddress } from '../addresses/index.js';
import { SCOPE_NOUN, type SelectionScope } from '../archive/selection.js';
import type { RunEntry } from '../db/run-log.js';
import type { CheckedNight, MessageRecord } from '../db/send-record.js';
import { MODE_NAME, type Mode, sendCommandFor } from '../domain/mode.js';
import { type Night, nightsText, utcStamp } from '../domain/night.js';
import type { EmailField, Notification } from '../domain/notification.js';
import { subjectFor } from '../mail/subject.js';
import { escapeControls } from '../text/escape.js';
import { plural, sentence, someOf } from '../text/words.js';
import { FIELD_ROLE, type FixChange, fixAdvice, type ProblemField } from './audit-fix.js';
import type { NearMatch } from './near-matches.js';
import { totalsText } from './run-history.js';
import type { WhyAnswer } from './why.js';

/** How one email field of the row parses. */
export interface FieldReading {
  field: EmailField;
  stored: string | null;
  addresses: { name: string | null; address: string }[];
  rejected: string[];
}

export type SelectionFinding =
  | { state: 'valid'; text: string; scope: SelectionScope; checkedBy: 'grammar' | 'archive' }
  | { state: 'invalid'; reason: string; checkedBy: 'grammar' | 'archive' }
  /** A term only the server can confirm, and the server's summary page could not be read. */
  | { state: 'unconfirmed'; unknownTerms: string[]; error: string };

/** What the archive (PI) or summit server (CHECK) returns now for the selection and night. */
export type ArchiveFinding =
  | {
      state: 'answered';
      /** The search the job makes (`/jsonsummary/…`). */
      url: string;
      /** The same search for a browser (`/searchform/…`). */
      searchUrl: string;
      files: number;
      /** program id → files; `(none)` for files without one. */
      programs: Record<string, number>;
      qaStates: Record<string, number>;
      /** Programs of returned files outside the selection's program, observation or data label. */
      foreignPrograms: string[];
      /** Files of the answer the send record has never announced to this notification for this mode. */
      unannounced: string[];
    }
  | { state: 'failed'; url: string; searchUrl: string; error: string }
  | { state: 'not-asked'; why: string };

export type RecordFinding =
  /** The tool's tables do not exist: `migrate` never ran, so nothing was ever sent by this tool. */
  { state: 'absent' } | { state: 'present'; runs: RunEntry[]; check: CheckedNight | null; messages: MessageRecord[] };

/** Everything `why` found out about one notification for one night and mode. */
export interface Triage {
  notification: Notification;
  night: Night;
  mode: Mode;
  fields: FieldReading[];
  /** After de-duplication, as the run would address the message. */
  recipients: { to: string[]; cc: string[]; rejected: string[] };
  selection: SelectionFinding;
  /** Whether the archive was asked although the job never would (an invalid selection): to show what it would have got. */
  archiveAskedAnyway: boolean;
  archive: ArchiveFinding;
  record: RecordFinding;
  /** When `why` was asked about an address: what became of it in this notification's night. */
  address?: AddressFate;
}

/** One address's part in a notification's night: where it is written, how the run addresses it, what the server did. */
export interface AddressFate {
  address: string;
  fields: EmailField[];
  role: 'to' | 'cc' | 'none';
  outcome: { state: 'accepted'; at: Date | null } | { state: 'refused'; reply: string } | { state: 'not-sent' };
}

const toField = (mode: Mode): EmailField => (mode === 'pi' ? 'piemail' : 'csemail');
const quote = (text: string) => JSON.stringify(text);

/** `08:00:12 UTC on 2026-11-26` */
export function clockTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(11, 19)} UTC on ${iso.slice(0, 10)}`;
}

const rerunCommand = (t: Pick<Triage, 'night' | 'mode' | 'notification'>): string => sendCommandFor(t.night, t.mode, t.notification.id);

/** The night's messages, latest first (by id when two were created in the same instant). */
export const newestFirst = (messages: readonly MessageRecord[]): MessageRecord[] =>
  [...messages].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);

/** "sent at … to a, b (and 1 Bcc); c refused: 550 …" for one delivered message. */
function sentClause(message: MessageRecord): string {
  const visible = [...message.to, ...message.cc];
  const accepted = visible.filter((address) => message.accepted.some((a) => sameAddress(a, address)));
  const hidden = message.accepted.filter((a) => !visible.some((address) => sameAddress(a, address))).length;
  const when = message.sentAt ? `at ${clockTime(message.sentAt)}` : '(time not recorded)';
  const to = accepted.length > 0 ? ` to ${accepted.join(', ')}` : ' to no visible recipient';
  const parts = [`sent ${when}${to}${hidden > 0 ? ` (and ${plural(hidden, 'Bcc')})` : ''}`];
  for (const refusal of message.refused) parts.push(`${refusal.address} refused: ${refusal.reply}`);
  return parts.join('; ');
}

/** A message in status `unknown`. */
const UNANSWERED = 'went to the mail server whole and no reply came (nothing confirmed its delivery)';

/** What the send record says happened: undefined when it says nothing about this notification and night. */
function recordClause(t: Triage): string | undefined {
  if (t.record.state === 'absent') {
    return "no send record yet: the tool's tables do not exist (`yougotdata migrate` never ran), so this tool has sent nothing";
  }
  const { messages, check, runs } = t.record;
  const latestFirst = newestFirst(messages);
  const sent = latestFirst.filter((m) => m.status === 'sent');
  const latestSent = sent[0];
  if (latestSent) {
    const clauses = [sentClause(latestSent) + (sent.length > 1 ? ` (the latest of ${sent.length} messages for the night)` : '')];
    for (const later of latestFirst.filter((m) => m.createdAt > latestSent.createdAt)) {
      if (later.status === 'failed')
        clauses.push(`a later message failed at ${clockTime(later.createdAt)}: ${later.error ?? 'no reason recorded'}`);
      if (later.status === 'unknown') clauses.push(`a later message ${UNANSWERED} at ${clockTime(later.createdAt)}`);
      if (later.status === 'sending')
        clauses.push(
          `a later message was being handed to the mail server at ${clockTime(later.createdAt)} ` +
            'when its run stopped (the next run sends it again)',
        );
    }
    return clauses.join('; ');
  }
  const latest = latestFirst[0];
  if (latest?.status === 'unknown') {
    return `the message ${UNANSWERED} at ${clockTime(latest.createdAt)}: it may have arrived, and the next run sends it once more`;
  }
  if (latest?.status === 'failed') {
    return `not sent: ${latest.error ?? 'the mail server failed'} (tried at ${clockTime(latest.createdAt)}; the next run tries again)`;
  }
  if (latest?.status === 'sending') {
    return (
      `a message was being handed to the mail server at ${clockTime(latest.createdAt)} when its run stopped: ` +
      'it may not have arrived, and the next run sends it again'
    );
  }
  const mode = MODE_NAME[t.mode];
  if (check) {
    const at = clockTime(check.checkedAt);
    switch (check.status) {
      case 'no-data':
        return (
          `nothing sent: the ${t.mode === 'pi' ? 'archive' : 'summit server'} ` +
          `had no files for ${t.notification.selection ?? 'the selection'} on night ${t.night} when the ${mode} run checked at ${at}`
        );
      case 'invalid-selection':
        return `nothing sent: the ${mode} run at ${at} found the selection invalid: ${check.error ?? 'no reason recorded'}`;
      case 'no-recipients': {
        const rejected = check.rejected.length > 0 ? ` (rejected: ${check.rejected.map(quote).join(', ')})` : '';
        return `nothing sent: the ${mode} run at ${at} found no valid address in ${toField(t.mode)}${rejected}`;
      }
      case 'failed':
        return `not sent: the ${mode} run at ${at} failed: ${check.error ?? 'no reason recorded'}`;
      case 'already-sent':
        return `nothing new to send when the ${mode} run checked at ${at}: every file had been announced before`;
      default:
        return `the ${mode} run at ${at} recorded ${check.status}${check.error ? `: ${check.error}` : ''}`;
    }
  }
  const unfinished = runs.filter((run) => run.finishedAt === null);
  const lastRun = runs.at(-1);
  if (lastRun && unfinished.length === runs.length) {
    return (
      `the ${mode} run for night ${t.night} started at ${clockTime(lastRun.startedAt)} has no end: ` +
      'it crashed or is still running (see `yougotdata history`)'
    );
  }
  if (lastRun) {
    return (
      `the ${mode} run for night ${t.night} (started at ${clockTime(lastRun.startedAt)}) recorded nothing for this notification: ` +
      'it was added after that run, or the run stopped early'
    );
  }
  return `no ${mode} run for night ${t.night} is recorded: did cron run? (see \`yougotdata history\`)`;
}

/** What is wrong, or waiting, now: each a clause; none when a run now would have nothing to add. */
function nowClauses(t: Triage): string[] {
  const recorded = t.record.state === 'present' ? t.record.check?.status : undefined;
  const clauses: string[] = [];
  if (t.selection.state === 'invalid') {
    if (recorded !== 'invalid-selection') clauses.push(`the selection is invalid: ${t.selection.reason}, so nothing is sent`);
    return clauses;
  }
  if (t.selection.state === 'unconfirmed') return [`the archive could not confirm the selection now (${t.selection.error})`];
  if (t.archive.state === 'failed') return recorded === 'failed' ? [] : [`the archive search fails now: ${t.archive.error}`];
  if (t.archive.state !== 'answered') return clauses;
  if (t.archive.foreignPrograms.length > 0) {
    return [`the archive returns files of other programs now (${t.archive.foreignPrograms.join(', ')}), so nothing is sent`];
  }
  const noTo = t.recipients.to.length === 0;
  if (noTo && recorded !== 'no-recipients' && t.archive.files > 0) {
    const rejected = t.recipients.rejected.length > 0 ? ` (rejected: ${t.recipients.rejected.map(quote).join(', ')})` : '';
    clauses.push(`there is no valid address in ${toField(t.mode)}${rejected}, so nothing is sent`);
  }
  const unannounced = t.archive.unannounced.length;
  if (unannounced > 0 && !noTo) {
    const of =
      unannounced === t.archive.files
        ? plural(unannounced, 'file')
        : `${plural(t.archive.files, 'file')}, ${unannounced} not yet announced`;
    clauses.push(`the ${t.mode === 'pi' ? 'archive' : 'summit server'} has ${of} for it now: \`${rerunCommand(t)}\` sends them`);
  }
  const saidNoData = recorded === 'no-data' || (t.record.state === 'present' && t.record.messages.length > 0);
  if (t.archive.files === 0 && !saidNoData)
    clauses.push(`the ${t.mode === 'pi' ? 'archive' : 'summit server'} has no files for it on night ${t.night}`);
  return clauses;
}

/** The answer in one sentence, e.g. "Sent at 08:00:12 UTC on 2026-11-26 to a@x, b@y; c@z refused: 550 no such user." */
export function verdictOf(t: Triage): string {
  const clauses = [recordClause(t), ...nowClauses(t)].filter((c): c is string => c !== undefined && c !== '');
  return sentence(clauses.join('; '));
}

/** The one thing support should do next, if there is one. */
export function adviceOf(t: Triage): string | null {
  const field = toField(t.mode);
  // Where the fix must be made to last (a synced row's addresses come from the program's record): as `audit` says.
  const fix = (about: ProblemField, change: FixChange) => fixAdvice(t.notification, about, change).fix;
  if (t.selection.state === 'invalid') return fix('selection', { row: 'correct the selection; nothing is sent until then', source: '' });
  if (t.record.state === 'absent') return 'run `yougotdata migrate` once, then the daily `yougotdata send` (cron)';
  if (t.archive.state === 'answered' && t.archive.foreignPrograms.length > 0)
    return "report the archive answer to the archive team; nothing is sent while it returns other programs' files";
  if (t.recipients.to.length === 0) {
    return fix(field, { row: `put the ${FIELD_ROLE[field]}'s address in ${field}`, source: `add a ${FIELD_ROLE[field]} email address` });
  }
  const latest = newestFirst(t.record.messages).find((m) => m.status === 'sent');
  const refused = latest?.refused ?? [];
  if (refused.length > 0) {
    const addresses = refused.map((r) => r.address).join(', ');
    const where = t.fields.find((f) => f.addresses.some((a) => refused.some((r) => sameAddress(r.address, a.address))))?.field ?? null;
    const column = where ? ` in ${where}` : " in the notification's email fields";
    const role = where ? `the ${FIELD_ROLE[where]} email address` : 'the email address';
    return fix(where, {
      row: `correct or remove the refused ${refused.length === 1 ? 'address' : 'addresses'} ${addresses}${column}`,
      source: `correct or remove ${role} ${addresses}`,
    });
  }
  const newest = newestFirst(t.record.messages)[0];
  if (newest?.status === 'unknown') {
    return `search the mail server's log for ${newest.messageId}; if it never arrived, the next run sends it, or now: ${rerunCommand(t)}`;
  }
  if (t.archive.state === 'answered' && t.archive.unannounced.length > 0) return `send the files not yet announced: ${rerunCommand(t)}`;
  if (latest) {
    const subject = subjectFor(t.mode, t.selection.state === 'valid' ? t.selection.text : (t.notification.selection ?? '').trim());
    return (
      `the mail server accepted the message: ask the recipients to look in spam and mail filters for the subject ${quote(subject)}, ` +
      `or search the mail server's log for ${latest.messageId}`
    );
  }
  if (t.record.runs.length === 0 && t.record.check === null) return 'check that cron runs the job: `yougotdata history`';
  if (t.archive.state === 'failed' || t.record.check?.status === 'failed') return `try again now: ${rerunCommand(t)}`;
  return null;
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

const shownValue = (value: string | null) => (value === null ? 'NULL' : quote(value));

/** `jane@uni.edu is in piemail (To): accepted by the mail server at 08:00:12 UTC on 2026-11-26` */
function addressLine(fate: AddressFate, mode: Mode): string {
  const where = fate.fields.length > 0 ? `is in ${fate.fields.join(' and ')}` : 'is in none of the email fields';
  const role = fate.role === 'to' ? ' (To)' : fate.role === 'cc' ? ' (Cc)' : `, which ${MODE_NAME[mode]} mode does not mail`;
  const outcome =
    fate.outcome.state === 'accepted'
      ? `accepted by the mail server${fate.outcome.at ? ` at ${clockTime(fate.outcome.at)}` : ''}`
      : fate.outcome.state === 'refused'
        ? `refused by the mail server: ${fate.outcome.reply}`
        : 'not sent to this night';
  return `${fate.address} ${where}${role}: ${outcome}`;
}

/** The text `why` prints for one notification. */
export function triageText(t: Triage): string {
  const n = t.notification;
  const lines: string[] = [];
  lines.push(`#${n.id}${n.label ? ` ${n.label}` : ''} — ${MODE_NAME[t.mode]} mode, night ${t.night}`);
  lines.push(`Verdict: ${verdictOf(t)}`);
  if (t.address) lines.push(`Address: ${addressLine(t.address, t.mode)}`);
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

  lines.push('', `Email fields (${t.mode === 'pi' ? 'To piemail; Cc ngoemail and csemail' : 'To csemail only'}):`);
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
    `${t.mode === 'pi' ? 'Archive' : 'Summit server'} now` +
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

  lines.push('', `Send record (${MODE_NAME[t.mode]}, night ${t.night}):`);
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
    if (r.check) {
      const c = r.check;
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
      for (const refusal of m.refused) lines.push(`    refused: ${refusal.address} (${refusal.reply})`);
      if (m.error) lines.push(`    error: ${m.error}`);
      lines.push(`    files (${m.files.length})${m.status === 'sent' ? ' announced by it' : ''}: ${someOf(m.files, 10)}`);
    }
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
    record:
      r.state === 'absent'
        ? { exists: false, runs: [], check: null, messages: [] }
        : {
            exists: true,
            runs: r.runs.map((run) => ({ ...run, startedAt: iso(run.startedAt), finishedAt: iso(run.finishedAt) })),
            check: r.check ? { ...r.check, checkedAt: iso(r.check.checkedAt) } : null,
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
    const lines = [`#${n.id}${n.label ? ` ${n.label}` : ''} — ${MODE_NAME[first.mode]} mode, nights ${first.night}..${own.at(-1)?.night}`];
    for (const t of own) {
      lines.push(`  ${t.night}  ${verdictOf(t)}`);
      if (t.address) lines.push(`            Address: ${addressLine(t.address, t.mode)}`);
      const advice = adviceOf(t);
      if (advice) lines.push(`            Next: ${advice}`);
    }
    lines.push(`  Every detail of one night: yougotdata why ${n.id} --date NIGHT${first.mode === 'check' ? ' --check' : ''}`);
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
