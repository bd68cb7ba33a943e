/**
 * The selection guard's pure part. The archive silently drops search terms it does not know, so a typo
 * widens the search to every program's data: only a selection every term of which the archive is known
 * to recognise (a `ValidSelection`) may reach the search, and the files it returns must stay in its scope.
 */
import type { ArchiveEntry } from './entry.js';
import { classifyTerm, type Scope, type TermReading } from './selection-grammar.js';
import { didYouMean } from './selection-suggest.js';

/** The program, observation or data label the archive keeps from a selection, if it names one. */
export type SelectionScope = Scope | null;

declare const validBrand: unique symbol;
/** A selection every term of which the archive is known to recognise: only this may reach the archive's search. */
export interface ValidSelection {
  readonly [validBrand]: true;
  /** The terms joined by `/`. */
  readonly text: string;
  readonly terms: readonly string[];
  readonly scope: SelectionScope;
}

export type SelectionReading =
  | { kind: 'invalid'; reason: string }
  | { kind: 'valid'; selection: ValidSelection }
  | { kind: 'needs-confirmation'; terms: readonly string[]; unknownTerms: readonly string[]; scope: SelectionScope };

type Invalid = { kind: 'invalid'; reason: string };

const SPECIFICITY: Record<Scope['kind'], number> = { program: 1, observation: 2, dataLabel: 3 };

export const SCOPE_NOUN: Record<Scope['kind'], string> = { program: 'program', observation: 'observation', dataLabel: 'data label' };

const quote = (term: string): string => JSON.stringify(term);

const validSelection = (terms: readonly string[], scope: SelectionScope): ValidSelection =>
  ({ text: terms.join('/'), terms: Object.freeze([...terms]), scope }) as unknown as ValidSelection;

const invalid = (problems: readonly string[]): Invalid => ({ kind: 'invalid', reason: problems.join('; ') });

/** `inner` is `outer`, or lies within it (an observation of a program, a label of an observation). */
export const within = (inner: Scope, outer: Scope): boolean => inner.id === outer.id || inner.id.startsWith(`${outer.id}-`);

/**
 * The scope the archive keeps: the most specific kind named, the last of that kind. Every other id the
 * selection names must contain it, else the archive would silently ignore that id: `problem` says so.
 */
function scopeOf(scopes: readonly Scope[]): { scope: SelectionScope; problem?: string } {
  const kept = scopes.reduce<Scope | null>((best, next) => (!best || SPECIFICITY[next.kind] >= SPECIFICITY[best.kind] ? next : best), null);
  const ignored = scopes.filter((other) => kept && !within(kept, other));
  if (!kept || ignored.length === 0) return { scope: kept };
  const names = ignored.map((other) => `${SCOPE_NOUN[other.kind]} ${other.id}`).join(', ');
  const keptName = `${SCOPE_NOUN[kept.kind]} ${kept.id}`;
  return {
    scope: kept,
    problem: `the selection names ${names} and ${keptName}, but the archive keeps only ${kept.id}: keep one of them`,
  };
}

/** The selection's problems, one sentence part per kind of problem, naming the terms. */
function problemsOf(readings: readonly { term: string; reading: TermReading }[], scopeProblem: string | undefined): string[] {
  const problems: string[] = [];
  for (const { term, reading } of readings) {
    if (reading.kind === 'impossible') problems.push(`${quote(term)} cannot be a search term: ${reading.why}`);
    if (reading.kind === 'criterion' && reading.field === 'defaults') {
      problems.push(
        `${quote(term)} makes the archive search QA NotFail after every other term, so CHECK mode would announce ` +
          'files that are not in QA state CHECK: remove it',
      );
    }
  }
  const dates = readings.filter(({ reading }) => reading.kind === 'date').map(({ term }) => quote(term));
  if (dates.length > 0) {
    problems.push(
      `${dates.join(', ')} ${dates.length === 1 ? 'sets' : 'set'} a date or night, which the job chooses itself (--date): ` +
        `remove ${dates.length === 1 ? 'it' : 'them'}`,
    );
  }
  if (scopeProblem) problems.push(scopeProblem);
  return problems;
}

/** The selection's terms as written: split on `/`, trimmed, empty ones dropped. */
export const selectionTerms = (text: string | null | undefined): string[] =>
  (text ?? '')
    .split('/')
    .map((term) => term.trim())
    .filter((term) => term !== '');

/**
 * The most characters a selection may take in a URL (docs/archive.md#urls): the message's search link must open in
 * any mail client and browser, and the archive refuses a request line of some kilobytes (HTTP 414 or 431).
 */
const MAX_SELECTION_IN_URL = 2000;

const UNESCAPED_IN_URL = /^[A-Za-z0-9\-_.!~*'()=]$/;
const utf8 = new TextEncoder();

/** The characters the terms take in a URL, each encoded as the client encodes it, `/` between them. */
function lengthInUrl(terms: readonly string[]): number {
  let length = terms.length - 1;
  for (const term of terms) {
    for (const byte of utf8.encode(term)) length += UNESCAPED_IN_URL.test(String.fromCharCode(byte)) ? 1 : 3;
  }
  return length;
}

/** Whether a search of these terms would not fit a URL: the archive is never asked about it, not even to show it. */
export const tooLongForUrl = (terms: readonly string[]): boolean => lengthInUrl(terms) > MAX_SELECTION_IN_URL;

/** Reads a notification's selection: valid, invalid (with the reason), or with terms only the server can confirm. */
export function readSelection(text: string | null | undefined): SelectionReading {
  const terms = selectionTerms(text);
  if (terms.length === 0) return { kind: 'invalid', reason: 'selection is blank' };
  const inUrl = lengthInUrl(terms);
  if (inUrl > MAX_SELECTION_IN_URL) {
    return invalid([`the selection takes ${inUrl} characters in a URL, more than the ${MAX_SELECTION_IN_URL} a search link can carry`]);
  }
  const readings = terms.map((term) => ({ term, reading: classifyTerm(term) }));
  const { scope, problem } = scopeOf(readings.flatMap(({ reading }) => (reading.kind === 'scope' ? [reading.scope] : [])));
  const problems = problemsOf(readings, problem);
  if (problems.length > 0) return invalid(problems);
  const unknownTerms = [...new Set(readings.filter(({ reading }) => reading.kind === 'unknown').map(({ term }) => term))];
  if (unknownTerms.length > 0) return { kind: 'needs-confirmation', terms, unknownTerms, scope };
  return { kind: 'valid', selection: validSelection(terms, scope) };
}

/**
 * After asking the server's HTML summary which terms it dropped. Any dropped term makes the selection invalid,
 * even one that matches none of ours: the search would be wider than written either way.
 */
export function confirmSelection(
  reading: Extract<SelectionReading, { kind: 'needs-confirmation' }>,
  droppedByServer: readonly string[],
): Invalid | { kind: 'valid'; selection: ValidSelection } {
  if (droppedByServer.length === 0) return { kind: 'valid', selection: validSelection(reading.terms, reading.scope) };
  const dropped = new Set(droppedByServer);
  // The warning separates terms by spaces, so a term with a space in it comes back in pieces.
  const named = reading.terms.filter((term) => term.split(/\s+/).some((piece) => dropped.has(piece)));
  const pieces = new Set(named.flatMap((term) => term.split(/\s+/)));
  const described = [...named, ...droppedByServer.filter((word) => !pieces.has(word))].map((term) => {
    const suggestion = didYouMean(term);
    return suggestion === undefined ? quote(term) : `${quote(term)} (did you mean ${suggestion}?)`;
  });
  return invalid([`the archive does not recognise ${described.join(', ')}`]);
}

// The apostrophe may come escaped (&#39;, &apos;) or typographic.
const WARNING = /WARNING:\s*I\s+didn(?:'|\u2019|&[#\w]+;)t\s+recogni[sz]e\s+the\s+following\s+search\s+terms:([\s\S]*?)<\/h4\s*>/gi;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Undoes HTML escaping, in case the page escapes what it prints. */
const decodeHtml = (text: string): string =>
  text.replace(
    /&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi,
    (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
      const code = decimal !== undefined ? Number.parseInt(decimal, 10) : hex !== undefined ? Number.parseInt(hex, 16) : undefined;
      if (code === undefined) return ENTITIES[(name ?? '').toLowerCase()] ?? whole;
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );

/**
 * The terms the server's HTML summary says it did not recognise (`<H4>WARNING: I didn't recognize the following
 * search terms: t1 t2 </H4>`); [] when there is no warning. A warning that names nothing still counts as one.
 */
export function unrecognisedTerms(summaryHtml: string): string[] {
  return [...summaryHtml.matchAll(WARNING)].flatMap(([, listed = '']) => {
    const words = decodeHtml(listed)
      .split(/[ \t\n\f\r]+/)
      .filter((word) => word !== '');
    return words.length > 0 ? words : [listed];
  });
}

/** Suffixes a processed file adds to its data label (`-MRG-ADD`): each part starts with a letter, never another label's numbers. */
const DATA_LABEL_SUFFIX = /^(?:-[A-Za-z]\w*)+$/;

/** Whether a file belongs to the scope; a data label also owns the same label with a suffix. */
const BELONGS: Record<Scope['kind'], (id: string, entry: ArchiveEntry) => boolean> = {
  program: (id, entry) => entry.program_id === id,
  observation: (id, entry) => entry.observation_id === id,
  dataLabel: (id, entry) =>
    entry.data_label === id || (entry.data_label?.startsWith(id) === true && DATA_LABEL_SUFFIX.test(entry.data_label.slice(id.length))),
};

/** The programs of the returned files that do not belong to the selection's scope, and how many such files. */
export function foreignPrograms(scope: SelectionScope, entries: readonly ArchiveEntry[]): { programs: string[]; files: number } {
  const foreign = filesOutsideScope(scope, entries);
  return { programs: [...new Set(foreign.map((entry) => entry.program_id ?? '(no program)'))].sort(), files: foreign.length };
}

/** The returned files that do not belong to the selection's program, observation or data label (none without a scope). */
export function filesOutsideScope(scope: SelectionScope, entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  if (!scope) return [];
  const belongs = BELONGS[scope.kind];
  return entries.filter((entry) => !belongs(scope.id, entry));
}
