import type pg from 'pg';
import type { Logger } from 'pino';
import { parseAddresses } from '../addresses/index.js';
import { ArchiveClient, archiveUrl } from '../archive/client.js';
import {
  confirmSelection,
  filesOutsideScope,
  readSelection,
  type SelectionScope,
  selectionTerms,
  unrecognisedTerms,
} from '../archive/selection.js';
import { required } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { readNotifications } from '../db/notification-table.js';
import { type RunEntry, runsOfNight } from '../db/run-log.js';
import { type Announcements, announcementsOf, historyOf, sendRecordExists } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { type Night, parseNight } from '../domain/night.js';
import { EMAIL_FIELDS, type Notification } from '../domain/notification.js';
import { recipientsOf } from '../run/plan.js';
import { nearMatches } from '../support/near-matches.js';
import { type ArchiveFinding, type RecordFinding, type SelectionFinding, type Triage, triageJson, triageText } from '../support/triage.js';
import { type CommandContext, EXIT, exitCodeForError, loggerOf, settingsOf } from './context.js';

export interface WhyOptions {
  date: string;
  check: boolean;
  json: boolean;
}

/** More matches than this and TEXT is too loose to be a question about one program: the rest are counted, not shown. */
export const MAX_MATCHES = 20;

interface Lookup {
  db: pg.Pool;
  archive: ArchiveClient;
  base: string;
  night: Night;
  mode: Mode;
  recordExists: boolean;
  announced: Announcements;
  /** The runs of the night and mode: the same for every notification shown. */
  runs: RunEntry[];
  log: Logger;
}

const tally = (values: readonly (string | null)[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value ?? '(none)'] = (counts[value ?? '(none)'] ?? 0) + 1;
  return counts;
};

/** The selection as the run would read it, asking the server about terms only it can confirm. */
async function selectionFinding(
  notification: Notification,
  lookup: Lookup,
): Promise<{ finding: SelectionFinding; terms: string[]; scope: SelectionScope }> {
  const reading = readSelection(notification.selection);
  if (reading.kind === 'invalid')
    return {
      finding: { state: 'invalid', reason: reading.reason, checkedBy: 'grammar' },
      terms: selectionTerms(notification.selection),
      scope: null,
    };
  if (reading.kind === 'valid') {
    const { selection } = reading;
    return {
      finding: { state: 'valid', text: selection.text, scope: selection.scope, checkedBy: 'grammar' },
      terms: [...selection.terms],
      scope: selection.scope,
    };
  }
  const page = await lookup.archive.summaryPage(lookup.base, lookup.night, reading.terms);
  if (!page.ok)
    return {
      finding: { state: 'unconfirmed', unknownTerms: [...reading.unknownTerms], error: page.error },
      terms: [...reading.terms],
      scope: reading.scope,
    };
  const confirmed = confirmSelection(reading, unrecognisedTerms(page.value));
  if (confirmed.kind === 'invalid')
    return {
      finding: { state: 'invalid', reason: confirmed.reason, checkedBy: 'archive' },
      terms: [...reading.terms],
      scope: reading.scope,
    };
  return {
    finding: { state: 'valid', text: confirmed.selection.text, scope: confirmed.selection.scope, checkedBy: 'archive' },
    terms: [...reading.terms],
    scope: reading.scope,
  };
}

/** What the server returns now for the night, and which of its files the record never announced. */
async function archiveFinding(
  notification: Notification,
  terms: readonly string[],
  scope: SelectionScope,
  lookup: Lookup,
): Promise<ArchiveFinding> {
  if (terms.length === 0) return { state: 'not-asked', why: 'the selection is blank: the search would be every file of the night' };
  const searchTerms = lookup.mode === 'check' ? [...terms, 'CHECK'] : [...terms];
  const searchUrl = archiveUrl(lookup.base, 'searchform', lookup.night, searchTerms);
  lookup.log.info({ notification: notification.id, selection: notification.selection, night: lookup.night }, 'why: asking the archive');
  const answer = await lookup.archive.searchFiles(lookup.base, lookup.night, searchTerms);
  if (!answer.ok) return { state: 'failed', url: answer.url, searchUrl, error: answer.error };
  const entries = answer.value;
  const announced = lookup.announced.get(notification.id)?.get(lookup.night)?.files;
  return {
    state: 'answered',
    url: answer.url,
    searchUrl,
    files: entries.length,
    programs: tally(entries.map((e) => e.program_id)),
    qaStates: tally(entries.map((e) => e.qa_state)),
    foreignPrograms: [...new Set(filesOutsideScope(scope, entries).map((e) => e.program_id ?? '(no program)'))].sort(),
    unannounced: entries.filter((e) => !announced?.has(e.name)).map((e) => e.name),
  };
}

async function recordFinding(notification: Notification, lookup: Lookup): Promise<RecordFinding> {
  if (!lookup.recordExists) return { state: 'absent' };
  const history = await historyOf(lookup.db, notification.id, lookup.mode, [lookup.night]);
  return { state: 'present', runs: lookup.runs, check: history.nights[0] ?? null, messages: history.messages };
}

/** Every fact about one notification for the night and mode. */
async function triage(notification: Notification, lookup: Lookup): Promise<Triage> {
  const { finding, terms, scope } = await selectionFinding(notification, lookup);
  const recipients = recipientsOf(notification, lookup.mode, []);
  const askAnyway = finding.state === 'invalid';
  const [archive, record] = await Promise.all([
    finding.state === 'unconfirmed'
      ? Promise.resolve<ArchiveFinding>({ state: 'not-asked', why: 'the selection could not be confirmed, so the job would not search' })
      : archiveFinding(notification, terms, scope, lookup),
    recordFinding(notification, lookup),
  ]);
  return {
    notification,
    night: lookup.night,
    mode: lookup.mode,
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
    selection: finding,
    archiveAskedAnyway: askAnyway && archive.state !== 'not-asked',
    archive,
    record,
  };
}

function noMatchText(text: string, suggestions: ReturnType<typeof nearMatches>): string {
  const lines = [`No notification has the id ${JSON.stringify(text)}, or a label or selection containing it.`];
  if (suggestions.length === 0) {
    lines.push('Nothing near it either. Every row: psql "$DATABASE_URL" -c \'select id, label, selection from notification order by id\'');
  } else {
    lines.push('Near matches:');
    for (const s of suggestions) {
      lines.push(`  #${s.id}  ${s.label ?? '(no label)'}  [${s.selection ?? 'no selection'}]  (${s.reason})  →  yougotdata why ${s.id}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `yougotdata why TEXT`: support triage for the notifications matching TEXT. 0 when something matched, 1 when nothing did. */
export async function whyCommand(text: string, options: WhyOptions, context: CommandContext): Promise<number> {
  let db: pg.Pool | undefined;
  let archive: ArchiveClient | undefined;
  const log = loggerOf(context);
  try {
    const settings = settingsOf(context);
    const mode: Mode = options.check ? 'check' : 'pi';
    const night = parseNight(options.date, context.now());
    const url = required(settings, 'DATABASE_URL');
    const base = mode === 'check' ? required(settings, 'FITS_SERVER_URL') : settings.ARCHIVE_URL;
    db = await openDatabase({ url, applicationName: 'yougotdata why', maxConnections: 3 });
    const matches = await readNotifications(db, text);
    if (matches.length === 0) {
      const suggestions = nearMatches(text, await readNotifications(db));
      context.stdout.write(
        options.json
          ? `${JSON.stringify({ query: text, night, mode, matches: [], more: 0, suggestions })}\n`
          : noMatchText(text, suggestions),
      );
      return EXIT.failed;
    }
    archive = new ArchiveClient({ timeoutMs: settings.ARCHIVE_TIMEOUT_MS, retries: settings.ARCHIVE_RETRIES, concurrency: 2 });
    const recordExists = await sendRecordExists(db);
    const lookup: Lookup = {
      db,
      archive,
      base,
      night,
      mode,
      log,
      recordExists,
      announced: recordExists ? await announcementsOf(db, mode, [night]) : new Map(),
      runs: recordExists ? await runsOfNight(db, night, mode) : [],
    };
    const shown = matches.slice(0, MAX_MATCHES);
    const more = matches.length - shown.length;
    const triages: Triage[] = [];
    for (const notification of shown) triages.push(await triage(notification, lookup));
    if (options.json) {
      context.stdout.write(`${JSON.stringify({ query: text, night, mode, matches: triages.map(triageJson), more, suggestions: [] })}\n`);
    } else {
      const footer =
        more > 0 ? `\n… and ${more} more notifications match ${JSON.stringify(text)}: give an id, or more of the program id.\n` : '';
      context.stdout.write(triages.map(triageText).join(`\n${'─'.repeat(72)}\n\n`) + footer);
    }
    return EXIT.ok;
  } catch (error) {
    return exitCodeForError(error, context);
  } finally {
    await archive?.close();
    await db?.end().catch(() => {});
    log.flush();
  }
}
