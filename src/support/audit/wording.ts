/**
 * How a problem names what it is about. Table values are cut to a bounded size (a field may hold megabytes of
 * pasted junk, and a report of one row must stay a few lines long), and lists of rows and addresses are bounded.
 */
import type { Address } from '../../addresses/index.js';
import { clip, someOf } from '../../text/words.js';
import { syncedSelectionOf } from '../program-sync.js';

/** At most `max` characters of `text`, then how many were left out. */
export const cut = (text: string, max: number): string => clip(text, max, { countLeftOut: true });

/** A value from the table, cut, in JSON quotes, so stray spaces and line breaks show. */
export const quoted = (text: string, max = 80): string => JSON.stringify(cut(text, max));

/** `#3, #9 and #12` for a list of rows, bounded. */
export const rowList = (ids: readonly number[], max = 10): string =>
  someOf(
    ids.map((id) => `#${id}`),
    max,
  );

/** `a@x, b@y and 3 more` for the addresses a row mails. */
export const addressList = (addresses: readonly Address[]): string => someOf(addresses.map((a) => a.address));

/** `twice`, `3 times`: how often one mail reaches someone. */
export const times = (n: number): string => (n === 2 ? 'twice' : `${n} times`);

/** `back to "GN-2026B-Q-101/science"`: a fix asking for the selection the sync gave the program's row. */
export const backToSynced = (programId: string): string => `back to ${quoted(syncedSelectionOf(programId))}`;
