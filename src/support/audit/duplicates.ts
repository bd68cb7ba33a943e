/** The same mail more than once: an address that gets one search's mail from two or more rows. */
import { addressKey } from '../../addresses/email-address.js';
import { type Address, withoutRepeats } from '../../addresses/index.js';
import { selectionTerms } from '../../archive/selection.js';
import type { Mode } from '../../domain/mode.js';
import { EMAIL_FIELDS, type EmailField, type Notification } from '../../domain/notification.js';
import { type FixAdvice, syncedSelectionOf } from '../program-sync.js';
import type { Finding } from './problem.js';
import { groupsOf, mailedBy, type RowReading, searchKeyOf } from './row-reading.js';
import { addressList, backToSynced, quoted, rowList, times } from './wording.js';

interface Delivery {
  reading: RowReading;
  address: Address;
  field: EmailField;
}

/** Which column of the row an address it mails comes from: the first that has it, as the job keeps the first. */
function fieldOf(reading: RowReading, address: Address): EmailField {
  const key = addressKey(address.address);
  return EMAIL_FIELDS.find((field) => reading.fields[field].addresses.some((a) => addressKey(a.address) === key)) ?? 'piemail';
}

/** For each mode: addresses that get the same search's mail from two or more rows, grouped by search and rows. */
function repeatedDeliveries(readings: readonly RowReading[], mode: Mode): Map<string, Delivery[]> {
  const mailed = readings.flatMap((reading): Delivery[] =>
    reading.searchKey === null ? [] : mailedBy(reading, mode).map((address) => ({ reading, address, field: fieldOf(reading, address) })),
  );
  const groups = new Map<string, Delivery[]>();
  for (const deliveries of groupsOf(mailed, (d) => `${d.reading.searchKey}\u0000${addressKey(d.address.address)}`)) {
    if (deliveries.length < 2) continue;
    const ids = deliveries.map((d) => d.reading.row.id).sort((a, b) => a - b);
    const key = `${deliveries[0].reading.searchKey}\u0000${ids.join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), ...deliveries]);
  }
  return groups;
}

function duplicateFix(rows: readonly RowReading[], addresses: string, addressCount: number): FixAdvice {
  const manual = rows.filter((r) => r.programId === null);
  const synced = rows.filter((r) => r.programId !== null);
  if (manual.length > 0) {
    const keep = synced[0] ?? manual[0];
    const edit = manual.filter((r) => r !== keep).map((r) => r.row.id);
    const them = addressCount === 1 ? 'it' : 'them';
    const kept = keep?.programId ? `the synced row #${keep.row.id} mails ${them} already` : `#${keep?.row.id} keeps ${them}`;
    return {
      source: 'manual',
      fix:
        `Edit ${edit.length === 1 ? 'row' : 'rows'} ${rowList(edit)} (added by hand): remove ${addresses}, ` +
        `or delete ${edit.length === 1 ? 'the row if it adds' : 'those that add'} nothing else (${kept}).`,
    };
  }
  const labels = new Set(synced.map((r) => r.row.label));
  if (labels.size === 1) {
    const [first, ...copies] = synced;
    return {
      source: 'sync',
      fix:
        `Delete ${copies.length === 1 ? 'row' : 'rows'} ${rowList(copies.map((r) => r.row.id))}, ` +
        `which ${copies.length === 1 ? 'repeats' : 'repeat'} the label of #${first?.row.id}: the sync updates only one row per label.`,
    };
  }
  const edited = synced.filter((r) => r.programId !== null && r.searchKey !== searchKeyOf(selectionTerms(syncedSelectionOf(r.programId))));
  if (edited.length === 0)
    return { source: 'sync', fix: "Ask whoever runs the program sync why these programs' rows search the same data." };
  const resets = edited.map((r) => `Set the selection of row #${r.row.id} ${backToSynced(r.programId ?? '')}`);
  return {
    source: 'sync',
    fix: `${resets.join('; ')} (the sync writes a selection only when it creates the row, so this edit lasts).`,
  };
}

/**
 * The same mail twice: an address that gets one search from two or more rows, in PI mode (To or Cc) or CHECK mode
 * (csemail), one problem per search and set of rows. Rows that are wholly copies of each other are reported as
 * `duplicate-row` instead.
 */
export function duplicateFindings(readings: readonly RowReading[], copies: readonly number[][]): { row: Notification; finding: Finding }[] {
  const pi = repeatedDeliveries(readings, 'pi');
  const check = repeatedDeliveries(readings, 'check');
  const explained = (ids: readonly number[]) => copies.some((group) => ids.every((id) => group.includes(id)));
  const results: { row: Notification; finding: Finding }[] = [];
  for (const key of new Set([...pi.keys(), ...check.keys()])) {
    const inPi = pi.get(key) ?? [];
    const inCheck = check.get(key) ?? [];
    const all = [...inPi, ...inCheck];
    const rows = [...new Map(all.map((d) => [d.reading.row.id, d.reading])).values()].sort((a, b) => a.row.id - b.row.id);
    const ids = rows.map((r) => r.row.id);
    const [first] = rows;
    if (!first || explained(ids)) continue;
    // Each address as the first row involved writes it.
    const distinctAddresses = (deliveries: readonly Delivery[]) =>
      withoutRepeats({ to: deliveries.map((d) => d.address), cc: [], bcc: [] }).to;
    const search = quoted(first.selection.state === 'invalid' ? '' : first.selection.terms.join('/'));
    const clauses: string[] = [];
    if (inPi.length > 0) {
      const addresses = distinctAddresses(inPi);
      clauses.push(
        `in PI mode ${addressList(addresses)} ${addresses.length === 1 ? 'gets' : 'each get'} ` +
          `the mail for ${search} ${times(ids.length)} each night`,
      );
    }
    if (inCheck.length > 0) {
      const addresses = distinctAddresses(inCheck);
      clauses.push(`in CHECK mode ${addressList(addresses)} ${addresses.length === 1 ? 'gets' : 'each get'} it ${times(ids.length)}`);
    }
    const fields = new Set(all.map((d) => d.field));
    const field = fields.size === 1 ? ([...fields][0] ?? null) : null;
    const detail = `rows ${rowList(ids)} select the same data: ${clauses.join('; ')}`;
    const everyAddress = distinctAddresses(all);
    const advice = duplicateFix(rows, addressList(everyAddress), everyAddress.length);
    results.push({ row: first.row, finding: { kind: 'duplicate', field, detail, advice, ids } });
  }
  return results;
}
