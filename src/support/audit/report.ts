/**
 * `yougotdata audit`: every notification row read as the job reads it, sending nothing and writing nothing, and
 * what will go wrong with each, with the fix. Pure: the command reads the rows, asks the archive about the
 * selections it lists (`selectionsToConfirm`, with --online), and prints `auditText` or `auditJson`.
 */
import { addressKey } from '../../addresses/email-address.js';
import { type Address, type ParsedAddresses, parseAddresses, withoutRepeats } from '../../addresses/index.js';
import {
  confirmSelection,
  readSelection,
  SCOPE_NOUN,
  type SelectionReading,
  type SelectionScope,
  selectionTerms,
  within,
} from '../../archive/selection.js';
import { classifyTerm, isProgramId } from '../../archive/selection-grammar.js';
import { didYouMean } from '../../archive/selection-suggest.js';
import type { Mode } from '../../domain/mode.js';
import { EMAIL_FIELDS, type EmailField, type Notification } from '../../domain/notification.js';
import { recipientsFrom } from '../../run/plan.js';
import { plural, someOf } from '../../text/words.js';
import {
  FIELD_ROLE,
  type FixAdvice,
  type FixChange,
  fixAdvice,
  type ProblemField,
  type RowSource,
  rowSourceOf,
  syncedProgramOf,
  syncedSelectionOf,
  syncLabelOf,
} from '../program-sync.js';
import { cut, quoted, rowList } from './bounds.js';

/** Every kind of problem, worst first: data going to the wrong people, then mail that stops, then mail repeated, then untidiness. */
export const PROBLEM_KINDS = [
  'unscoped-selection',
  'label-program-mismatch',
  'invalid-selection',
  'no-pi-address',
  'no-cs-address',
  'unconfirmed-selection',
  'oversized-field',
  'duplicate',
  'duplicate-row',
  'rejected-piece',
  'unsynced-auto-label',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface Problem {
  /** The row the problem is reported on: the first of `ids`. */
  id: number;
  /** The row's label and selection as stored, cut to a bounded length. */
  label: string | null;
  selection: string | null;
  kind: ProblemKind;
  field: ProblemField;
  detail: string;
  fix: string;
  /** Every row involved, in id order: just `[id]` but for duplicates. */
  ids: number[];
  /** Whether the fix is made in the program's record (`sync`) or in the table (`manual`): see `fixAdvice`. */
  source: RowSource;
}

/** What the archive's summary page said about a selection's terms (`unrecognisedTerms`), or why it could not be read. */
export type Confirmation = { state: 'answered'; dropped: readonly string[] } | { state: 'failed'; error: string };

/** A selection the caller may ask the archive about: its terms, and the rows that have it. */
export interface SelectionToConfirm {
  terms: readonly string[];
  ids: number[];
}

export interface AuditOptions {
  /** The archive's answers by row id (--online); without it the audit is offline and such terms stay unconfirmed. */
  confirmations?: ReadonlyMap<number, Confirmation>;
  /** The rows the report is about (--match); the other rows are read only to find duplicates across rows. */
  only?: ReadonlySet<number>;
}

export interface AuditReport {
  /** How many rows the report is about. */
  notifications: number;
  online: boolean;
  /** Worst kind first, then by id. */
  problems: Problem[];
}

/** No email field typed by a person is this long; longer ones are read only this far (the parser is slow on megabytes). */
export const MAX_EMAIL_FIELD = 4096;
/** No real selection is this long; a longer one is not sent to the archive to confirm (it would not fit a URL). */
const MAX_SELECTION = 1000;
/** What is shown of a row's label and selection in a problem. */
const SHOWN_VALUE = 200;
/** Reasons from the selection guard name every bad term: cut for a selection of thousands of them. */
const SHOWN_REASON = 600;
/** How many of a selection's unknown terms are named (and looked up for a suggestion). */
const SHOWN_TERMS = 5;
/** didYouMean compares with every known word; a longer term is no typo of one. */
const SUGGESTED_TERM = 64;

interface FieldReading extends ParsedAddresses {
  /** The stored length, and whether only the first `MAX_EMAIL_FIELD` characters were read. */
  length: number;
  partial: boolean;
}

type SelectionState =
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
interface RowReading {
  row: Notification;
  programId: string | null;
  fields: Record<EmailField, FieldReading>;
  selection: SelectionState;
  /** The terms the job sends, in a form that compares equal for the same search; null when nothing is sent. */
  searchKey: string | null;
}

const count = (n: number): string => n.toLocaleString('en-US');

const times = (n: number): string => (n === 2 ? 'twice' : `${n} times`);

/** The items with the same key together, each group in the order of its first item. */
function groupsOf<T>(items: readonly T[], key: (item: T) => string): [T, ...T[]][] {
  const groups = new Map<string, [T, ...T[]]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** A row's label or selection as a problem shows it: as stored, bounded. */
const shownValue = (value: string | null): string | null => (value === null ? null : cut(value, SHOWN_VALUE));

/** `back to "GN-2026B-Q-101/science"`: a fix asking for the selection the sync gave the program's row. */
const backToSynced = (programId: string): string => `back to ${quoted(syncedSelectionOf(programId))}`;

/** A field over the limit is read up to its last separator before it, so no address is read cut in half. */
function readField(text: string | null): FieldReading {
  const stored = text ?? '';
  if (stored.length <= MAX_EMAIL_FIELD) return { ...parseAddresses(text), length: stored.length, partial: false };
  const head = stored.slice(0, MAX_EMAIL_FIELD);
  const lastSeparator = Math.max(...[',', ';', '\n', '\r'].map((separator) => head.lastIndexOf(separator)));
  return { ...parseAddresses(lastSeparator > 0 ? head.slice(0, lastSeparator) : head), length: stored.length, partial: true };
}

/** Suggestions are asked for once per distinct term: rows of one program repeat the same terms. */
function suggester(): (term: string) => string | undefined {
  const known = new Map<string, string | undefined>();
  return (term) => {
    if (term.length > SUGGESTED_TERM) return undefined;
    if (!known.has(term)) known.set(term, didYouMean(term));
    return known.get(term);
  };
}

function selectionStateOf(row: Notification, reading: SelectionReading, options: AuditOptions): SelectionState {
  const terms = selectionTerms(row.selection);
  if (reading.kind === 'invalid') return { state: 'invalid', reason: reading.reason, checkedBy: 'grammar', terms, dropped: [] };
  if (reading.kind === 'valid') return { state: 'valid', terms: reading.selection.terms, scope: reading.selection.scope };
  const unconfirmed = { state: 'unconfirmed', terms: reading.terms, unknownTerms: reading.unknownTerms, scope: reading.scope } as const;
  if (!options.confirmations) return { ...unconfirmed, why: { offline: true } };
  const answer = options.confirmations.get(row.id);
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
function searchKeyOf(terms: readonly string[]): string {
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

function readRow(row: Notification, options: AuditOptions): RowReading {
  const fields = Object.fromEntries(EMAIL_FIELDS.map((field) => [field, readField(row[field])])) as Record<EmailField, FieldReading>;
  const selection = selectionStateOf(row, readSelection(row.selection), options);
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
    if ((row.selection ?? '').length > MAX_SELECTION) return [];
    const reading = readSelection(row.selection);
    return reading.kind === 'needs-confirmation' ? [{ id: row.id, terms: reading.terms }] : [];
  });
  return groupsOf(unconfirmed, ({ terms }) => terms.join('/')).map((group) => ({ terms: group[0].terms, ids: group.map(({ id }) => id) }));
}

/** What `audit` needs of a problem beyond the row: `ids` defaults to the row alone. */
interface Finding {
  kind: ProblemKind;
  field: ProblemField;
  detail: string;
  advice: FixAdvice;
  ids?: number[];
}

function problemOf(row: Notification, finding: Finding): Problem {
  return {
    id: row.id,
    label: shownValue(row.label),
    selection: shownValue(row.selection),
    kind: finding.kind,
    field: finding.field,
    detail: finding.detail,
    fix: finding.advice.fix,
    ids: finding.ids ?? [row.id],
    source: finding.advice.source,
  };
}

/** The addresses a row mails in each mode, as the job addresses them: nobody without a To address (no-recipients). */
function mailedBy(reading: RowReading, mode: Mode): Address[] {
  const { to, cc } = recipientsFrom(reading.fields, mode, []);
  return to.length === 0 ? [] : [...to, ...cc];
}

const addressList = (addresses: readonly Address[]): string => someOf(addresses.map((a) => a.address));

/** What the email field holds, said in a few words: `is NULL`, `is empty`, `holds only "N/A", "TBD"`. */
function holding(field: EmailField, reading: FieldReading, stored: string | null): string {
  const first = reading.partial ? ` (in its first ${MAX_EMAIL_FIELD} characters of ${count(reading.length)})` : '';
  if (stored === null) return `${field} is NULL`;
  if (stored.trim() === '') return `${field} is empty`;
  if (reading.rejected.length === 0) return `${field} holds no address${first}`;
  return `${field} holds no address${first}, only ${someOf(reading.rejected.map((piece) => quoted(piece)))}`;
}

/** A selection the guard refused, corrected where that is plain: hidden characters removed, dates dropped, typos replaced. */
function correctedSelection(state: Extract<SelectionState, { state: 'invalid' }>, suggest: (term: string) => string | undefined) {
  if (state.terms.length > SHOWN_TERMS * 4) return undefined;
  const dropped = new Set(state.dropped);
  const terms = state.terms.flatMap((term) => {
    const reading = classifyTerm(term);
    if (reading.kind === 'date') return [];
    if (reading.kind === 'impossible') {
      const visible = term.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, '').trim();
      return visible === '' || visible === '.' || visible === '..' ? [] : [visible];
    }
    if (reading.kind === 'unknown' || term.split(/\s+/).some((piece) => dropped.has(piece))) return [suggest(term) ?? term];
    return [term];
  });
  const corrected = readSelection(terms.join('/'));
  return corrected.kind === 'valid' && corrected.selection.text !== state.terms.join('/') ? corrected.selection.text : undefined;
}

function selectionFindings(reading: RowReading, suggest: (term: string) => string | undefined): Finding[] {
  const { row, selection, programId } = reading;
  const advise = (change: Omit<FixChange, 'source'>) => fixAdvice(row, 'selection', { ...change, source: change.row });
  const reset = programId === null ? undefined : `set the selection ${backToSynced(programId)}`;
  const findings: Finding[] = [];

  if (selection.state === 'invalid') {
    const blank = selection.terms.length === 0;
    const checked = selection.checkedBy === 'archive' ? ' (asked the archive)' : '';
    const detail =
      `${blank ? 'the selection is blank' : cut(selection.reason, SHOWN_REASON)}${checked}. ` +
      'Until it is fixed the job sends nothing for this row, in either mode';
    const corrected = blank ? undefined : correctedSelection(selection, suggest);
    const change = corrected
      ? `change the selection to ${quoted(corrected)}`
      : (reset ??
        (blank
          ? 'fill in the selection (a program id and what to send, e.g. "GN-2026B-Q-101/science"), or delete the row'
          : 'correct the selection as the detail says'));
    findings.push({ kind: 'invalid-selection', field: 'selection', detail, advice: advise({ row: change }) });
    return findings;
  }

  if (selection.state === 'unconfirmed') {
    // Only the terms shown are looked up: a suggestion costs a comparison with every known word.
    const shown = selection.unknownTerms.slice(0, SHOWN_TERMS);
    const suggestions = shown.flatMap((term) => {
      const suggestion = suggest(term);
      return suggestion === undefined ? [] : [{ term, suggestion }];
    });
    const named = someOf(
      shown.map((term) => {
        const suggestion = suggestions.find((s) => s.term === term)?.suggestion;
        return suggestion === undefined ? quoted(term) : `${quoted(term)} (did you mean ${suggestion}?)`;
      }),
      SHOWN_TERMS,
      selection.unknownTerms.length,
    );
    const tooLongForUrl = (row.selection ?? '').length > MAX_SELECTION ? ' (the selection is too long for its URL)' : '';
    const why =
      'offline' in selection.why
        ? `only the archive can confirm ${named}; run with --online`
        : 'notAsked' in selection.why
          ? `only the archive can confirm ${named}, and it was not asked${tooLongForUrl}`
          : `only the archive can confirm ${named}, and its summary page could not be read: ${cut(selection.why.error, SHOWN_REASON)}`;
    const meantProgram = suggestions.some((s) => isProgramId(s.suggestion));
    const unscoped =
      selection.scope === null && !meantProgram
        ? "; nothing else in it confines it to a program: if the archive accepts it, every program's matching data is mailed"
        : '';
    const detail =
      `${why}. If the archive does not recognise ${selection.unknownTerms.length === 1 ? 'it' : 'them'}, ` +
      `the job sends nothing for this row${unscoped}`;
    const advice =
      suggestions.length > 0
        ? advise({
            row: `in the selection, ${suggestions.map((s) => `replace ${quoted(s.term)} with ${quoted(s.suggestion)}`).join(', ')}`,
          })
        : { source: rowSourceOf(row), fix: 'Nothing to change until the archive has answered: run `yougotdata audit --online`.' };
    findings.push({ kind: 'unconfirmed-selection', field: 'selection', detail, advice });
  }

  const scope = selection.scope;
  if (selection.state === 'valid' && scope === null) {
    const everyone = withoutRepeats({ to: mailedBy(reading, 'pi'), cc: mailedBy(reading, 'check'), bcc: [] });
    const who = [...everyone.to, ...everyone.cc];
    const recipients = who.length > 0 ? addressList(who) : 'whoever is given an address on this row';
    const detail =
      `the selection ${quoted(selection.terms.join('/'))} names no program, observation or data label: ` +
      `every program's files matching it each night are mailed to ${recipients}`;
    const addProgramId =
      'add the program id to the selection (e.g. "GN-2026B-Q-101/science"); ' +
      "if the row is meant to send every program's data, make sure each address on it is staff";
    const change = reset ?? addProgramId;
    findings.push({ kind: 'unscoped-selection', field: 'selection', detail, advice: advise({ row: change }) });
  }

  if (programId !== null && scope !== null && !within(scope, { kind: 'program', id: programId })) {
    const detail =
      `the row is synced for program ${programId}, but its selection is confined to ${SCOPE_NOUN[scope.kind]} ${scope.id}: ` +
      `${programId}'s PI, partner office and contact scientist are mailed ${scope.id}'s data`;
    findings.push({ kind: 'label-program-mismatch', field: 'selection', detail, advice: advise({ row: reset ?? '' }) });
  }
  return findings;
}

const MISSING: Partial<Record<EmailField, { kind: ProblemKind; effect: string }>> = {
  piemail: {
    kind: 'no-pi-address',
    effect: 'PI mode mails nobody for this row (ngoemail and csemail are only copied on the mail to the PI)',
  },
  csemail: { kind: 'no-cs-address', effect: 'CHECK mode mails nobody for this row: its data set to CHECK goes unannounced' },
};

/** A piece with `@` was meant as someone's address: that person gets no mail. Others are placeholders or names. */
const looksLikeAddress = (piece: string): boolean => piece.includes('@');

function fieldFindings(reading: RowReading): Finding[] {
  const { row, fields } = reading;
  const findings: Finding[] = [];
  for (const field of EMAIL_FIELDS) {
    const parsed = fields[field];
    const role = FIELD_ROLE[field];
    const missing = MISSING[field];
    if (missing && parsed.addresses.length === 0) {
      const mistyped = parsed.rejected.filter(looksLikeAddress);
      const change: FixChange =
        mistyped.length > 0
          ? { row: `correct ${someOf(mistyped.map((piece) => quoted(piece)))} in ${field}`, source: `correct the ${role}'s email address` }
          : { row: `put the ${role}'s address in ${field}`, source: `add a ${role} email address` };
      const detail = `${holding(field, parsed, row[field])}: ${missing.effect}`;
      findings.push({ kind: missing.kind, field, detail, advice: fixAdvice(row, field, change) });
    }
    if (parsed.partial) {
      const others =
        parsed.rejected.length > 0
          ? ` and ${plural(parsed.rejected.length, 'piece')} that ${parsed.rejected.length === 1 ? 'is' : 'are'} not`
          : '';
      const found = `${plural(parsed.addresses.length, 'address', 'addresses')}${others}`;
      const detail =
        `${field} holds ${count(parsed.length)} characters, far more than any list of addresses: ` +
        'the job parses all of it on every run, which can take minutes for some text this long; ' +
        `its first ${MAX_EMAIL_FIELD} characters give ${found}`;
      const change = { row: `replace ${field} with the addresses it should hold`, source: `correct the ${role} email address` };
      findings.push({ kind: 'oversized-field', field, detail, advice: fixAdvice(row, field, change) });
    } else if (parsed.rejected.length > 0 && !(missing && parsed.addresses.length === 0)) {
      const mistyped = parsed.rejected.filter(looksLikeAddress);
      const pieces = someOf(parsed.rejected.map((piece) => quoted(piece)));
      const mistypedNames =
        mistyped.length === parsed.rejected.length
          ? mistyped.length === 1
            ? 'it'
            : 'they'
          : someOf(mistyped.map((piece) => quoted(piece)));
      const mistypedMeaning =
        mistyped.length === 1
          ? 'looks like a mistyped address: whoever it names gets'
          : 'look like mistyped addresses: whoever they name get';
      const consequence =
        mistyped.length > 0
          ? `${mistypedNames} ${mistypedMeaning} no mail`
          : parsed.addresses.length > 0
            ? `the job skips ${parsed.rejected.length === 1 ? 'it' : 'them'} and mails ${addressList(parsed.addresses)}`
            : `${field} gives no address`;
      const detail = `${field}: ${pieces} ${parsed.rejected.length === 1 ? 'is not an address' : 'are not addresses'}; ${consequence}`;
      const change: FixChange =
        mistyped.length > 0
          ? { row: `correct ${someOf(mistyped.map((piece) => quoted(piece)))} in ${field}`, source: `correct the ${role} email address` }
          : { row: `remove ${pieces} from ${field}`, source: `remove ${pieces} from the ${role} email`, harmless: true };
      findings.push({ kind: 'rejected-piece', field, detail, advice: fixAdvice(row, field, change) });
    }
  }
  if ((row.selection ?? '').length > MAX_SELECTION) {
    const detail =
      `the selection is ${count((row.selection ?? '').length)} characters long: ` +
      'no real selection is, and the archive search puts it in a URL';
    const change = reading.programId
      ? `set the selection ${backToSynced(reading.programId)}`
      : 'replace the selection with the terms it should hold';
    findings.push({
      kind: 'oversized-field',
      field: 'selection',
      detail,
      advice: fixAdvice(row, 'selection', { row: change, source: change }),
    });
  }
  return findings;
}

const LOOKALIKE_SYNC_LABEL = /^\s*auto\s*-\s*/i;

/** The program a label like the sync's (`auto - GN-…`, `Auto -GN…`) was meant for, when it is not exactly the sync's. */
function lookalikeProgram(label: string | null, suggest: (term: string) => string | undefined): string | undefined {
  if (label === null || syncedProgramOf(label) !== null || !LOOKALIKE_SYNC_LABEL.test(label)) return undefined;
  const rest = label.replace(LOOKALIKE_SYNC_LABEL, '').trim();
  if (isProgramId(rest)) return rest;
  const suggestion = suggest(rest);
  return suggestion !== undefined && isProgramId(suggestion) ? suggestion : undefined;
}

function labelFindings(
  reading: RowReading,
  syncedRows: ReadonlyMap<string, number>,
  suggest: (term: string) => string | undefined,
): Finding[] {
  const { row } = reading;
  const programId = lookalikeProgram(row.label, suggest);
  if (programId === undefined) return [];
  const syncLabel = syncLabelOf(programId);
  const synced = syncedRows.get(programId);
  const detail =
    `the label ${quoted(row.label ?? '')} is not exactly ${quoted(syncLabel)}, the label the program sync looks for: ` +
    `the sync never updates this row's addresses${synced === undefined ? '' : `, and row #${synced} is the program's synced row`}`;
  const change =
    synced === undefined
      ? `set the label to exactly ${quoted(syncLabel)} if the sync should keep its addresses up to date, ` +
        'or give it a label not starting with "Auto" if staff keep it'
      : `delete this row if it only repeats row #${synced}, or give it a label not starting with "Auto" if staff keep it`;
  return [{ kind: 'unsynced-auto-label', field: null, detail, advice: fixAdvice(row, null, { row: change, source: change }) }];
}

/** What makes two rows the same row: label, the search, and the addresses (and junk) of each email field. */
function rowSignature(reading: RowReading): string {
  const fields = EMAIL_FIELDS.map((field) => {
    const parsed = reading.fields[field];
    return [...parsed.addresses.map((a) => addressKey(a.address)).sort(), '|', ...[...parsed.rejected].sort()].join('\u0000');
  });
  const selection = reading.searchKey ?? `invalid:${selectionTerms(reading.row.selection).join('/')}`;
  return [(reading.row.label ?? '').trim(), selection, ...fields].join('\u0001');
}

function duplicateRowFindings(readings: readonly RowReading[]): { row: Notification; finding: Finding }[] {
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
function duplicateFindings(readings: readonly RowReading[], copies: readonly number[][]): { row: Notification; finding: Finding }[] {
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

const KIND_RANK = new Map<ProblemKind, number>(PROBLEM_KINDS.map((kind, rank) => [kind, rank]));
const FIELD_RANK = new Map<ProblemField, number>(
  ([null, 'selection', ...EMAIL_FIELDS] as ProblemField[]).map((field, rank) => [field, rank]),
);

const byWorstFirst = (a: Problem, b: Problem): number =>
  (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0) ||
  a.id - b.id ||
  (FIELD_RANK.get(a.field) ?? 0) - (FIELD_RANK.get(b.field) ?? 0);

/** Every problem of the rows (those in `options.only`, when given), worst first. Reads nothing, sends nothing. */
export function auditNotifications(rows: readonly Notification[], options: AuditOptions = {}): AuditReport {
  const suggest = suggester();
  const readings = rows.map((row) => readRow(row, options));
  const syncedRows = new Map<string, number>();
  for (const reading of readings)
    if (reading.programId !== null && !syncedRows.has(reading.programId)) syncedRows.set(reading.programId, reading.row.id);

  const findings: { row: Notification; finding: Finding }[] = [];
  for (const reading of readings) {
    const own = [...selectionFindings(reading, suggest), ...fieldFindings(reading), ...labelFindings(reading, syncedRows, suggest)];
    for (const finding of own) findings.push({ row: reading.row, finding });
  }
  const copies = duplicateRowFindings(readings);
  findings.push(
    ...copies,
    ...duplicateFindings(
      readings,
      copies.map(({ finding }) => finding.ids ?? []),
    ),
  );

  const about = (ids: readonly number[]) => !options.only || ids.some((id) => options.only?.has(id));
  const problems = findings
    .map(({ row, finding }) => problemOf(row, finding))
    .filter((problem) => about(problem.ids))
    .sort(byWorstFirst);
  const notifications = options.only ? rows.filter((row) => options.only?.has(row.id)).length : rows.length;
  return { notifications, online: options.confirmations !== undefined, problems };
}

/** How many problems of each kind, every kind listed (0 when none), worst first. */
export function totalsOf(report: AuditReport): Record<ProblemKind, number> {
  const totals = Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, 0])) as Record<ProblemKind, number>;
  for (const problem of report.problems) totals[problem.kind]++;
  return totals;
}
