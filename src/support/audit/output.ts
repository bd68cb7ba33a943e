/** What `audit` prints: the JSON a script reads and the text a person reads, both from one `AuditReport`. */
import { escapeControls } from '../../text/escape.js';
import { plural } from '../../text/words.js';
import { syncedProgramOf } from '../program-sync.js';
import { PROBLEM_KINDS, type Problem, type ProblemKind } from './problem.js';
import { type AuditReport, problemTotals } from './report.js';
import { cut, rowList } from './wording.js';

/** `{"notifications":N,"problems":[…],"totals":{kind:count}}`, every kind in `totals`, worst first. */
export function auditJson(report: AuditReport) {
  return {
    notifications: report.notifications,
    // Each Problem is printed as it is: a field added to Problem is a field of the JSON.
    problems: report.problems,
    totals: problemTotals(report),
    notes: report.notes,
  };
}

/** Each kind's heading: what it means for the mail. */
const KIND_HEADING: Record<ProblemKind, string> = {
  'unscoped-selection': "Data leak: the selection names no program, so every program's matching data is mailed",
  'label-program-mismatch': "Data leak: a program's synced row selects another program's data",
  'invalid-selection': 'Invalid selection: nothing is sent for the row',
  'no-pi-address': 'No PI address: PI mode sends nothing for the row',
  'no-cs-address': 'No contact scientist address: CHECK mode sends nothing for the row',
  'bouncing-address': 'Addresses that bounce: the mail server takes the mail, and it comes back',
  'unconfirmed-selection': 'Selection terms only the archive can confirm',
  'oversized-field': 'Fields far longer than any real value',
  duplicate: 'The same mail more than once',
  'duplicate-row': 'Identical rows',
  'rejected-piece': 'Email fields with pieces that are not addresses',
  'unsynced-auto-label': "Labels like the sync's that the sync does not maintain",
};

/** Table text shown on a terminal: control and bidi characters as escapes, and bounded. */
const shown = (text: string, max: number): string => escapeControls(cut(text, max));

function rowLine(problem: Problem): string {
  const rows = problem.ids.length > 1 ? rowList(problem.ids) : `#${problem.id}`;
  const label = problem.ids.length > 1 || problem.label === null || problem.label.trim() === '' ? '' : `  ${shown(problem.label, 60)}`;
  const selection = problem.selection === null ? '  [no selection]' : `  [${shown(problem.selection, 60)}]`;
  const programId = syncedProgramOf(problem.label);
  const source =
    problem.source === 'sync' && programId !== null ? `synced for ${programId}` : problem.source === 'sync' ? 'synced' : 'added by hand';
  const field = problem.field === null ? '' : `  ${problem.field}`;
  return `  ${rows}${label}${selection}${field}  (${source})`;
}

/** The text `audit` prints: problems grouped by kind, worst first, each with its fix; the totals last. */
export function auditText(report: AuditReport): string {
  const mode = report.online ? 'selections checked with the archive' : 'offline: terms only the archive knows are not checked';
  const heading = `Audit of ${plural(report.notifications, 'notification')} (${mode})`;
  const notes = report.notes.map((note) => `Note: ${escapeControls(note)}`);
  if (report.problems.length === 0) {
    return `${[heading, 'No problems found: every row would be read and mailed as it is.', ...notes].join('\n')}\n`;
  }
  const lines = [heading];
  for (const kind of PROBLEM_KINDS) {
    const problems = report.problems.filter((problem) => problem.kind === kind);
    if (problems.length === 0) continue;
    lines.push('', `${KIND_HEADING[kind]} (${problems.length}):`);
    for (const problem of problems) {
      lines.push(rowLine(problem), `      ${escapeControls(problem.detail)}`, `      Fix: ${escapeControls(problem.fix)}`);
    }
  }
  const totals = Object.entries(problemTotals(report))
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const rows = new Set(report.problems.flatMap((problem) => problem.ids)).size;
  lines.push('', `Totals: ${plural(report.problems.length, 'problem')} in ${plural(rows, 'row')} (${totals}).`);
  if (notes.length > 0) lines.push('', ...notes);
  return `${lines.join('\n')}\n`;
}
