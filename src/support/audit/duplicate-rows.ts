/** Rows that are copies of each other: each recipient gets every mail as many times as there are copies. */
import { addressKey } from '../../addresses/email-address.js';
import { selectionTerms } from '../../archive/selection.js';
import { EMAIL_FIELDS, type Notification } from '../../domain/notification.js';
import { rowSourceOf } from '../program-sync.js';
import type { Finding } from './problem.js';
import { groupsOf, type RowReading } from './row-reading.js';
import { rowList, times } from './wording.js';

/** What makes two rows the same row: label, the search, and the addresses (and junk) of each email field. */
function rowSignature(reading: RowReading): string {
  const fields = EMAIL_FIELDS.map((field) => {
    const parsed = reading.fields[field];
    return [...parsed.addresses.map((a) => addressKey(a.address)).sort(), '|', ...[...parsed.rejected].sort()].join('\u0000');
  });
  const selection = reading.searchKey ?? `invalid:${selectionTerms(reading.row.selection).join('/')}`;
  return [(reading.row.label ?? '').trim(), selection, ...fields].join('\u0001');
}

export function duplicateRowFindings(readings: readonly RowReading[]): { row: Notification; finding: Finding }[] {
  return groupsOf(readings, rowSignature)
    .filter((group) => group.length > 1)
    .map((unordered) => {
      const group = [...unordered].sort((a, b) => a.row.id - b.row.id);
      const [first, ...copies] = group as [RowReading, ...RowReading[]];
      const ids = group.map((r) => r.row.id);
      const sends = first.searchKey !== null && EMAIL_FIELDS.some((field) => first.fields[field].addresses.length > 0);
      const detail = `rows ${rowList(ids)} are identical (label, selection and addresses): ${
        sends ? `each recipient gets every mail ${times(group.length)}` : 'they send nothing now, but fixing one leaves the others'
      }`;
      const copyList = rowList(copies.map((r) => r.row.id));
      const copyWord = copies.length === 1 ? 'row' : 'rows';
      const fix =
        first.programId === null
          ? `Delete ${copyWord} ${copyList} (added by hand), ${copies.length === 1 ? 'a copy' : 'copies'} of #${first.row.id}.`
          : `Delete ${copyWord} ${copyList}, ${copies.length === 1 ? 'a copy' : 'copies'} of #${first.row.id}: ` +
            "the sync updates one row per label, and re-creates a program's row only when none is left.";
      return {
        row: first.row,
        finding: { kind: 'duplicate-row', field: null, detail, advice: { source: rowSourceOf(first.row), fix }, ids },
      };
    });
}
