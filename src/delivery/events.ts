/**
 * What a matched report says about each address the job sent to: one event per recipient it names. The event is
 * filed under the address as the job sent it (the token's recipient, or the report's Original-Recipient), so a
 * PI's old address that forwards to a dead one is the address support is shown and fixes.
 */
import { sameAddress } from '../addresses/index.js';
import type { ReportReading } from '../bounce/index.js';
import type { EventEntry, SentMessage } from '../db/delivery-record.js';
import type { Match } from './match.js';

type Matched = Extract<Match, { state: 'matched' }> & { message: SentMessage };

/** The address the job sent to that a reported address stands for; `fallback` when it sent to none of them. */
function sentAs(match: Matched, candidates: readonly (string | null)[], fallback: string): string {
  if (match.recipient) return match.recipient;
  for (const candidate of candidates) {
    const sent = candidate ? match.message.recipients.find((r) => sameAddress(r, candidate)) : undefined;
    if (sent) return sent;
  }
  return fallback;
}

/** The events of a report matched to its message; `at` is when the report was written. */
export function eventsOf(reading: ReportReading, match: Matched, at: Date): EventEntry[] {
  const base = { sendId: match.sendId, occurredAt: at };
  const answer = (action: 'auto-replied' | 'complained', address: string): EventEntry => ({
    ...base,
    address: sentAs(match, [address], address),
    finalRecipient: address,
    action,
    status: null,
    replyCode: null,
    class: null,
    hard: false,
    diagnostic: null,
    remoteMta: null,
  });
  let events: EventEntry[];
  switch (reading.kind) {
    case 'bounce':
    case 'delay':
      events = reading.recipients.map((r) => ({
        ...base,
        address: sentAs(match, [r.originalRecipient, r.address], r.address),
        finalRecipient: r.address,
        action: r.action,
        status: r.status,
        replyCode: r.replyCode,
        class: r.class,
        hard: r.hard,
        diagnostic: r.diagnostic,
        remoteMta: r.remoteMta,
      }));
      break;
    case 'auto-reply': {
      const responder = reading.autoReply?.responder ?? match.recipient;
      events = responder ? [answer('auto-replied', responder)] : [];
      break;
    }
    case 'complaint': {
      const complainants = reading.complaint?.complainants ?? [];
      events = (complainants.length > 0 ? complainants : match.recipient ? [match.recipient] : []).map((a) => answer('complained', a));
      break;
    }
    default:
      events = [];
  }
  // One event per failed address of a report (the record's key): the first the report names.
  const seen = new Set<string>();
  return events.filter((event) => {
    const key = event.finalRecipient.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
