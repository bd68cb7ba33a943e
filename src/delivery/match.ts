/**
 * Which message of the send record a report is about, decided from the reading and what the record holds, in the
 * order of docs/commands.md#bounce: the bounce token (its HMAC checked), the Original-Envelope-Id, a Message-ID of
 * this tool's anywhere in the report, the relay's queue id, then a failed address among recent sends (a probable
 * match). A token whose HMAC fails is forged: nothing else is tried, and nothing is marked.
 */
import { sameAddress } from '../addresses/index.js';
import type { ReportReading } from '../bounce/index.js';
import type { FoundSends, MatchedBy, SendHandles, SentMessage } from '../db/delivery-record.js';
import type { BounceTokens, TokenReading } from '../mail/bounce-token.js';

export type Match =
  | {
      state: 'matched';
      by: MatchedBy;
      sendId: number;
      /** The message's row; null in a dry run, which reads no database and trusts the token alone. */
      message: SentMessage | null;
      /** The recipient the report is about, when the handle names one (a token, a queue id of one transaction). */
      recipient: string | null;
    }
  /** `claimed`: the row the forged token names, as written; only a claim, maybe of no row at all. */
  | { state: 'forged'; claimed: string }
  | { state: 'unmatched' };

/** A probable match by address: a message sent within this many days before the report. */
const ADDRESS_MATCH_DAYS = 30;
const DAY = 86_400_000;

/**
 * The bounce token of the addresses the report was delivered to (the envelope recipient first): the first whose
 * HMAC holds; else a forged one, when any names a row; else none. Without BOUNCE_ADDRESS no token can be checked.
 */
export function tokenOf(reading: ReportReading, tokens: Pick<BounceTokens, 'read'> | null): TokenReading {
  if (!tokens) return { kind: 'none' };
  let forged: TokenReading | null = null;
  for (const { address } of reading.deliveryAddresses) {
    const read = tokens.read(address);
    if (read.kind === 'valid') return read;
    if (read.kind === 'forged') forged ??= read;
  }
  return forged ?? { kind: 'none' };
}

/** The addresses a report is about: failed and delayed recipients (as sent and as failed), complainants, a responder. */
export function reportedAddresses(reading: ReportReading): string[] {
  const addresses = reading.recipients.flatMap((r) => [r.address, ...(r.originalRecipient ? [r.originalRecipient] : [])]);
  addresses.push(...(reading.complaint?.complainants ?? []));
  if (reading.autoReply?.responder) addresses.push(reading.autoReply.responder);
  return [...new Set(addresses)];
}

/** What to look the report's message up by; `at` is when the report was written. */
export function handlesOf(reading: ReportReading, token: TokenReading, at: Date): SendHandles {
  const messageIds = [...(reading.envelopeId ? [reading.envelopeId] : []), ...reading.returnedMessageIds, ...reading.referencedMessageIds];
  return {
    sendId: token.kind === 'valid' ? token.sendId : null,
    messageIds: [...new Set(messageIds)],
    queueIds: reading.queueIds,
    addresses: reportedAddresses(reading),
    // A report comes after its message; an hour's leeway for clocks that disagree.
    sentBetween: { from: new Date(at.getTime() - ADDRESS_MATCH_DAYS * DAY), to: new Date(at.getTime() + 3_600_000) },
  };
}

/** The recipient of a message a handle names: the one it was sent to alone. */
const onlyRecipient = (message: SentMessage): string | null => (message.recipients.length === 1 ? (message.recipients[0] ?? null) : null);

const matched = (by: MatchedBy, message: SentMessage, recipient: string | null): Match => ({
  state: 'matched',
  by,
  sendId: message.id,
  message,
  recipient: recipient ?? onlyRecipient(message),
});

/**
 * The message the report is about, by the first handle that finds one. `found` is null in a dry run: only a valid
 * token matches then, by its row id.
 */
export function matchReport(reading: ReportReading, token: TokenReading, found: FoundSends | null): Match {
  if (token.kind === 'forged') return { state: 'forged', claimed: token.claimed };
  if (token.kind === 'valid') {
    if (!found) return { state: 'matched', by: 'token', sendId: token.sendId, message: null, recipient: null };
    if (found.byId?.id === token.sendId) return matched('token', found.byId, found.byId.recipients[token.recipient] ?? null);
  }
  if (!found) return { state: 'unmatched' };
  const { envelopeId } = reading;
  const byEnvelope = envelopeId ? found.byMessageId.find((m) => m.messageId === envelopeId) : undefined;
  if (byEnvelope) return matched('envelope-id', byEnvelope, null);
  const quoted = new Set([...reading.returnedMessageIds, ...reading.referencedMessageIds]);
  const byMessageId = found.byMessageId.find((m) => quoted.has(m.messageId));
  if (byMessageId) return matched('message-id', byMessageId, null);
  for (const queueId of reading.queueIds) {
    for (const message of found.byQueueId) {
      const transaction = message.relay.find((r) => r.queueId === queueId);
      if (transaction)
        return matched('queue-id', message, transaction.recipients.length === 1 ? (transaction.recipients[0] ?? null) : null);
    }
  }
  const addresses = reportedAddresses(reading);
  for (const message of found.byAddress) {
    const recipient = message.accepted.find((a) => addresses.some((address) => sameAddress(a, address)));
    if (recipient) return matched('address', message, recipient);
  }
  return { state: 'unmatched' };
}
