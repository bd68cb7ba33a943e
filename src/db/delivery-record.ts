/**
 * The delivery record: every report `bounce` read (yougotdata_report), and per matched report what it says about
 * each recipient (yougotdata_delivery_event), as migrations/006_delivery_reports.sql lays them out; and the lookups
 * that match a report to the send record (docs/commands.md#bounce).
 */
import type pg from 'pg';
import type { FailureClass, ReportKind } from '../bounce/reading.js';
import type { Mode } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import type { RelayReply } from '../domain/result.js';
import { inTransaction, rowsIfMigrated } from './database.js';

/** How a report was matched to a message of the send record, in the order they are tried (docs/commands.md#bounce). */
const MATCHED_BY = ['token', 'envelope-id', 'message-id', 'queue-id', 'address'] as const;
export type MatchedBy = (typeof MATCHED_BY)[number];

/** What a matched report says about one recipient: failed and delayed from a delivery report, or an answer from it. */
export type EventAction = 'failed' | 'delayed' | 'auto-replied' | 'complained';

/** A message of the send record, as a report is matched to it. */
export interface SentMessage {
  id: number;
  notificationId: number;
  night: Night;
  mode: Mode;
  messageId: string;
  /** To, then Cc, then Bcc: the order a bounce token counts recipients in (docs/sending.md#the-token). */
  recipients: string[];
  accepted: string[];
  relay: RelayReply[];
  sentAt: Date | null;
}

/** The handles a report gives, to look its message up by (docs/bounces.md#matching). */
export interface SendHandles {
  /** The row a valid token names. */
  sendId: number | null;
  /** Message-IDs in angle brackets: the envelope id's, and every one the report quotes. */
  messageIds: string[];
  queueIds: string[];
  /** Failed recipients, complainants, responders. */
  addresses: string[];
  /** Only messages sent in this span are a probable match for an address. */
  sentBetween: { from: Date; to: Date };
}

export interface FoundSends {
  byId: SentMessage | null;
  byMessageId: SentMessage[];
  byQueueId: SentMessage[];
  /**
   * Messages the server accepted for one of the addresses, newest first: looked up only when no other handle found
   * a message, since any of those decides the match first (docs/commands.md#bounce).
   */
  byAddress: SentMessage[];
}

/** One report as it is recorded. */
export interface ReportEntry {
  identity: string;
  messageId: string | null;
  kind: ReportKind;
  matchedBy: MatchedBy | 'forged' | null;
  sendId: number | null;
  source: string;
  reportedAt: Date | null;
  size: number;
  /** What the reader met (docs/bounces.md#limits), and what matching met. */
  problems: { code: string; detail: string }[];
  /** Kept for a person: the report matched nothing, was forged, or is not a report. */
  kept: boolean;
  raw: Uint8Array | null;
}

/** One recipient of one matched report. */
export interface EventEntry {
  /** The address the job sent to. */
  address: string;
  /** Where delivery failed: the same address, or the one it was forwarded to. */
  finalRecipient: string;
  sendId: number;
  action: EventAction;
  status: string | null;
  replyCode: string | null;
  class: FailureClass | null;
  hard: boolean;
  diagnostic: string | null;
  remoteMta: string | null;
  occurredAt: Date;
}

/** An event as support reads it back: with how its report was matched, and the message it is about. */
export interface DeliveryEvent extends Omit<EventEntry, 'sendId'> {
  sendId: number | null;
  matchedBy: MatchedBy;
  report: number;
  readAt: Date;
  /** The notification and mode of the message it is about; null when the record no longer has that message. */
  notificationId: number | null;
  mode: Mode | null;
}

/** What recording a report did: added it, or found it read before (then whether it was kept for a person). */
export type Recording = { state: 'recorded'; report: number } | { state: 'already-recorded'; report: number; kept: boolean };

/** A message the server accepted for an address: a delivery that may or may not have bounced since. */
export interface Acceptance {
  sendId: number;
  address: string;
  sentAt: Date;
}

const SENT_MESSAGE = `SELECT id, notification_id, night, mode, message_id, recipients_to || recipients_cc || recipients_bcc AS recipients,
                             accepted, relay, sent_at
                        FROM yougotdata_message`;

// biome-ignore lint/suspicious/noExplicitAny: a row of yougotdata_message as pg returns it, typed by the mapping below
const sentMessageOf = (row: Record<string, any>): SentMessage => ({
  id: Number(row.id),
  notificationId: row.notification_id,
  night: row.night,
  mode: row.mode,
  messageId: row.message_id,
  recipients: row.recipients,
  accepted: row.accepted,
  relay: row.relay,
  sentAt: row.sent_at,
});

const EVENT = `SELECT e.address, e.final_recipient, e.send_id, e.action, e.status, e.reply_code, e.class, e.hard, e.diagnostic,
                      e.remote_mta, e.occurred_at, r.matched_by, r.id AS report, r.read_at, m.notification_id, m.mode
                 FROM yougotdata_delivery_event e
                 JOIN yougotdata_report r ON r.id = e.report
                 LEFT JOIN yougotdata_message m ON m.id = e.send_id`;

// biome-ignore lint/suspicious/noExplicitAny: a joined event row as pg returns it, typed by the mapping below
const deliveryEventOf = (row: Record<string, any>): DeliveryEvent => ({
  address: row.address,
  finalRecipient: row.final_recipient,
  sendId: row.send_id === null ? null : Number(row.send_id),
  action: row.action,
  status: row.status,
  replyCode: row.reply_code,
  class: row.class,
  hard: row.hard,
  diagnostic: row.diagnostic,
  remoteMta: row.remote_mta,
  occurredAt: row.occurred_at,
  matchedBy: row.matched_by,
  report: Number(row.report),
  readAt: row.read_at,
  notificationId: row.notification_id,
  mode: row.mode,
});

/** Reports, and their events, are deleted this long after they were read (docs/commands.md#bounce). */
const REPORT_RETENTION_DAYS = 365;
const DAY = 86_400_000;

/** When the oldest report still kept was read: what support reads over, and what `prune` deletes before. */
export const retainedSince = (now: Date): Date => new Date(now.getTime() - REPORT_RETENTION_DAYS * DAY);

/** At most this many queue ids of one report are looked up: a report names one or two. */
const QUEUE_IDS = 5;

export class DeliveryRecord {
  constructor(private readonly db: pg.Pool) {}

  /**
   * The messages a report's handles name, each lookup through an index: the row id, message_id, relay's GIN index,
   * and for the address the messages sent by time (migrations/008_sent_by_time.sql).
   */
  async findSends(handles: SendHandles): Promise<FoundSends> {
    const [byId, byMessageId, byQueueId] = await Promise.all([
      handles.sendId === null ? [] : this.db.query(`${SENT_MESSAGE} WHERE id = $1`, [handles.sendId]).then((r) => r.rows),
      handles.messageIds.length === 0
        ? []
        : this.db.query(`${SENT_MESSAGE} WHERE message_id = ANY($1) ORDER BY id`, [handles.messageIds]).then((r) => r.rows),
      Promise.all(
        handles.queueIds
          .slice(0, QUEUE_IDS)
          .map((queueId) =>
            this.db.query(`${SENT_MESSAGE} WHERE relay @> $1::jsonb ORDER BY id`, [JSON.stringify([{ queueId }])]).then((r) => r.rows),
          ),
      ).then((lists) => lists.flat()),
    ]);
    const found = byId.length > 0 || byMessageId.length > 0 || byQueueId.length > 0;
    const byAddress = found ? [] : await this.sentTo(handles.addresses, handles.sentBetween);
    return {
      byId: byId[0] ? sentMessageOf(byId[0]) : null,
      byMessageId: byMessageId.map(sentMessageOf),
      byQueueId: byQueueId.map(sentMessageOf),
      byAddress: byAddress.map(sentMessageOf),
    };
  }

  /** The latest messages the server accepted for one of the addresses (case ignored) in the span, newest first. */
  private async sentTo(addresses: readonly string[], span: SendHandles['sentBetween']) {
    if (addresses.length === 0) return [];
    const { rows } = await this.db.query(
      `${SENT_MESSAGE}
        WHERE status = 'sent' AND sent_at BETWEEN $2 AND $3
          AND EXISTS (SELECT 1 FROM unnest(accepted) AS a WHERE lower(a) = ANY($1))
        ORDER BY sent_at DESC, id DESC LIMIT 20`,
      [addresses.map((a) => a.toLowerCase()), span.from, span.to],
    );
    return rows;
  }

  /**
   * The report and its events, in one transaction; a report whose identity is recorded already adds nothing. Two
   * processes recording the same report at once: the second waits on the first's unique key, then adds nothing.
   */
  record(entry: ReportEntry, events: readonly EventEntry[]): Promise<Recording> {
    return inTransaction(this.db, async (client) => {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO yougotdata_report (identity, message_id, kind, matched_by, send_id, source, reported_at, size, problems, kept, raw)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (identity) DO NOTHING RETURNING id`,
        [
          entry.identity,
          entry.messageId,
          entry.kind,
          entry.matchedBy,
          entry.sendId,
          entry.source,
          entry.reportedAt,
          entry.size,
          JSON.stringify(entry.problems),
          entry.kept,
          entry.raw === null ? null : Buffer.from(entry.raw.buffer, entry.raw.byteOffset, entry.raw.byteLength),
        ],
      );
      const id = inserted.rows[0]?.id;
      if (id === undefined) {
        const { rows } = await client.query('SELECT id, kept FROM yougotdata_report WHERE identity = $1', [entry.identity]);
        const [row] = rows;
        return { state: 'already-recorded', report: Number(row?.id), kept: row?.kept ?? true };
      }
      if (events.length > 0) {
        const column = <K extends keyof EventEntry>(key: K) => events.map((event) => event[key]);
        await client.query(
          `INSERT INTO yougotdata_delivery_event (report, address, final_recipient, send_id, action, status, reply_code, class, hard,
                                                  diagnostic, remote_mta, occurred_at)
           SELECT $1, e.* FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                                      $9::bool[], $10::text[], $11::text[], $12::timestamptz[])
             AS e(address, final_recipient, send_id, action, status, reply_code, class, hard, diagnostic, remote_mta, occurred_at)`,
          [
            id,
            column('address'),
            column('finalRecipient'),
            column('sendId'),
            column('action'),
            column('status'),
            column('replyCode'),
            column('class'),
            column('hard'),
            column('diagnostic'),
            column('remoteMta'),
            column('occurredAt'),
          ],
        );
      }
      return { state: 'recorded', report: Number(id) };
    });
  }

  /** Deletes the reports read before `before`, and their events. */
  async prune(before: Date): Promise<number> {
    const result = await this.db.query('DELETE FROM yougotdata_report WHERE read_at < $1', [before]);
    return result.rowCount ?? 0;
  }

  /** The latest event for each of the addresses (case ignored); empty before the tables exist. */
  async lastEvents(addresses: readonly string[]): Promise<DeliveryEvent[]> {
    if (addresses.length === 0) return [];
    const rows = await rowsIfMigrated(
      this.db,
      `SELECT DISTINCT ON (lower(e.address)) * FROM (${EVENT}) e
        WHERE lower(e.address) = ANY($1)
        ORDER BY lower(e.address), e.occurred_at DESC, e.report DESC`,
      [addresses.map((a) => a.toLowerCase())],
    );
    return (rows ?? []).map(deliveryEventOf);
  }

  /** Every failure reported since `since` (of these addresses only, case ignored, when given), oldest first. */
  async failures(since: Date, addresses?: readonly string[]): Promise<DeliveryEvent[]> {
    const rows = await rowsIfMigrated(
      this.db,
      `${EVENT} WHERE e.action = 'failed' AND e.occurred_at >= $1 AND ($2::text[] IS NULL OR lower(e.address) = ANY($2))
        ORDER BY e.occurred_at, e.report`,
      [since, addresses ? addresses.map((a) => a.toLowerCase()) : null],
    );
    return (rows ?? []).map(deliveryEventOf);
  }

  /** Failures of `mode`'s messages that `bounce` recorded since `since`, whenever they happened: what a run has not told yet. */
  async failuresReadSince(since: Date, mode: Mode): Promise<DeliveryEvent[]> {
    const rows = await rowsIfMigrated(
      this.db,
      `${EVENT} WHERE e.action = 'failed' AND r.read_at >= $1 AND m.mode = $2 ORDER BY r.read_at, e.report`,
      [since, mode],
    );
    return (rows ?? []).map(deliveryEventOf);
  }

  /** Each accepted recipient of each message sent since `since` among the addresses (case ignored). */
  async acceptances(addresses: readonly string[], since: Date): Promise<Acceptance[]> {
    if (addresses.length === 0) return [];
    const rows = await rowsIfMigrated<{ id: string; address: string; sent_at: Date }>(
      this.db,
      `SELECT m.id, a AS address, m.sent_at FROM yougotdata_message m, unnest(m.accepted) AS a
        WHERE m.status = 'sent' AND m.sent_at >= $2 AND lower(a) = ANY($1)
        ORDER BY m.sent_at`,
      [addresses.map((a) => a.toLowerCase()), since],
    );
    return (rows ?? []).map((row) => ({ sendId: Number(row.id), address: row.address, sentAt: row.sent_at }));
  }

  /**
   * Whether the loop from the bounce address back to `bounce` shows life: messages sent since `since`, reports ever
   * read, and reports kept for a person since `since`. Null before the tables exist.
   */
  async loopFacts(since: Date): Promise<{ messagesSent: number; reportsRead: number; kept: number } | null> {
    const rows = await rowsIfMigrated<{ sent: number; read: number; kept: number }>(
      this.db,
      `SELECT (SELECT count(*)::int FROM yougotdata_message WHERE status = 'sent' AND sent_at >= $1) AS sent,
              (SELECT count(*)::int FROM (SELECT 1 FROM yougotdata_report LIMIT 1) AS any_report) AS read,
              (SELECT count(*)::int FROM yougotdata_report WHERE kept AND read_at >= $1) AS kept`,
      [since],
    );
    const [row] = rows ?? [];
    return row ? { messagesSent: row.sent, reportsRead: row.read, kept: row.kept } : null;
  }
}
