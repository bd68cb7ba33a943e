import { clip, someOf } from '../../text/words.js';

/**
 * Table values shown by `audit` are cut to a bounded size: a field may hold megabytes of pasted junk, and a report
 * of one row must stay a few lines long.
 */

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
