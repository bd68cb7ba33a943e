/** How support's commands and the digest name what a report said (docs/bounces.md#classes), in the same words. */
import type { FailureClass } from '../bounce/index.js';
import type { DeliveryEvent, EventAction } from '../db/delivery-record.js';
import { SOFT_DAYS, type Standing } from './standing.js';

/** What each class means for the person who reads it. */
const CLASS_MEANING: Record<FailureClass, string> = {
  'dead-address': 'the address does not exist',
  'mailbox-full': 'the mailbox is full',
  policy: "the receiving server refused our server's mail (its address, name or signature): for IT, not the recipient",
  'spam-block': 'refused as spam or by a filter',
  expired: 'the relay gave up retrying',
  other: 'a failure the report does not explain',
};

export const ACTION_WORD: Record<EventAction, string> = {
  failed: 'bounced',
  delayed: 'was delayed',
  'auto-replied': 'answered automatically (the mailbox works)',
  complained: 'complained (marked as spam, or unsubscribed)',
};

/** `5.1.1: the address does not exist; from mx.uni.edu`: a report's code, what its class means, and who wrote it. */
export function eventDetails(event: Pick<DeliveryEvent, 'status' | 'class' | 'remoteMta'>): string {
  const meaning = [event.status, event.class ? CLASS_MEANING[event.class] : null].filter(Boolean).join(': ');
  return [meaning, event.remoteMta ? `from ${event.remoteMta}` : null].filter(Boolean).join('; ');
}

/** `a dead address since the last delivery that went through` / `3 soft failures in 14 days`; null when not bouncing. */
export function bouncingText(standing: Standing): string | null {
  if (!standing.bouncing) return null;
  const since = standing.lastClean ? 'since the last delivery that went through' : 'and no delivery has gone through since';
  return standing.reason === 'dead-address'
    ? `a dead address ${since}`
    : `${standing.count} soft failures in ${SOFT_DAYS} days (${CLASS_MEANING[standing.latest.class ?? 'other']})`;
}
