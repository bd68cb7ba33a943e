/**
 * What `why` found out, as `gather.ts` hands it on: the row, its selection, the archive's answer now and the send
 * record, for one notification, night and mode. `verdict.ts` decides from these; `output.ts` prints them.
 */
import type { SelectionScope } from '../../archive/selection.js';
import type { RunEntry } from '../../db/run-log.js';
import type { MessageRecord, RecordedNightOutcome } from '../../db/send-record.js';
import type { AddressDelivery } from '../../delivery/address-facts.js';
import type { Mode } from '../../domain/mode.js';
import type { Night } from '../../domain/night.js';
import type { EmailField, Notification } from '../../domain/notification.js';
import type { NearMatch } from './near-matches.js';

/** How one email field of the row parses. */
export interface FieldFinding {
  field: EmailField;
  stored: string | null;
  addresses: { name: string | null; address: string }[];
  rejected: string[];
}

export type SelectionFinding =
  | { state: 'valid'; text: string; scope: SelectionScope; checkedBy: 'grammar' | 'archive' }
  | { state: 'invalid'; reason: string; checkedBy: 'grammar' | 'archive' }
  /** A term only the server can confirm, and the server's summary page could not be read. */
  | { state: 'unconfirmed'; unknownTerms: string[]; error: string };

/** What the archive (PI) or summit server (CHECK) returns now for the selection and night. */
export type ArchiveFinding =
  | {
      state: 'answered';
      /** The search the job makes (`/jsonsummary/…`). */
      url: string;
      /** The same search for a browser (`/searchform/…`). */
      searchUrl: string;
      files: number;
      /** program id → files; `(none)` for files without one. */
      programs: Record<string, number>;
      qaStates: Record<string, number>;
      /** Programs of returned files outside the selection's program, observation or data label. */
      foreignPrograms: string[];
      /** Files of the answer the send record has never announced to this notification for this mode. */
      unannounced: string[];
    }
  | { state: 'failed'; url: string; searchUrl: string; error: string }
  | { state: 'not-asked'; why: string };

export type RecordFinding =
  /** The tool's tables do not exist: `migrate` never ran, so nothing was ever sent by this tool. */
  | { state: 'absent' }
  /** `outcome`: the night's latest, as the last run that got to this notification recorded it. */
  | { state: 'present'; runs: RunEntry[]; outcome: RecordedNightOutcome | null; messages: MessageRecord[] };

/** Everything `why` found out about one notification for one night and mode. */
export interface Triage {
  notification: Notification;
  night: Night;
  mode: Mode;
  fields: FieldFinding[];
  /** After de-duplication, as the run would address the message. */
  recipients: { to: string[]; cc: string[]; rejected: string[] };
  selection: SelectionFinding;
  /** Whether the archive was asked although the job never would (an invalid selection): to show what it would have got. */
  archiveAskedAnyway: boolean;
  archive: ArchiveFinding;
  record: RecordFinding;
  /**
   * What came back after the relay took the mail, for each To and Cc recipient (and the address asked about): the
   * latest report whatever the night, and whether the address is bouncing. Empty before the record exists.
   */
  deliveries: AddressDelivery[];
  /** When `why` was asked about an address: what became of it in this notification's night. */
  address?: AddressFate;
}

/** One address's part in a notification's night: where it is written, how the run addresses it, what the server did. */
export interface AddressFate {
  address: string;
  fields: EmailField[];
  role: 'to' | 'cc' | 'none';
  outcome: { state: 'accepted'; at: Date | null } | { state: 'refused'; reply: string } | { state: 'not-sent' };
}

export interface WhyAnswer {
  /** The nights asked about, oldest first. */
  nights: readonly Night[];
  /** One triage per matching notification and night: the notifications in id order, each night by night. */
  triages: Triage[];
  /** Matches not shown. */
  more: number;
  /** When nothing matched: rows a typo away, or whose email fields contain the text. */
  suggestions: NearMatch[];
}

/** The night's messages, latest first (by id when two were created in the same instant). */
export const newestFirst = (messages: readonly MessageRecord[]): MessageRecord[] =>
  [...messages].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
