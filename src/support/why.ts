/**
 * `yougotdata why`: every fact support needs about the notifications matching a question, gathered as the run
 * would see them (the same selection check, search and guard as `send`), for `triage.ts` to turn into a verdict.
 */
import type { Logger } from 'pino';
import { parseAddresses } from '../addresses/index.js';
import { type ArchiveClient, archiveUrl } from '../archive/client.js';
import { foreignPrograms, readSelection, type SelectionScope, selectionTerms } from '../archive/selection.js';
import { checkSelection, searchTerms } from '../archive/selection-check.js';
import type { NotificationTable } from '../db/notification-table.js';
import type { RunEntry, RunLog } from '../db/run-log.js';
import type { Announcements, SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import { EMAIL_FIELDS, type Notification } from '../domain/notification.js';
import { recipientsOf } from '../run/plan.js';
import { type NearMatch, nearMatches } from './near-matches.js';
import type { ArchiveFinding, RecordFinding, SelectionFinding, Triage } from './triage.js';

/** More matches than this and TEXT is too loose to be a question about one program: the rest are counted, not shown. */
export const MAX_MATCHES = 20;

export interface WhyPorts {
  notifications: Pick<NotificationTable, 'read'>;
  record: Pick<SendRecord, 'exists' | 'announcements' | 'history'>;
  runLog: Pick<RunLog, 'ofNight'>;
  archive: Pick<ArchiveClient, 'searchFiles' | 'summaryPage'>;
  /** The archive (PI) or the summit FITS server (CHECK). */
  base: string;
  log: Logger;
}

export interface WhyAnswer {
  /** One triage per matching notification, at most MAX_MATCHES. */
  triages: Triage[];
  /** Matches not shown. */
  more: number;
  /** When nothing matched: rows a typo away, or whose email fields contain the text. */
  suggestions: NearMatch[];
}

/** What the record holds for one night and mode, read once for every notification shown. */
interface NightRecord {
  exists: boolean;
  announced: Announcements;
  runs: RunEntry[];
}

export async function why(text: string, night: Night, mode: Mode, ports: WhyPorts): Promise<WhyAnswer> {
  const matches = await ports.notifications.read(text);
  if (matches.length === 0) return { triages: [], more: 0, suggestions: nearMatches(text, await ports.notifications.read()) };
  const exists = await ports.record.exists();
  const nightRecord: NightRecord = {
    exists,
    announced: exists ? await ports.record.announcements(mode, [night]) : new Map(),
    runs: exists ? await ports.runLog.ofNight(night, mode) : [],
  };
  const shown = matches.slice(0, MAX_MATCHES);
  const triages: Triage[] = [];
  for (const notification of shown) triages.push(await triage(notification, night, mode, nightRecord, ports));
  return { triages, more: matches.length - shown.length, suggestions: [] };
}

const tally = (values: readonly (string | null)[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value ?? '(none)'] = (counts[value ?? '(none)'] ?? 0) + 1;
  return counts;
};

/** The selection as the run reads it, and the terms and scope to show the archive's answer for (even when invalid). */
async function selectionFinding(
  notification: Notification,
  night: Night,
  ports: WhyPorts,
): Promise<{ finding: SelectionFinding; terms: readonly string[]; scope: SelectionScope }> {
  const reading = readSelection(notification.selection);
  const checked = await checkSelection(reading, (terms) => ports.archive.summaryPage(ports.base, night, terms));
  const terms =
    reading.kind === 'valid'
      ? reading.selection.terms
      : reading.kind === 'needs-confirmation'
        ? reading.terms
        : selectionTerms(notification.selection);
  const scope = reading.kind === 'valid' ? reading.selection.scope : reading.kind === 'needs-confirmation' ? reading.scope : null;
  switch (checked.kind) {
    case 'valid':
      return {
        finding: { state: 'valid', text: checked.selection.text, scope: checked.selection.scope, checkedBy: checked.checkedBy },
        terms,
        scope,
      };
    case 'invalid':
      return { finding: { state: 'invalid', reason: checked.reason, checkedBy: checked.checkedBy }, terms, scope };
    case 'unconfirmed':
      return { finding: { state: 'unconfirmed', unknownTerms: [...checked.unknownTerms], error: checked.error }, terms, scope };
  }
}

/** What the server returns now for the night, and which of its files the record never announced. */
async function archiveFinding(
  notification: Notification,
  night: Night,
  mode: Mode,
  selection: { terms: readonly string[]; scope: SelectionScope },
  nightRecord: NightRecord,
  ports: WhyPorts,
): Promise<ArchiveFinding> {
  if (selection.terms.length === 0)
    return { state: 'not-asked', why: 'the selection is blank: the search would be every file of the night' };
  const terms = searchTerms(selection.terms, mode);
  const searchUrl = archiveUrl(ports.base, 'searchform', night, terms);
  ports.log.info({ notification: notification.id, selection: notification.selection, night }, 'why: asking the archive');
  const answer = await ports.archive.searchFiles(ports.base, night, terms);
  if (!answer.ok) return { state: 'failed', url: answer.url, searchUrl, error: answer.error };
  const entries = answer.value;
  const announced = nightRecord.announced.get(notification.id)?.get(night)?.files;
  return {
    state: 'answered',
    url: answer.url,
    searchUrl,
    files: entries.length,
    programs: tally(entries.map((e) => e.program_id)),
    qaStates: tally(entries.map((e) => e.qa_state)),
    foreignPrograms: foreignPrograms(selection.scope, entries).programs,
    unannounced: entries.filter((e) => !announced?.has(e.name)).map((e) => e.name),
  };
}

async function recordFinding(
  notification: Notification,
  night: Night,
  mode: Mode,
  nightRecord: NightRecord,
  ports: WhyPorts,
): Promise<RecordFinding> {
  if (!nightRecord.exists) return { state: 'absent' };
  const history = await ports.record.history(notification.id, mode, [night]);
  return { state: 'present', runs: nightRecord.runs, check: history.nights[0] ?? null, messages: history.messages };
}

/** Every fact about one notification for the night and mode. */
async function triage(notification: Notification, night: Night, mode: Mode, nightRecord: NightRecord, ports: WhyPorts): Promise<Triage> {
  const selection = await selectionFinding(notification, night, ports);
  const recipients = recipientsOf(notification, mode, []);
  const [archive, record] = await Promise.all([
    selection.finding.state === 'unconfirmed'
      ? Promise.resolve<ArchiveFinding>({ state: 'not-asked', why: 'the selection could not be confirmed, so the job would not search' })
      : archiveFinding(notification, night, mode, selection, nightRecord, ports),
    recordFinding(notification, night, mode, nightRecord, ports),
  ]);
  return {
    notification,
    night,
    mode,
    fields: EMAIL_FIELDS.map((field) => {
      const parsed = parseAddresses(notification[field]);
      return {
        field,
        stored: notification[field],
        addresses: parsed.addresses.map((a) => ({ name: a.name, address: a.address })),
        rejected: parsed.rejected,
      };
    }),
    recipients: { to: recipients.to.map((a) => a.address), cc: recipients.cc.map((a) => a.address), rejected: recipients.rejected },
    selection: selection.finding,
    archiveAskedAnyway: selection.finding.state === 'invalid' && archive.state !== 'not-asked',
    archive,
    record,
  };
}
