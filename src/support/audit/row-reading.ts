/**
 * Every notification row read as the job reads it: its addresses (a field of megabytes read only so far), its selection
 * (with the archive's word on terms only it knows, when asked) and the search it makes. Pure.
 */
import { type Address, type ParsedAddresses, parseAddresses } from '../../addresses/index.js';
import { confirmSelection, readSelection, type SelectionReading, type SelectionScope, selectionTerms } from '../../archive/selection.js';
import { classifyTerm } from '../../archive/selection-grammar.js';
import type { Mode } from '../../domain/mode.js';
import { EMAIL_FIELDS, type EmailField, type Notification } from '../../domain/notification.js';
import { recipientsFrom } from '../../run/plan.js';
import { syncedProgramOf } from '../program-sync.js';

/** What the archive's summary page said about a selection's terms (`unrecognisedTerms`), or why it could not be read. */
export type Confirmation = { state: 'answered'; dropped: readonly string[] } | { state: 'failed'; error: string };

/** A selection the caller may ask the archive about: its terms, and the rows that have it. */
export interface SelectionToConfirm {
  terms: readonly string[];
  ids: number[];
}

/** No email field typed by a person is this long; longer ones are read only this far (the parser is slow on megabytes). */
export const MAX_EMAIL_FIELD = 4096;
/** No real selection is this long: audit names it (`oversized-field`); the job's own limit is the URL's (docs/archive.md). */
export const MAX_SELECTION = 1000;

export interface FieldReading extends ParsedAddresses {
  /** The stored length, and whether only the first `MAX_EMAIL_FIELD` characters were read. */
  length: number;
  partial: boolean;
}

export type SelectionState =
  | { state: 'invalid'; reason: string; checkedBy: 'grammar' | 'archive'; terms: string[]; dropped: readonly string[] }
  | { state: 'valid'; terms: readonly string[]; scope: SelectionScope }
  | {
      state: 'unconfirmed';
      terms: readonly string[];
      unknownTerms: readonly string[];
      scope: SelectionScope;
      /** offline: no --online; not-asked: online, but the caller gave no answer for the row; else the page's failure. */
      why: { offline: true } | { notAsked: true } | { error: string };
    };

/** One row as the job would read it. */
export interface RowReading {
  row: Notification;
  programId: string | null;
  fields: Record<EmailField, FieldReading>;
  selection: SelectionState;
  /** The terms the job sends, in a form that compares equal for the same search; null when nothing is sent. */
  searchKey: string | null;
}

/** The items with the same key together, each group in the order of its first item. */
export function groupsOf<T>(items: readonly T[], key: (item: T) => string): [T, ...T[]][] {
  const groups = new Map<string, [T, ...T[]]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** A field over the limit is read up to its last separator before it, so no address is read cut in half. */
function readField(text: string | null): FieldReading {
  const stored = text ?? '';
  if (stored.length <= MAX_EMAIL_FIELD) return { ...parseAddresses(text), length: stored.length, partial: false };
  const head = stored.slice(0, MAX_EMAIL_FIELD);
  const lastSeparator = Math.max(...[',', ';', '\n', '\r'].map((separator) => head.lastIndexOf(separator)));
  return { ...parseAddresses(lastSeparator > 0 ? head.slice(0, lastSeparator) : head), length: stored.length, partial: true };
}

function selectionStateOf(
  row: Notification,
  reading: SelectionReading,
  confirmations: ReadonlyMap<number, Confirmation> | undefined,
): SelectionState {
  const terms = selectionTerms(row.selection);
  if (reading.kind === 'invalid') return { state: 'invalid', reason: reading.reason, checkedBy: 'grammar', terms, dropped: [] };
  if (reading.kind === 'valid') return { state: 'valid', terms: reading.selection.terms, scope: reading.selection.scope };
  const unconfirmed = { state: 'unconfirmed', terms: reading.terms, unknownTerms: reading.unknownTerms, scope: reading.scope } as const;
  if (!confirmations) return { ...unconfirmed, why: { offline: true } };
  const answer = confirmations.get(row.id);
  if (!answer) return { ...unconfirmed, why: { notAsked: true } };
  if (answer.state === 'failed') return { ...unconfirmed, why: { error: answer.error } };
  const confirmed = confirmSelection(reading, answer.dropped);
  if (confirmed.kind === 'invalid')
    return { state: 'invalid', reason: confirmed.reason, checkedBy: 'archive', terms, dropped: answer.dropped };
  return { state: 'valid', terms: confirmed.selection.terms, scope: confirmed.selection.scope };
}

/**
 * The same search whatever the order of its terms, when no two of them set the same thing (the archive keeps the
 * last of those, so then order counts). A repeated term searches nothing more.
 */
export function searchKeyOf(terms: readonly string[]): string {
  const distinct = [...new Set(terms)];
  const sets = distinct.map((term) => {
    const reading = classifyTerm(term);
    if (reading.kind === 'criterion') return reading.field;
    if (reading.kind === 'scope') return `scope:${reading.scope.kind}`;
    return null;
  });
  const independent = sets.every((set) => set !== null) && new Set(sets).size === sets.length;
  return (independent ? [...distinct].sort() : distinct).join('/');
}

/** The row read as the job reads it; `confirmations` are the archive's answers by row id (--online). */
export function readRow(row: Notification, confirmations?: ReadonlyMap<number, Confirmation>): RowReading {
  const fields = Object.fromEntries(EMAIL_FIELDS.map((field) => [field, readField(row[field])])) as Record<EmailField, FieldReading>;
  const selection = selectionStateOf(row, readSelection(row.selection), confirmations);
  return {
    row,
    programId: syncedProgramOf(row.label),
    fields,
    selection,
    searchKey: selection.state === 'invalid' ? null : searchKeyOf(selection.terms),
  };
}

/**
 * The selections whose terms only the archive can confirm, each once with the rows that have it: the caller asks
 * the archive's summary page about each (`unrecognisedTerms`) and gives every row its answer in `confirmations`.
 */
export function selectionsToConfirm(rows: readonly Notification[]): SelectionToConfirm[] {
  const unconfirmed = rows.flatMap((row) => {
    const reading = readSelection(row.selection);
    return reading.kind === 'needs-confirmation' ? [{ id: row.id, terms: reading.terms }] : [];
  });
  return groupsOf(unconfirmed, ({ terms }) => terms.join('/')).map((group) => ({ terms: group[0].terms, ids: group.map(({ id }) => id) }));
}

/** The addresses a row mails in each mode, as the job addresses them: nobody without a To address (no-recipients). */
export function mailedBy(reading: RowReading, mode: Mode): Address[] {
  const { to, cc } = recipientsFrom(reading.fields, mode, []);
  return to.length === 0 ? [] : [...to, ...cc];
}
