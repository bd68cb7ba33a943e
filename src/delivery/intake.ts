/**
 * One message that came to the bounce address, taken in: read (src/bounce), matched to the send record, read again
 * knowing whom that message went to, and recorded once with an event per recipient (docs/commands.md#bounce).
 * What matches nothing, a forged token, and anything that is not a report about this job's mail are kept whole (up
 * to KEPT_LIMIT) for a person. Nothing here suppresses sending: an address is fixed at its source.
 */
import {
  type Envelope,
  emptyReading,
  type ProblemCode,
  type ReportReading,
  readReport,
  readsOtherwiseKnowingSentTo,
} from '../bounce/index.js';
import { isDatabaseError } from '../db/database.js';
import type { DeliveryRecord, EventEntry, ReportEntry } from '../db/delivery-record.js';
import type { BounceTokens } from '../mail/bounce-token.js';
import { eventsOf } from './events.js';
import { handlesOf, type Match, matchReport, tokenOf } from './match.js';
import { reportIdentity } from './report-identity.js';

/** A message as a source hands it over. */
export interface RawReport {
  /** The message, or its head when it was larger than a source reads. */
  bytes: Uint8Array;
  /** The message's whole size in bytes. */
  size: number;
  /** Where it came from: `stdin`, a file's path, `imap://host/INBOX;UID=7`. */
  source: string;
  /** What the mail server told a pipe about the delivery (RECIPIENT, ORIGINAL_RECIPIENT). */
  envelope: Envelope;
}

export interface IntakePorts {
  tokens: Pick<BounceTokens, 'read'> | null;
  /** Null in a dry run: nothing is looked up or recorded, and only a valid token matches. */
  record: Pick<DeliveryRecord, 'findSends' | 'record'> | null;
  now: () => Date;
}

/** What became of a message: its report and events recorded, kept for a person, read before, or (dry run) nothing. */
export type Outcome = 'recorded' | 'kept' | 'forged' | 'already-recorded' | 'not-recorded';

export interface IntakeProblem {
  /** The reader's problems, a forged token, a token naming a row the record no longer has, or a fault reading this message. */
  code: ProblemCode | 'forged-token' | 'deleted-send';
  detail: string;
}

export interface TakenReport {
  source: string;
  size: number;
  reading: ReportReading;
  match: Match;
  events: EventEntry[];
  outcome: Outcome;
  /** The report's row; null in a dry run. */
  report: number | null;
  /** For a person to look at: it matched nothing, its token is forged, or it is not a report about mail sent. */
  kept: boolean;
  problems: IntakeProblem[];
}

/** Of a message kept for a person, this much is stored: the report comes first, the rest is what was returned. */
const KEPT_LIMIT = 1024 * 1024;

/** Kinds that say something about a delivery: the others are for a person whatever they match. */
const ABOUT_DELIVERY = new Set(['bounce', 'delay', 'auto-reply', 'complaint']);

/** When the report was written: its Date, unless missing or in the future; else when it was read. */
export function writtenAt(reading: ReportReading, now: Date): Date {
  const date = reading.date ? new Date(reading.date) : null;
  return date && !Number.isNaN(date.getTime()) && date.getTime() <= now.getTime() + 3_600_000 ? date : now;
}

function problemsOf(raw: RawReport, reading: ReportReading, match: Match, deletedSend: number | null): IntakeProblem[] {
  const problems: IntakeProblem[] = [...reading.problems];
  if (raw.size > raw.bytes.byteLength && !problems.some((p) => p.code === 'too-large')) {
    problems.push({ code: 'too-large', detail: `the message has ${raw.size} bytes; the first ${raw.bytes.byteLength} were read` });
  }
  if (match.state === 'forged') {
    const detail = `its token names send record row ${match.claimed}, but its signature is wrong (forged, or cut short on the way)`;
    problems.push({ code: 'forged-token', detail });
  }
  if (deletedSend !== null) {
    problems.push({ code: 'deleted-send', detail: `its token names send record row ${deletedSend}, which the record no longer has` });
  }
  return problems;
}

async function take(raw: RawReport, ports: IntakePorts, now: Date): Promise<TakenReport> {
  const first = await readReport(raw.bytes, { envelope: raw.envelope });
  const token = tokenOf(first, ports.tokens);
  const at = writtenAt(first, now);
  const found = ports.record ? await ports.record.findSends(handlesOf(first, token, at)) : null;
  const match = matchReport(first, token, found);
  const message = match.state === 'matched' ? match.message : null;
  // docs/bounces.md#sources: knowing whom the message went to, a report's wording is read for those addresses only.
  const reading =
    match.state === 'matched' && message && readsOtherwiseKnowingSentTo(first)
      ? await readReport(raw.bytes, { envelope: raw.envelope, sentTo: match.recipient ? [match.recipient] : message.recipients })
      : first;
  const events = match.state === 'matched' && message ? eventsOf(reading, { ...match, message }, at) : [];
  const deletedSend = token.kind === 'valid' && found && found.byId === null ? token.sendId : null;
  const problems = problemsOf(raw, reading, match, deletedSend);
  const kept = match.state !== 'matched' || !ABOUT_DELIVERY.has(reading.kind);
  const taken = { source: raw.source, size: raw.size, reading, match, events, kept, problems };
  if (!ports.record) return { ...taken, outcome: 'not-recorded', report: null };
  const entry: ReportEntry = {
    identity: reportIdentity(raw.bytes, first.messageId),
    messageId: first.messageId,
    kind: reading.kind,
    matchedBy: match.state === 'matched' ? match.by : match.state === 'forged' ? 'forged' : null,
    // A forged token's row is only a claim (problems says it): it may name no row, or a number no row id can be.
    sendId: match.state === 'matched' ? match.sendId : null,
    source: raw.source,
    reportedAt: reading.date ? at : null,
    size: raw.size,
    problems,
    kept,
    raw: kept ? raw.bytes.subarray(0, KEPT_LIMIT) : null,
  };
  const recording = await ports.record.record(entry, events);
  if (recording.state === 'already-recorded')
    return { ...taken, kept: recording.kept, outcome: 'already-recorded', report: recording.report };
  const outcome: Outcome = match.state === 'forged' ? 'forged' : kept ? 'kept' : 'recorded';
  return { ...taken, outcome, report: recording.report };
}

/**
 * Takes one message in. A message this code fails on (a bug, not the database) is kept whole, marked `unexpected`,
 * so the mail server never bounces a bounce back; a database fault is thrown, for the caller to try again later.
 */
export async function takeReport(raw: RawReport, ports: IntakePorts): Promise<TakenReport> {
  const now = ports.now();
  try {
    return await take(raw, ports, now);
  } catch (error) {
    if (!ports.record || isDatabaseError(error)) throw error;
    const detail = `yougotdata could not read it: ${(error as Error)?.message ?? String(error)}`;
    const problems = [{ code: 'unexpected' as const, detail }];
    const recording = await ports.record.record(
      {
        identity: reportIdentity(raw.bytes, null),
        messageId: null,
        kind: 'unreadable',
        matchedBy: null,
        sendId: null,
        source: raw.source,
        reportedAt: null,
        size: raw.size,
        problems,
        kept: true,
        raw: raw.bytes.subarray(0, KEPT_LIMIT),
      },
      [],
    );
    return {
      source: raw.source,
      size: raw.size,
      reading: emptyReading('unreadable', problems),
      match: { state: 'unmatched' },
      events: [],
      outcome: recording.state === 'already-recorded' ? 'already-recorded' : 'kept',
      report: recording.report,
      kept: true,
      problems,
    };
  }
}
