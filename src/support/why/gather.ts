/**
 * `yougotdata why`: every fact support needs about the notifications matching a question, gathered as the run
 * would see them (the same selection check, search and guard as `send`): `verdict.ts` judges them, `output.ts`
 * prints them.
 */
import type { Logger } from 'pino';
import { addressKey, type EmailAddress, parseAddresses, parseEmailAddress, sameAddress } from '../../addresses/index.js';
import { type ArchiveClient, archiveUrl, DotSegmentTerm, searchTerms } from '../../archive/client.js';
import {
  foreignPrograms,
  readSelection,
  type SelectionReading,
  type SelectionScope,
  selectionTerms,
  tooLongForUrl,
  type ValidSelection,
} from '../../archive/selection.js';
import { judgeSelection } from '../../archive/selection-verdict.js';
import type { NotificationTable } from '../../db/notification-table.js';
import type { RunEntry, RunLog } from '../../db/run-log.js';
import type { Announcements, NotificationHistory, SendRecord } from '../../db/send-record.js';
import { type AddressDelivery, addressDeliveries, type DeliveryFacts } from '../../delivery/address-facts.js';
import type { Mode } from '../../domain/mode.js';
import type { Night } from '../../domain/night.js';
import { EMAIL_FIELDS, type Notification } from '../../domain/notification.js';
import { recipientsOf } from '../../run/plan.js';
import {
  type AddressFate,
  type ArchiveFinding,
  type FieldFinding,
  newestFirst,
  type RecordFinding,
  type SelectionFinding,
  type Triage,
  type WhyAnswer,
} from './facts.js';
import { nearMatches } from './near-matches.js';

/** More matches than this and TEXT is too loose to be a question about one program: the rest are counted, not shown. */
const MAX_MATCHES = 20;

/** Over a range of nights each match is one triage per night: fewer matches are shown, so one answer stays readable. */
const MAX_TRIAGES = 100;

export interface WhyPorts {
  notifications: Pick<NotificationTable, 'read' | 'mentioning'>;
  record: Pick<SendRecord, 'exists' | 'announcements' | 'history'>;
  runLog: Pick<RunLog, 'ofNight'>;
  archive: Pick<ArchiveClient, 'searchFiles' | 'searchUnchecked' | 'summaryPage'>;
  /** What came back after the relay took the mail (docs/commands.md#bounce). */
  deliveries: DeliveryFacts;
  /** The archive (PI) or the summit FITS server (CHECK). */
  base: string;
  log: Logger;
  clock: () => Date;
}

/** What the record holds for one night and mode, read once for every notification shown. */
interface NightRecord {
  announced: Announcements;
  runs: RunEntry[];
}

/** What a notification's row and send record say whatever the night: read once however many nights are asked about. */
interface RowFacts {
  notification: Notification;
  selection: SelectionReading;
  fields: FieldFinding[];
  recipients: Triage['recipients'];
  /** Every night asked about; null when the record's tables do not exist. */
  history: NotificationHistory | null;
}

/**
 * TEXT is a notification id, text of a label or selection, or an email address: then every row whose email fields
 * hold it, each with what became of that address. Each night of `nights` in turn.
 */
export async function why(text: string, nights: readonly Night[], mode: Mode, ports: WhyPorts): Promise<WhyAnswer> {
  const address = parseEmailAddress(text.trim());
  const matches = address ? await rowsHolding(address, ports) : await ports.notifications.read(text);
  if (matches.length === 0) return { nights, triages: [], more: 0, suggestions: nearMatches(text, await ports.notifications.read()) };
  const exists = await ports.record.exists();
  const shown = matches.slice(0, Math.max(1, Math.min(MAX_MATCHES, Math.floor(MAX_TRIAGES / nights.length))));
  // The record is read over every night at once; the selection is still judged night by night, as the run judges it.
  const announced = exists ? await ports.record.announcements(mode, nights) : new Map();
  const rows = await Promise.all(shown.map((notification) => rowFacts(notification, mode, nights, exists, ports)));
  const recipientsOfRow = (row: RowFacts) => [...row.recipients.to, ...row.recipients.cc, ...(address ? [address] : [])];
  const deliveries = exists ? await addressDeliveries(rows.flatMap(recipientsOfRow), ports.deliveries, ports.clock()) : new Map();
  const byNight = new Map<Night, Triage[]>();
  for (const night of nights) {
    const nightRecord: NightRecord = { announced, runs: exists ? await ports.runLog.ofNight(night, mode) : [] };
    const triages: Triage[] = [];
    for (const row of rows) {
      const own = [...new Set(recipientsOfRow(row).map((a) => a.toLowerCase()))];
      const found = await triage(
        row,
        night,
        mode,
        nightRecord,
        ports,
        own.flatMap((key): AddressDelivery[] => deliveries.get(key) ?? []),
      );
      triages.push(address ? { ...found, address: fateOf(address, found) } : found);
    }
    byNight.set(night, triages);
  }
  const triages = shown.flatMap((_, i) => nights.map((night) => byNight.get(night)?.[i] as Triage));
  return { nights, triages, more: matches.length - shown.length, suggestions: [] };
}

/** The rows whose email fields hold the address (as the parser reads them, so `Doe <jane@x>` counts and `xjane@x` not). */
async function rowsHolding(address: EmailAddress, ports: WhyPorts): Promise<Notification[]> {
  const key = addressKey(address);
  const candidates = await ports.notifications.mentioning(address.slice(0, address.lastIndexOf('@') + 1));
  return candidates.filter((row) =>
    EMAIL_FIELDS.some((field) => parseAddresses(row[field]).addresses.some((a) => addressKey(a.address) === key)),
  );
}

/** What became of the asked address in one notification's night. */
function fateOf(address: EmailAddress, t: Triage): AddressFate {
  const same = (other: string) => sameAddress(address, other);
  const fields = t.fields.filter((f) => f.addresses.some((a) => same(a.address))).map((f) => f.field);
  const role = t.recipients.to.some(same) ? 'to' : t.recipients.cc.some(same) ? 'cc' : 'none';
  const sent = newestFirst(t.record.state === 'present' ? t.record.messages : []).filter((m) => m.status === 'sent');
  const refusal = sent.flatMap((m) => m.refused).find((r) => same(r.address));
  const accepted = sent.find((m) => m.accepted.some(same));
  const outcome: AddressFate['outcome'] = accepted
    ? { state: 'accepted', at: accepted.sentAt }
    : refusal
      ? { state: 'refused', reply: refusal.reply }
      : { state: 'not-sent' };
  return { address, fields, role, outcome };
}

const tally = (values: readonly (string | null)[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value ?? '(none)'] = (counts[value ?? '(none)'] ?? 0) + 1;
  return counts;
};

/**
 * What `why` searches to show the archive's answer: the valid selection the run searches, or an invalid one as
 * written, asked anyway to show what it would get (the job never sends on it).
 */
type WhySearch = { kind: 'valid'; selection: ValidSelection } | { kind: 'asked-anyway'; terms: readonly string[]; scope: SelectionScope };

/**
 * The selection as the run judges it, and what to search to show the archive's answer: nothing when the selection
 * could not be confirmed, as the job would not search.
 */
async function selectionFinding(
  { notification, selection: reading }: RowFacts,
  night: Night,
  ports: WhyPorts,
): Promise<{ finding: SelectionFinding; search: WhySearch | null }> {
  const verdict = await judgeSelection(reading, (terms) => ports.archive.summaryPage(ports.base, night, terms));
  switch (verdict.kind) {
    case 'valid': {
      const { selection, checkedBy } = verdict;
      return { finding: { state: 'valid', text: selection.text, scope: selection.scope, checkedBy }, search: { kind: 'valid', selection } };
    }
    case 'invalid': {
      const written =
        reading.kind === 'needs-confirmation'
          ? { terms: reading.terms, scope: reading.scope }
          : { terms: selectionTerms(notification.selection), scope: null };
      const finding = { state: 'invalid', reason: verdict.reason, checkedBy: verdict.checkedBy } as const;
      return { finding, search: { kind: 'asked-anyway', ...written } };
    }
    case 'unconfirmed':
      return { finding: { state: 'unconfirmed', unknownTerms: [...verdict.unknownTerms], error: verdict.error }, search: null };
  }
}

/** What the server returns now for the night, and which of its files the record never announced. */
async function archiveFinding(
  notification: Notification,
  night: Night,
  mode: Mode,
  search: WhySearch,
  nightRecord: NightRecord,
  ports: WhyPorts,
): Promise<ArchiveFinding> {
  const selection = search.kind === 'valid' ? search.selection : search;
  if (selection.terms.length === 0)
    return { state: 'not-asked', why: 'the selection is blank: the search would be every file of the night' };
  if (tooLongForUrl(selection.terms))
    return { state: 'not-asked', why: 'the selection is too long for a URL: the archive would refuse it' };
  let searchUrl: string;
  try {
    searchUrl = archiveUrl(ports.base, 'searchform', night, searchTerms(selection.terms, mode));
  } catch (error) {
    if (!(error instanceof DotSegmentTerm)) throw error;
    return { state: 'not-asked', why: error.message };
  }
  ports.log.info({ notification: notification.id, selection: notification.selection, night }, 'why: asking the archive');
  const answer =
    search.kind === 'valid'
      ? await ports.archive.searchFiles(ports.base, night, search.selection, mode)
      : await ports.archive.searchUnchecked(ports.base, night, search.terms, mode);
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

function recordFinding(history: NotificationHistory | null, night: Night, nightRecord: NightRecord): RecordFinding {
  if (!history) return { state: 'absent' };
  return {
    state: 'present',
    runs: nightRecord.runs,
    outcome: history.nights.find((outcome) => outcome.night === night) ?? null,
    messages: history.messages.filter((message) => message.night === night),
  };
}

/** The row read as the run reads it, and its send record over every night asked about. */
async function rowFacts(
  notification: Notification,
  mode: Mode,
  nights: readonly Night[],
  exists: boolean,
  ports: WhyPorts,
): Promise<RowFacts> {
  const recipients = recipientsOf(notification, mode, []);
  return {
    notification,
    selection: readSelection(notification.selection),
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
    history: exists ? await ports.record.history(notification.id, mode, nights) : null,
  };
}

/** Every fact about one notification for the night and mode. */
async function triage(
  row: RowFacts,
  night: Night,
  mode: Mode,
  nightRecord: NightRecord,
  ports: WhyPorts,
  deliveries: AddressDelivery[],
): Promise<Triage> {
  const { notification, fields, recipients } = row;
  const selection = await selectionFinding(row, night, ports);
  const archive: ArchiveFinding =
    selection.search === null
      ? { state: 'not-asked', why: 'the selection could not be confirmed, so the job would not search' }
      : await archiveFinding(notification, night, mode, selection.search, nightRecord, ports);
  return {
    notification,
    night,
    mode,
    fields,
    recipients,
    selection: selection.finding,
    archiveAskedAnyway: selection.finding.state === 'invalid' && archive.state !== 'not-asked',
    archive,
    record: recordFinding(row.history, night, nightRecord),
    deliveries,
  };
}
