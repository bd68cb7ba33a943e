/**
 * What the delivery record says about addresses, read for support: the latest report about each, and whether it is
 * bouncing (`standing.ts`), over every report kept (`retainedSince`).
 */
import { type DeliveryEvent, type DeliveryRecord, retainedSince } from '../db/delivery-record.js';
import { type Standing, standings } from './standing.js';

/** One address after the relay took mail for it: the latest report about it, and its standing. */
export interface AddressDelivery {
  address: string;
  last: DeliveryEvent | null;
  standing: Standing;
}

export type DeliveryFacts = Pick<DeliveryRecord, 'lastEvents' | 'failures' | 'acceptances'>;

/** Each address (its key in lower case) with what came back about it. */
export async function addressDeliveries(
  addresses: readonly string[],
  record: DeliveryFacts,
  now: Date,
): Promise<Map<string, AddressDelivery>> {
  const since = retainedSince(now);
  const unique = [...new Map(addresses.map((a) => [a.toLowerCase(), a])).values()];
  const [last, failures, acceptances] = await Promise.all([
    record.lastEvents(unique),
    record.failures(since, unique),
    record.acceptances(unique, since),
  ]);
  const standing = standings(failures, acceptances, now);
  return new Map(
    unique.map((address) => {
      const key = address.toLowerCase();
      return [
        key,
        {
          address,
          last: last.find((e) => e.address.toLowerCase() === key) ?? null,
          standing: standing.get(key) ?? { bouncing: false, lastClean: null },
        },
      ];
    }),
  );
}

/** Every address that is bouncing now (its key in lower case), with its standing. */
export async function bouncingAddresses(
  record: Pick<DeliveryRecord, 'failures' | 'acceptances'>,
  now: Date,
): Promise<Map<string, Standing>> {
  const since = retainedSince(now);
  const failures = await record.failures(since);
  if (failures.length === 0) return new Map();
  const acceptances = await record.acceptances([...new Set(failures.map((f) => f.address))], since);
  return new Map([...standings(failures, acceptances, now)].filter(([, s]) => s.bouncing));
}
