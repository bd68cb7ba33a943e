/**
 * `yougotdata audit`: every notification row read as the job reads it, sending nothing and writing nothing, and
 * what will go wrong with each, with the fix, worst first. Pure: `read.ts` gives it the rows (and the archive's
 * answers), `output.ts` prints what it finds.
 */
import type { Standing } from '../../delivery/standing.js';
import { EMAIL_FIELDS, type Notification } from '../../domain/notification.js';
import type { ProblemField } from '../program-sync.js';
import { bouncingFindings } from './bouncing.js';
import { duplicateRowFindings } from './duplicate-rows.js';
import { duplicateFindings } from './duplicates.js';
import { fieldFindings } from './fields.js';
import { labelFindings } from './label.js';
import { type Finding, PROBLEM_KINDS, type Problem, type ProblemKind } from './problem.js';
import { type Confirmation, readRow } from './row-reading.js';
import { selectionFindings, suggester } from './selection.js';
import { cut } from './wording.js';

/** What `audit` is asked for besides the rows: the archive's answers, and which rows to report on. */
export interface AuditRequest {
  /** The archive's answers by row id (--online); without it the audit is offline and such terms stay unconfirmed. */
  confirmations?: ReadonlyMap<number, Confirmation>;
  /** The rows the report is about (--match); the other rows are read only to find duplicates across rows. */
  only?: ReadonlySet<number>;
  /** Addresses that bounce now (their key in lower case), from the delivery record. */
  bouncing?: ReadonlyMap<string, Standing>;
  /** What the reader should know beyond the problems: the bounce loop looks unwired, messages kept for a person. */
  notes?: readonly string[];
}

export interface AuditReport {
  /** How many rows the report is about. */
  notifications: number;
  online: boolean;
  /** Worst kind first, then by id. */
  problems: Problem[];
  notes: string[];
}

/** What is shown of a row's label and selection in a problem. */
const SHOWN_VALUE = 200;

/** A row's label or selection as a problem shows it: as stored, bounded. */
const shownValue = (value: string | null): string | null => (value === null ? null : cut(value, SHOWN_VALUE));

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

const KIND_RANK = new Map<ProblemKind, number>(PROBLEM_KINDS.map((kind, rank) => [kind, rank]));
const FIELD_RANK = new Map<ProblemField, number>(
  ([null, 'selection', ...EMAIL_FIELDS] as ProblemField[]).map((field, rank) => [field, rank]),
);

const byWorstFirst = (a: Problem, b: Problem): number =>
  (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0) ||
  a.id - b.id ||
  (FIELD_RANK.get(a.field) ?? 0) - (FIELD_RANK.get(b.field) ?? 0);

/** Every problem of the rows (those in `request.only`, when given), worst first. Reads nothing, sends nothing. */
export function auditNotifications(rows: readonly Notification[], request: AuditRequest = {}): AuditReport {
  const suggest = suggester();
  const readings = rows.map((row) => readRow(row, request.confirmations));
  const syncedRows = new Map<string, number>();
  for (const reading of readings)
    if (reading.programId !== null && !syncedRows.has(reading.programId)) syncedRows.set(reading.programId, reading.row.id);

  const findings: { row: Notification; finding: Finding }[] = [];
  for (const reading of readings) {
    const own = [
      ...selectionFindings(reading, suggest),
      ...fieldFindings(reading),
      ...bouncingFindings(reading, request.bouncing ?? new Map()),
      ...labelFindings(reading, syncedRows, suggest),
    ];
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

  const about = (ids: readonly number[]) => !request.only || ids.some((id) => request.only?.has(id));
  const problems = findings
    .map(({ row, finding }) => problemOf(row, finding))
    .filter((problem) => about(problem.ids))
    .sort(byWorstFirst);
  const notifications = request.only ? rows.filter((row) => request.only?.has(row.id)).length : rows.length;
  return { notifications, online: request.confirmations !== undefined, problems, notes: [...(request.notes ?? [])] };
}

/** How many problems of each kind, every kind listed (0 when none), worst first. */
export function problemTotals(report: AuditReport): Record<ProblemKind, number> {
  const totals = Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, 0])) as Record<ProblemKind, number>;
  for (const problem of report.problems) totals[problem.kind]++;
  return totals;
}
