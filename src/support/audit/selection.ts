/**
 * Problems of a row's selection: invalid (nothing is sent), terms only the archive can confirm, no program named
 * (every program's data is mailed), or a synced row confined to another program.
 */
import { withoutRepeats } from '../../addresses/index.js';
import { readSelection, SCOPE_NOUN, within } from '../../archive/selection.js';
import { classifyTerm, isProgramId } from '../../archive/selection-grammar.js';
import { didYouMean } from '../../archive/selection-suggest.js';
import { someOf } from '../../text/words.js';
import { type FixChange, fixAdvice, rowSourceOf } from '../program-sync.js';
import type { Finding } from './problem.js';
import { mailedBy, type RowReading, type SelectionState } from './row-reading.js';
import { addressList, backToSynced, cut, quoted } from './wording.js';

/** Reasons from the selection guard name every bad term: cut for a selection of thousands of them. */
const SHOWN_REASON = 600;
/** How many of a selection's unknown terms are named (and looked up for a suggestion). */
const SHOWN_TERMS = 5;
/** didYouMean compares with every known word; a longer term is no typo of one. */
const SUGGESTED_TERM = 64;

/** A known word near a term, if there is one. */
export type Suggest = (term: string) => string | undefined;

/** Suggestions are asked for once per distinct term: rows of one program repeat the same terms. */
export function suggester(): Suggest {
  const known = new Map<string, string | undefined>();
  return (term) => {
    if (term.length > SUGGESTED_TERM) return undefined;
    if (!known.has(term)) known.set(term, didYouMean(term));
    return known.get(term);
  };
}

/** A selection the guard refused, corrected where that is plain: hidden characters removed, dates dropped, typos replaced. */
function correctedSelection(state: Extract<SelectionState, { state: 'invalid' }>, suggest: Suggest) {
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

export function selectionFindings(reading: RowReading, suggest: Suggest): Finding[] {
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
    const why =
      'offline' in selection.why
        ? `only the archive can confirm ${named}; run with --online`
        : 'notAsked' in selection.why
          ? `only the archive can confirm ${named}, and it was not asked`
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
