/**
 * Whether an address is bouncing (docs/commands.md#bounce): after one dead-address failure since the last clean
 * delivery to it, or three soft ones in 14 days. A clean delivery is a message the server accepted for the address,
 * settled for an hour, about which no failure came back: it clears what came before. Failures that say nothing
 * about the address (our server blocked, the content refused: `policy`, `spam-block`) never count; neither do
 * delays, auto-replies and complaints. Nothing is suppressed: support fixes the address at its source.
 */
import type { FailureClass } from '../bounce/index.js';
import type { Acceptance, DeliveryEvent } from '../db/delivery-record.js';

const SOFT_BOUNCES = 3;
export const SOFT_DAYS = 14;
/** A delivery younger than this may still bounce: it clears nothing yet. */
const SETTLE_MS = 3_600_000;
const DAY = 86_400_000;

/** Soft failures that are about the address: a full mailbox, a server that gave up, a refusal not understood. */
const ABOUT_THE_ADDRESS: ReadonlySet<FailureClass | null> = new Set(['dead-address', 'mailbox-full', 'expired', 'other']);

export type Standing =
  | { bouncing: false; lastClean: Date | null }
  | {
      bouncing: true;
      /** `dead-address`: a hard failure; `soft`: SOFT_BOUNCES soft ones within SOFT_DAYS. */
      reason: 'dead-address' | 'soft';
      /** The latest failure that counts. */
      latest: DeliveryEvent;
      /** How many failures count. */
      count: number;
      lastClean: Date | null;
    };

/** The standing of one address from its failures and the deliveries the server accepted for it. */
export function standingOf(failures: readonly DeliveryEvent[], acceptances: readonly Acceptance[], now: Date): Standing {
  const failed = failures.filter((f) => f.action === 'failed');
  const bouncedSends = new Set(failed.flatMap((f) => (f.sendId === null ? [] : [f.sendId])));
  const clean = acceptances.filter((a) => a.sentAt.getTime() <= now.getTime() - SETTLE_MS && !bouncedSends.has(a.sendId));
  const lastClean = clean.reduce<Date | null>((latest, a) => (latest && latest >= a.sentAt ? latest : a.sentAt), null);
  const since = [...failed]
    .filter((f) => !lastClean || f.occurredAt > lastClean)
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const hard = since.filter((f) => f.hard);
  const latestHard = hard.at(-1);
  if (latestHard) return { bouncing: true, reason: 'dead-address', latest: latestHard, count: hard.length, lastClean };
  const soft = since.filter((f) => ABOUT_THE_ADDRESS.has(f.class) && f.occurredAt.getTime() >= now.getTime() - SOFT_DAYS * DAY);
  const latestSoft = soft.at(-1);
  if (latestSoft && soft.length >= SOFT_BOUNCES)
    return { bouncing: true, reason: 'soft', latest: latestSoft, count: soft.length, lastClean };
  return { bouncing: false, lastClean };
}

/** The items of a list by the address each is about (in lower case), in one pass. */
function byAddress<T extends { address: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.address.toLowerCase();
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Every address with a failure, and its standing; `failures` and `acceptances` may cover many addresses. */
export function standings(failures: readonly DeliveryEvent[], acceptances: readonly Acceptance[], now: Date): Map<string, Standing> {
  const accepted = byAddress(acceptances);
  const result = new Map<string, Standing>();
  for (const [address, own] of byAddress(failures)) result.set(address, standingOf(own, accepted.get(address) ?? [], now));
  return result;
}
