import type pg from 'pg';
import type { Mode } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import type { Refusal } from '../domain/result.js';
import { readOrNothing } from './database.js';

/** What was already announced to one notification for one night. */
export interface NightAnnouncements {
  files: ReadonlySet<string>;
  /** The latest message that announced some of them. */
  lastMessage: { id: number; sentAt: Date };
}

/** notification id → night → announcements, for the nights of a run. */
export type Announcements = Map<number, Map<Night, NightAnnouncements>>;

export async function announcementsOf(db: pg.Pool, mode: Mode, nights: readonly Night[]): Promise<Announcements> {
  const rows = await readOrNothing(
    async () =>
      (
        await db.query<{ notification_id: number; night: Night; files: string[]; message: string; sent_at: Date }>(
          `SELECT f.notification_id, f.night, array_agg(f.filename) AS files, last.id AS message, last.sent_at
       FROM yougotdata_file f
       JOIN LATERAL (SELECT m.id, m.sent_at FROM yougotdata_message m
                      WHERE m.notification_id = f.notification_id AND m.mode = f.mode AND m.night = f.night AND m.status = 'sent'
                      ORDER BY m.sent_at DESC LIMIT 1) last ON true
      WHERE f.mode = $1 AND f.night = ANY($2)
      GROUP BY f.notification_id, f.night, last.id, last.sent_at`,
          [mode, nights],
        )
      ).rows,
    [],
  );
  const announcements: Announcements = new Map();
  for (const row of rows) {
    const byNight = announcements.get(row.notification_id) ?? new Map<Night, NightAnnouncements>();
    byNight.set(row.night, { files: new Set(row.files), lastMessage: { id: Number(row.message), sentAt: row.sent_at } });
    announcements.set(row.notification_id, byNight);
  }
  return announcements;
}

/** `${notification id}:${night}` of the nights checked since `since` and found fully announced. */
export async function recentlyCompleteNights(db: pg.Pool, mode: Mode, nights: readonly Night[], since: Date): Promise<Set<string>> {
  if (nights.length === 0) return new Set();
  const rows = await readOrNothing(
    async () =>
      (
        await db.query<{ notification_id: number; night: string }>(
          'SELECT notification_id, night FROM yougotdata_night WHERE mode = $1 AND night = ANY($2) AND complete AND checked_at >= $3',
          [mode, nights, since],
        )
      ).rows,
    [],
  );
  return new Set(rows.map((row) => `${row.notification_id}:${row.night}`));
}

export interface RecordKey {
  notificationId: number;
  night: Night;
  mode: Mode;
}

export interface Intent extends RecordKey {
  selection: string;
  to: string[];
  cc: string[];
  files: string[];
  messageId: string;
  followsUp: number | null;
}

/** Written before SMTP submission: a crash after it leaves 'sending', and the files stay unannounced. */
export async function recordIntent(db: pg.Pool, intent: Intent): Promise<number> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO yougotdata_message (notification_id, night, mode, status, message_id, follows_up, selection, recipients_to, recipients_cc, files)
     VALUES ($1, $2, $3, 'sending', $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      intent.notificationId,
      intent.night,
      intent.mode,
      intent.messageId,
      intent.followsUp,
      intent.selection,
      intent.to,
      intent.cc,
      intent.files,
    ],
  );
  return Number(result.rows[0]?.id);
}

export interface Delivery {
  accepted: string[];
  refused: Refusal[];
}

/** The message marked sent and each of its files announced: one statement, so together or not at all. */
export async function recordDelivery(
  db: pg.Pool,
  message: number,
  key: RecordKey,
  files: readonly string[],
  delivery: Delivery,
): Promise<void> {
  await db.query(
    `WITH sent AS (
       UPDATE yougotdata_message SET status = 'sent', accepted = $2, refused = $3, sent_at = now() WHERE id = $1 RETURNING id
     )
     INSERT INTO yougotdata_file (notification_id, mode, filename, night, message)
     SELECT $4, $5, filename, $6, sent.id FROM sent, unnest($7::text[]) AS filename
     ON CONFLICT (notification_id, mode, filename) DO UPDATE SET night = EXCLUDED.night, message = EXCLUDED.message, announced_at = now()`,
    [message, delivery.accepted, JSON.stringify(delivery.refused), key.notificationId, key.mode, key.night, files],
  );
}

export async function recordFailedMessage(db: pg.Pool, message: number, error: string, refused: readonly Refusal[]): Promise<void> {
  await db.query(`UPDATE yougotdata_message SET status = 'failed', error = $2, refused = $3 WHERE id = $1`, [
    message,
    error,
    JSON.stringify(refused),
  ]);
}

/** The outcome of checking one night for one notification. */
export interface NightCheck extends RecordKey {
  status: string;
  selection: string | null;
  files: number;
  rejected: string[];
  error: string | null;
  /** Every file of the answer was announced (or there were none): a look-back may skip the night for a while. */
  complete: boolean;
}

/**
 * Night checks are bookkeeping, not delivery: they are written in batches, and one lost to a
 * crash costs at most an archive request the next run.
 */
export class NightCheckLog {
  private pending: (NightCheck & { checkedAt: Date })[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: pg.Pool,
    private readonly clock: () => Date,
    private readonly batchSize = 500,
  ) {}

  add(check: NightCheck): void {
    this.pending.push({ ...check, checkedAt: this.clock() });
    if (this.pending.length >= this.batchSize) void this.flush().catch(() => {});
  }

  /** Writes what is pending; rejects if a write failed. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // A failed batch must not stop the ones after it.
    this.writing = this.writing.catch(() => {}).then(() => (batch.length ? this.write(batch) : undefined));
    await this.writing;
  }

  private async write(batch: readonly (NightCheck & { checkedAt: Date })[]): Promise<void> {
    const column = <K extends keyof NightCheck | 'checkedAt'>(key: K) => batch.map((check) => check[key]);
    await this.db.query(
      `INSERT INTO yougotdata_night (notification_id, night, mode, status, selection, files, rejected, error, complete, checked_at)
       SELECT c.id, c.night, c.mode, c.status, c.selection, c.files, ARRAY(SELECT jsonb_array_elements_text(c.rejected)), c.error, c.complete, c.checked_at
         FROM unnest($1::int[], $2::char(8)[], $3::text[], $4::text[], $5::text[], $6::int[], $7::jsonb[], $8::text[], $9::bool[], $10::timestamptz[])
           AS c(id, night, mode, status, selection, files, rejected, error, complete, checked_at)
       ON CONFLICT (notification_id, night, mode) DO UPDATE SET
         status = EXCLUDED.status, selection = EXCLUDED.selection, files = EXCLUDED.files, rejected = EXCLUDED.rejected,
         error = EXCLUDED.error, complete = EXCLUDED.complete, checked_at = EXCLUDED.checked_at`,
      [
        column('notificationId'),
        column('night'),
        column('mode'),
        column('status'),
        column('selection'),
        column('files'),
        batch.map((check) => JSON.stringify(check.rejected)),
        column('error'),
        column('complete'),
        column('checkedAt'),
      ],
    );
  }
}

/** Everything the record holds on one notification for some nights of one mode, newest first: for support. */
export interface NotificationHistory {
  nights: (NightCheck & { checkedAt: Date })[];
  messages: MessageRecord[];
}

export interface MessageRecord extends RecordKey {
  id: number;
  status: 'sending' | 'sent' | 'failed';
  messageId: string;
  followsUp: number | null;
  to: string[];
  cc: string[];
  accepted: string[];
  refused: Refusal[];
  files: string[];
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export async function historyOf(db: pg.Pool, notificationId: number, mode: Mode, nights: readonly Night[]): Promise<NotificationHistory> {
  const nightRows = await readOrNothing(
    async () =>
      (
        await db.query(`SELECT * FROM yougotdata_night WHERE notification_id = $1 AND mode = $2 AND night = ANY($3) ORDER BY night DESC`, [
          notificationId,
          mode,
          nights,
        ])
      ).rows,
    [],
  );
  const messageRows = await readOrNothing(
    async () =>
      (
        await db.query(
          `SELECT * FROM yougotdata_message WHERE notification_id = $1 AND mode = $2 AND night = ANY($3) ORDER BY created_at DESC, id DESC`,
          [notificationId, mode, nights],
        )
      ).rows,
    [],
  );
  return {
    nights: nightRows.map((row) => ({
      notificationId: row.notification_id,
      night: row.night,
      mode: row.mode,
      status: row.status,
      selection: row.selection,
      files: row.files,
      rejected: row.rejected,
      error: row.error,
      complete: row.complete,
      checkedAt: row.checked_at,
    })),
    messages: messageRows.map((row) => ({
      id: Number(row.id),
      notificationId: row.notification_id,
      night: row.night,
      mode: row.mode,
      status: row.status,
      messageId: row.message_id,
      followsUp: row.follows_up === null ? null : Number(row.follows_up),
      to: row.recipients_to,
      cc: row.recipients_cc,
      accepted: row.accepted,
      refused: row.refused,
      files: row.files,
      error: row.error,
      createdAt: row.created_at,
      sentAt: row.sent_at,
    })),
  };
}

/** Whether the send record exists yet (`migrate` has run): `why` says "no record yet" rather than "nothing sent". */
export async function sendRecordExists(db: pg.Pool): Promise<boolean> {
  const result = await db.query<{ name: string | null }>("SELECT to_regclass('yougotdata_message')::text AS name");
  return typeof result.rows[0]?.name === 'string';
}
