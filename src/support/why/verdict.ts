/**
 * `why`'s answer for one notification and night, decided from the facts without I/O: what happened, in one
 * sentence, and the one thing support should do next. Printing them is `output.ts`'s.
 */
import { sameAddress } from '../../addresses/index.js';
import type { DeliveryEvent } from '../../db/delivery-record.js';
import type { MessageRecord } from '../../db/send-record.js';
import { ACTION_WORD, bouncingText, eventDetails } from '../../delivery/wording.js';
import { profileOf, sendCommandFor } from '../../domain/mode.js';
import { subjectFor } from '../../mail/subject.js';
import { plural, sentence } from '../../text/words.js';
import { FIELD_ROLE, type FixChange, fixAdvice, type ProblemField } from '../program-sync.js';
import { newestFirst, type Triage } from './facts.js';

const quote = (text: string) => JSON.stringify(text);

/** `08:00:12 UTC on 2026-11-26` */
export function clockTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(11, 19)} UTC on ${iso.slice(0, 10)}`;
}

/**
 * `bounced at 19:14:48 UTC on 2026-12-07: "550 5.1.1 …" (5.1.1: the address does not exist; from 127.0.0.1)`: one
 * report about one recipient, as support reads it.
 */
export function eventText(event: DeliveryEvent): string {
  const said = event.diagnostic ? `: ${quote(event.diagnostic)}` : '';
  const details = eventDetails(event);
  return `${ACTION_WORD[event.action]} at ${clockTime(event.occurredAt)}${said}${details ? ` (${details})` : ''}`;
}

const rerunCommand = (t: Pick<Triage, 'night' | 'mode' | 'notification'>): string => sendCommandFor(t.night, t.mode, t.notification.id);

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
  const { messages, outcome, runs } = t.record;
  const latestFirst = newestFirst(messages);
  const sent = latestFirst.filter((m) => m.status === 'sent');
  const latestSent = sent[0];
  if (latestSent) {
    const clauses = [sentClause(latestSent) + (sent.length > 1 ? ` (the latest of ${sent.length} messages for the night)` : '')];
    for (const { address, last } of t.deliveries) {
      if (last && (last.action === 'failed' || last.action === 'delayed') && messages.some((m) => m.id === last.sendId))
        clauses.push(`then ${address} ${eventText(last)}`);
    }
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
  const { name: mode, server } = profileOf(t.mode);
  if (outcome) {
    const at = clockTime(outcome.checkedAt);
    switch (outcome.status) {
      case 'no-data':
        return (
          `nothing sent: the ${server.shortName} ` +
          `had no files for ${t.notification.selection ?? 'the selection'} on night ${t.night} when the ${mode} run checked at ${at}`
        );
      case 'invalid-selection':
        return `nothing sent: the ${mode} run at ${at} found the selection invalid: ${outcome.error ?? 'no reason recorded'}`;
      case 'no-recipients': {
        const rejected = outcome.rejected.length > 0 ? ` (rejected: ${outcome.rejected.map(quote).join(', ')})` : '';
        return `nothing sent: the ${mode} run at ${at} found no valid address in ${profileOf(t.mode).to}${rejected}`;
      }
      case 'failed':
        return `not sent: the ${mode} run at ${at} failed: ${outcome.error ?? 'no reason recorded'}`;
      case 'already-sent':
        return `nothing new to send when the ${mode} run checked at ${at}: every file had been announced before`;
      default:
        return `the ${mode} run at ${at} recorded ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`;
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
  const recorded = t.record.state === 'present' ? t.record.outcome?.status : undefined;
  const server = profileOf(t.mode).server.shortName;
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
    clauses.push(`there is no valid address in ${profileOf(t.mode).to}${rejected}, so nothing is sent`);
  }
  const unannounced = t.archive.unannounced.length;
  if (unannounced > 0 && !noTo) {
    const of =
      unannounced === t.archive.files
        ? plural(unannounced, 'file')
        : `${plural(t.archive.files, 'file')}, ${unannounced} not yet announced`;
    clauses.push(`the ${server} has ${of} for it now: \`${rerunCommand(t)}\` sends them`);
  }
  const saidNoData = recorded === 'no-data' || (t.record.state === 'present' && t.record.messages.length > 0);
  if (t.archive.files === 0 && !saidNoData) clauses.push(`the ${server} has no files for it on night ${t.night}`);
  return clauses;
}

/** Recipients that bounce now, unless the record clause told of it already (a bounce of this night's message). */
function bouncingClauses(t: Triage): string[] {
  const ofThisNight = (sendId: number | null) => t.record.state === 'present' && t.record.messages.some((m) => m.id === sendId);
  return t.deliveries.flatMap(({ address, standing }) =>
    standing.bouncing && !ofThisNight(standing.latest.sendId)
      ? [`${address} bounces (${bouncingText(standing)}): it ${eventText(standing.latest)}`]
      : [],
  );
}

/** The answer in one sentence, e.g. "Sent at 08:00:12 UTC on 2026-11-26 to a@x, b@y; c@z refused: 550 no such user." */
export function verdictOf(t: Triage): string {
  const clauses = [recordClause(t), ...nowClauses(t), ...bouncingClauses(t)].filter((c): c is string => c !== undefined && c !== '');
  return sentence(clauses.join('; '));
}

/** ` (the relay's queue ids: 4XyZ for a@x, 4XzA for b@y)`, when the relay named them. */
function queueIdsOf(message: MessageRecord): string {
  const named = message.relay.filter((r) => r.queueId !== null);
  if (named.length === 0) return '';
  const each = named.map((r) => `${r.queueId} for ${r.recipients.join(', ')}`);
  return ` (the relay's queue ${named.length === 1 ? 'id' : 'ids'}: ${each.join('; ')})`;
}

/** Correct or remove addresses the mail server refused or that bounce, in the column they are in, where the fix lasts. */
function fixAddresses(t: Triage, addresses: readonly string[], what: 'refused' | 'bouncing'): string {
  const list = addresses.join(', ');
  const where = t.fields.find((f) => f.addresses.some((a) => addresses.some((address) => sameAddress(address, a.address))))?.field ?? null;
  const column = where ? ` in ${where}` : " in the notification's email fields";
  const role = where ? `the ${FIELD_ROLE[where]} email address` : 'the email address';
  return fixAdvice(t.notification, where, {
    row: `correct or remove the ${what} ${addresses.length === 1 ? 'address' : 'addresses'} ${list}${column}`,
    source: `correct or remove ${role} ${list}${what === 'bouncing' ? (addresses.length === 1 ? ' (it bounces)' : ' (they bounce)') : ''}`,
  }).fix;
}

/** The one thing support should do next, if there is one. */
export function adviceOf(t: Triage): string | null {
  const field = profileOf(t.mode).to;
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
  const refused = (latest?.refused ?? []).map((r) => r.address);
  if (refused.length > 0) return fixAddresses(t, refused, 'refused');
  const newest = newestFirst(t.record.messages)[0];
  if (newest?.status === 'unknown') {
    return `search the mail server's log for ${newest.messageId}; if it never arrived, the next run sends it, or now: ${rerunCommand(t)}`;
  }
  const bouncing = t.deliveries.filter((d) => d.standing.bouncing).map((d) => d.address);
  if (bouncing.length > 0) return fixAddresses(t, bouncing, 'bouncing');
  if (t.archive.state === 'answered' && t.archive.unannounced.length > 0) return `send the files not yet announced: ${rerunCommand(t)}`;
  if (latest) {
    const subject = subjectFor(t.mode, t.selection.state === 'valid' ? t.selection.text : (t.notification.selection ?? '').trim());
    return (
      `the mail server accepted the message: ask the recipients to look in spam and mail filters for the subject ${quote(subject)}, ` +
      `or search the mail server's log for ${latest.messageId}${queueIdsOf(latest)}`
    );
  }
  if (t.record.runs.length === 0 && t.record.outcome === null) return 'check that cron runs the job: `yougotdata history`';
  if (t.archive.state === 'failed' || t.record.outcome?.status === 'failed') return `try again now: ${rerunCommand(t)}`;
  return null;
}
