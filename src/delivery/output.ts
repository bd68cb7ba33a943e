/** What `bounce` prints: a line or two per message a person reads, or the one JSON document of docs/commands.md#bounce. */
import { REPORT_KINDS, type ReportKind } from '../bounce/index.js';
import { profileOf } from '../domain/mode.js';
import { escapeControls } from '../text/escape.js';
import { plural } from '../text/words.js';
import type { TakenReport } from './intake.js';

/** `{kind: count}`, the kinds present, in the order of REPORT_KINDS. */
function reportKindTotals(taken: readonly TakenReport[]): Partial<Record<ReportKind, number>> {
  const totals: Partial<Record<ReportKind, number>> = {};
  for (const kind of REPORT_KINDS) {
    const count = taken.filter((t) => t.reading.kind === kind).length;
    if (count > 0) totals[kind] = count;
  }
  return totals;
}

export function bounceJson(taken: readonly TakenReport[]) {
  return {
    messages: taken.map((t) => ({
      source: t.source,
      kind: t.reading.kind,
      messageId: t.reading.messageId,
      matched: t.match.state === 'matched' ? { by: t.match.by, sendId: t.match.sendId } : null,
      forged: t.match.state === 'forged' ? { sendId: Number(t.match.claimed) } : null,
      recipients: t.reading.recipients.map((r) => ({
        address: r.address,
        action: r.action,
        status: r.status,
        class: r.class,
        hard: r.hard,
        diagnostic: r.diagnostic,
        remoteMta: r.remoteMta,
      })),
      outcome: t.outcome,
      report: t.report,
      kept: t.kept,
      problems: t.problems,
    })),
    totals: reportKindTotals(taken),
  };
}

/** `matched by token to message 17 (notification 101, night 20261126, PI)` */
function matchClause(t: TakenReport): string {
  const m = t.match;
  if (m.state === 'forged')
    return `its token names message ${m.claimed} but its signature is wrong (forged, or cut short): nothing is marked`;
  if (m.state === 'unmatched') return 'matched no message this job sent';
  const about = m.message ? ` (notification ${m.message.notificationId}, night ${m.message.night}, ${profileOf(m.message.mode).name})` : '';
  return `matched by ${m.by} to message ${m.sendId}${about}${m.by === 'address' ? ', probably' : ''}`;
}

const OUTCOME: Record<TakenReport['outcome'], (t: TakenReport) => string> = {
  recorded: (t) => `recorded as report ${t.report}`,
  kept: (t) => `kept for a person as report ${t.report}`,
  forged: (t) => `kept for a person as report ${t.report}`,
  'already-recorded': (t) => `read before as report ${t.report}: nothing added`,
  'not-recorded': () => 'not recorded (--dry-run)',
};

function messageText(t: TakenReport): string[] {
  const lines = [`${t.source}: ${t.reading.kind}, ${matchClause(t)}; ${OUTCOME[t.outcome](t)}`];
  for (const r of t.reading.recipients) {
    const code = [r.status, r.class + (r.hard ? ' (hard)' : '')].filter(Boolean).join(', ');
    const words = [r.diagnostic, r.remoteMta ? `from ${r.remoteMta}` : null].filter(Boolean).join('; ');
    lines.push(`  ${r.address}: ${r.action} ${code}${words ? `: ${words}` : ''}`);
  }
  if (t.reading.autoReply)
    lines.push(`  automatic reply from ${t.reading.autoReply.responder ?? 'an unknown sender'} (${t.reading.autoReply.evidence})`);
  if (t.reading.complaint)
    lines.push(
      `  complaint (${t.reading.complaint.feedbackType ?? 'feedback'}) by ${t.reading.complaint.complainants.join(', ') || 'an unknown recipient'}`,
    );
  for (const problem of t.problems) lines.push(`  ${problem.code}: ${problem.detail}`);
  return lines;
}

export function bounceText(taken: readonly TakenReport[]): string {
  const lines = taken.flatMap(messageText);
  const kinds = Object.entries(reportKindTotals(taken))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const outcomes = (['recorded', 'kept', 'forged', 'already-recorded', 'not-recorded'] as const)
    .map((outcome) => [outcome, taken.filter((t) => t.outcome === outcome).length] as const)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');
  lines.push(`${plural(taken.length, 'message')} read${kinds ? `: ${kinds}` : ''}${outcomes ? `; ${outcomes}` : ''}.`);
  return `${lines.map(escapeControls).join('\n')}\n`;
}
