import { addressKey, type EmailAddress } from './email-address.js';

export interface Address {
  name: string | null;
  address: EmailAddress;
}

/** To, Cc and Bcc as lists of addresses. */
export interface AddressLists {
  to: Address[];
  cc: Address[];
  bcc: Address[];
}

/** A filter passing each address the first time it sees it, comparing case-insensitively. */
export function firstSightings(): (entry: Address) => boolean {
  const seen = new Set<string>();
  return ({ address }) => {
    const key = addressKey(address);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

/**
 * Removes, case-insensitively, any address already present in an earlier list: To first, then Cc, then Bcc
 * (and any repeat within one list), so nobody gets the message twice or is both visible and hidden.
 */
export function withoutRepeats(lists: { readonly [K in keyof AddressLists]: readonly Address[] }): AddressLists {
  const isNew = firstSightings();
  const to = lists.to.filter(isNew);
  const cc = lists.cc.filter(isNew);
  const bcc = lists.bcc.filter(isNew);
  return { to, cc, bcc };
}
