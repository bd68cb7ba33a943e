/** What `audit` reports: the kinds of problem, worst first, and a problem as the report and its JSON give it. */
import type { FixAdvice, ProblemField, RowSource } from '../program-sync.js';

/** Every kind of problem, worst first: data going to the wrong people, then mail that stops, then mail repeated, then untidiness. */
export const PROBLEM_KINDS = [
  'unscoped-selection',
  'label-program-mismatch',
  'invalid-selection',
  'no-pi-address',
  'no-cs-address',
  'bouncing-address',
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

/** What `audit` needs of a problem beyond the row: `ids` defaults to the row alone. */
export interface Finding {
  kind: ProblemKind;
  field: ProblemField;
  detail: string;
  advice: FixAdvice;
  ids?: number[];
}
