import { profileOf, sendCommandFor } from '../domain/mode.js';
import { nightsText } from '../domain/night.js';
import { notTried, PROBLEM_STATUSES, type Result, type RunProblem, type RunReport, STATUSES, type Status } from '../domain/result.js';
import { escapeControls, jsonText } from '../text/escape.js';
import { type TextColumn, tableLines } from '../text/table.js';
import { clip, plural } from '../text/words.js';

export type Totals = Partial<Record<Status, number>>;

export function totalsOf(results: readonly Result[]): Totals {
  const totals: Totals = {};
  for (const result of results) totals[result.status] = (totals[result.status] ?? 0) + 1;
  return totals;
}

/** Every status with its count, 0 where none: what a monitor shows. */
export function totalsOfEvery(results: readonly Result[]): Record<Status, number> {
  return { ...(Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>), ...totalsOf(results) };
}

/** `sent 2, no-data 3`: the statuses that occurred, in order of first occurrence. */
const totalsLine = (results: readonly Result[]): string =>
  Object.entries(totalsOf(results))
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');

/** `1 recipient refused, 2 pieces rejected`: what a result's addresses came to, by count alone. */
function addressCounts(r: Result): string {
  const counts = [
    r.refused.length ? `${plural(r.refused.length, 'recipient')} refused` : null,
    r.rejected.length ? `${plural(r.rejected.length, 'piece')} rejected` : null,
  ];
  return counts.filter((count): count is string => count !== null).join(', ');
}

/** One problem per result that needs a person, for a monitor's summary (the digest says more). */
export function problemsOf(report: { interrupted: string | null; results: readonly Result[] }): RunProblem[] {
  const problems: RunProblem[] = report.interrupted
    ? [{ brief: 'the run stopped early', full: `the run stopped early: ${report.interrupted}` }]
    : [];
  for (const r of report.results.filter(needsAttention)) {
    const detail =
      r.error ??
      [...r.refused.map((x) => `${x.address} refused`), ...r.rejected.map((x) => `${JSON.stringify(x)} not an address`)].join(', ');
    const counts = addressCounts(r);
    problems.push({
      brief: `#${r.id} ${r.night} ${r.status}${counts ? `: ${counts}` : ''}`,
      full: `#${r.id} ${r.selection ?? '(no selection)'} ${r.night} ${r.status}${detail ? `: ${detail}` : ''}`,
    });
  }
  return problems;
}

/**
 * 75 when the run stopped early, 1 when anything failed, had an invalid selection or may not have been delivered
 * (`unknown`: the run finished, and a person should look), else 0 (docs/commands.md#exit-codes).
 */
export function exitCodeOf(report: RunReport): 0 | 1 | 75 {
  if (report.interrupted) return 75;
  return report.results.some((r) => r.status === 'failed' || r.status === 'invalid-selection' || r.status === 'unknown') ? 1 : 0;
}

/** Results a person should look at: the digest lists exactly these. */
function needsAttention(result: Result): boolean {
  return (
    PROBLEM_STATUSES.includes(result.status) ||
    result.rejected.length > 0 ||
    result.refused.length > 0 ||
    (result.status === 'sent' && result.error !== null)
  );
}

/** `YYYYMMDD`, or `A..B` for a range. */
export const dateOf = (report: RunReport): string => nightsText(report.nights);

/** One report for a range run night by night. */
export function joinReports(reports: readonly RunReport[]): RunReport {
  const [first] = reports;
  if (!first) throw new Error('no report to join');
  return {
    nights: reports.flatMap((r) => r.nights),
    mode: first.mode,
    dryRun: first.dryRun,
    results: reports.flatMap((r) => r.results),
    interrupted: reports.find((r) => r.interrupted)?.interrupted ?? null,
  };
}

const jsonRow = (r: Result): string =>
  jsonText({
    id: r.id,
    label: r.label,
    selection: r.selection,
    night: r.night,
    status: r.status,
    files: r.files,
    to: r.to,
    cc: r.cc,
    rejected: r.rejected,
    refused: r.refused.map((x) => x.address),
    error: r.error,
    messageId: r.messageId,
  });

/** The one JSON document of `send --json`, in pieces: a run of many thousand rows is never one string in memory. */
export function* reportJson(report: RunReport): Generator<string> {
  const head = jsonText({ date: dateOf(report), mode: report.mode, dryRun: report.dryRun });
  yield `${head.slice(0, -1)},"results":[`;
  for (const [index, result] of report.results.entries()) yield index === 0 ? jsonRow(result) : `,${jsonRow(result)}`;
  yield `],"totals":${jsonText(totalsOf(report.results))}}\n`;
}

function detailOf(result: Result): string {
  const parts = [
    result.error,
    result.to.length ? `to ${result.to.join(', ')}` : null,
    result.cc.length ? `cc ${result.cc.join(', ')}` : null,
    result.refused.length ? `refused ${result.refused.map((r) => r.address).join(', ')}` : null,
    result.rejected.length ? `rejected ${result.rejected.map((x) => JSON.stringify(x)).join(', ')}` : null,
  ];
  return parts.filter((p): p is string => p !== null).join('; ');
}

/** Table text comes from people: control characters are shown escaped, never sent to the terminal. */
const REPORT_COLUMNS: readonly TextColumn<Result>[] = [
  { heading: 'id', value: (r) => String(r.id) },
  { heading: 'night', value: (r) => r.night },
  { heading: 'status', value: (r) => r.status },
  { heading: 'files', value: (r) => String(r.files) },
  { heading: 'selection', value: (r) => escapeControls(r.selection ?? '(none)'), cap: 40 },
  { heading: 'detail', value: (r) => escapeControls(detailOf(r)), cap: 120 },
];

/** The human report on stdout, in pieces: one line per notification, then the totals. */
export function* reportTable(report: RunReport): Generator<string> {
  const totals = totalsLine(report.results);
  yield `${profileOf(report.mode).name} notifications for night ${dateOf(report)}${report.dryRun ? ' (dry run: nothing sent)' : ''}\n`;
  for (const line of tableLines(report.results, REPORT_COLUMNS)) yield `${line}\n`;
  yield `${report.results.length} notifications: ${totals || 'none'}\n`;
}

/** Rejected pieces listed per notification in the digest: a field of junk must not make it unreadable. */
const DIGEST_PIECES = 20;

/** Notifications listed by id in a group of the digest before the rest are counted. */
const DIGEST_IDS = 30;

/**
 * The plain-text digest mailed to ERRORS_TO: each result that needs a person, with what to do. Results that were
 * not tried for one reason are one paragraph, however many: 400 copies of "the archive is unavailable" help nobody.
 */
export function digestText(report: RunReport): string | null {
  const problems = report.results.filter(needsAttention);
  if (problems.length === 0) return null;
  const rerun = (r: Result) => sendCommandFor(r.night, report.mode, r.id);
  const advice: Partial<Record<Status, (r: Result) => string>> = {
    failed: (r) => `the next run tries again; to try now: ${rerun(r)}`,
    'invalid-selection': () => 'fix the selection in the notification table; nothing was sent',
    'no-recipients': () => 'add an address to the email fields; nothing was sent',
    unknown: (r) =>
      `the mail server never answered after taking the whole message, so it may have arrived: its log says, under ${r.messageId}; ` +
      `the next run sends it once more (a second copy rather than none), or now: ${rerun(r)}`,
  };
  // Results nothing was tried for, by reason.
  const untried = new Map<string, Result[]>();
  const listed: Result[] = [];
  for (const r of problems) {
    if (r.notTried === null) listed.push(r);
    else if (untried.has(r.notTried)) untried.get(r.notTried)?.push(r);
    else untried.set(r.notTried, [r]);
  }
  const groups = [...untried].map(([reason, results]) => {
    const ids = results.map((r) => `#${r.id}`);
    const shown = ids.length > DIGEST_IDS ? `${ids.slice(0, DIGEST_IDS).join(', ')} … and ${ids.length - DIGEST_IDS} more` : ids.join(', ');
    const nights = [...new Set(results.map((r) => r.night))];
    const command = nights.length === 1 ? sendCommandFor(nights[0] as Result['night'], report.mode) : 'the same command again';
    // The reason the run stopped is said once, in its own line; the rows it left are counted under it.
    return [
      reason === report.interrupted
        ? `${results.length} notification(s) not tried once the run stopped.`
        : `${results.length} notification(s) ${escapeControls(notTried(reason).error)}.`,
      `  ${shown}`,
      `  to do: nothing was sent for them; the next run sends them, or now: ${command}`,
    ].join('\n');
  });
  const blocks = listed.map((r) => {
    const night = report.nights.length === 1 && r.night === report.nights[0] ? '' : ` (night ${r.night})`;
    const lines = [
      `#${r.id}${r.label ? ` ${escapeControls(r.label)}` : ''} [${escapeControls(r.selection ?? 'no selection')}]${night}: ${r.status}`,
    ];
    if (r.error) lines.push(`  error: ${escapeControls(r.error)}`);
    for (const x of r.refused) lines.push(`  refused: ${x.address} (${escapeControls(x.reply)})`);
    for (const x of r.rejected.slice(0, DIGEST_PIECES))
      lines.push(`  not an address, ignored: ${escapeControls(JSON.stringify(clip(x, 200)))}`);
    if (r.rejected.length > DIGEST_PIECES) lines.push(`  … and ${r.rejected.length - DIGEST_PIECES} more pieces that are not addresses`);
    if (r.url) lines.push(`  archive: ${r.url}`);
    const todo = advice[r.status];
    if (todo) lines.push(`  to do: ${todo(r)}`);
    return lines.join('\n');
  });
  const totals = totalsLine(report.results);
  return [
    `yougotdata ${profileOf(report.mode).name} run for night ${dateOf(report)}: ${problems.length} notification(s) need attention.`,
    ...(report.interrupted ? [`The run stopped early: ${escapeControls(report.interrupted)}. It exited 75 (try again later).`] : []),
    `Totals: ${totals}`,
    '',
    [...groups, ...blocks].join('\n\n'),
    '',
  ].join('\n');
}
