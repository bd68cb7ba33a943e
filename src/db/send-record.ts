/**
 * The send record: what was sent, to whom, listing which files, for each notification, night and mode.
 * yougotdata_message gets a row just before a message is handed to SMTP ('sending') and again after ('sent', 'failed',
 * or 'unknown' when the whole message went out and no reply came); yougotdata_file a row per announced file, in the
 * statement that marks its message sent; yougotdata_outcome a row per archive request a run made for a notification,
 * with what each night it covered came to (see migrations/001_send_record.sql, 004_unknown_delivery.sql and
 * 007_outcome_per_request.sql).
 */
import type pg from 'pg';
import type { Mode } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import type { Intent, NightAnnouncements, NightOutcome, NoticeKey } from '../domain/notice.js';
import type { Refusal, RelayReply } from '../domain/result.js';
import { rowsIfMigrated } from './database.js';

/** notification id → night → announcements, for the nights of a run. */
export type Announcements = Map<number, Map<Night, NightAnnouncements>>;

/** A night's outcome as recorded; `checkedAt` (column `checked_at`): when the run that found it recorded it. */
export interface RecordedNightOutcome extends NightOutcome {
  checkedAt: Date;
}

/** What one night a request covered came to. */
export type CoveredNight = Pick<NightOutcome, 'night' | 'status' | 'files' | 'error' | 'complete'>;

/** A row of yougotdata_outcome: one request, and what each night it covered came to, in the order asked. */
export interface RequestOutcomes {
  notificationId: number;
  mode: Mode;
  url: string | null;
  selection: string | null;
  rejected: readonly string[];
  outcomes: CoveredNight[];
  checkedAt: Date;
}

/** One notification's night outcomes of one run as rows: the nights that share a request share its row. */
export function requestOutcomes(outcomes: readonly NightOutcome[], checkedAt: Date): RequestOutcomes[] {
  const rows = new Map<string | null, RequestOutcomes>();
  for (const { notificationId, mode, url, selection, rejected, night, status, files, error, complete } of outcomes) {
    const row = rows.get(url) ?? { notificationId, mode, url, selection, rejected, outcomes: [], checkedAt };
    row.outcomes.push({ night, status, files, error, complete });
    rows.set(url, row);
  }
  return [...rows.values()];
}

// biome-ignore lint/suspicious/noExplicitAny: a night's row as the history queries return it, typed by the mapping below
const recordedOutcomeOf = (row: Record<string, any>): RecordedNightOutcome => ({
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
  url: row.url,
});

/** Each night's outcome of each request, as columns (`o.`) beside the request's own (`c.`). */
const COVERED_NIGHTS = `yougotdata_outcome c
  CROSS JOIN LATERAL jsonb_to_recordset(c.outcomes) AS o(night char(8), status text, files integer, error text, complete boolean)`;

export interface MessageRecord extends NoticeKey {
  id: number;
  status: 'sending' | 'sent' | 'failed' | 'unknown';
  messageId: string;
  followsUp: number | null;
  to: string[];
  cc: string[];
  bcc: string[];
  accepted: string[];
  refused: Refusal[];
  /** The relay's reply to each transaction it accepted, with its queue id (docs/sending.md#relay-replies). */
  relay: RelayReply[];
  files: string[];
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** Everything the record holds on one notification for some nights of one mode, newest first: for support. */
export interface NotificationHistory {
  nights: RecordedNightOutcome[];
  messages: MessageRecord[];
}

/** The send record of one database. */
export class SendRecord {
  constructor(private readonly db: pg.Pool) {}

  /** Whether the tables exist yet (`migrate` has run): support then says "no record yet" rather than "nothing sent". */
  async exists(): Promise<boolean> {
    const result = await this.db.query<{ name: string | null }>("SELECT to_regclass('yougotdata_message')::text AS name");
    return typeof result.rows[0]?.name === 'string';
  }

  async announcements(mode: Mode, nights: readonly Night[]): Promise<Announcements> {
    const rows = await rowsIfMigrated<{
      notification_id: number;
      night: Night;
      files: string[];
      last: string;
      sent_at: Date;
      first: string;
    }>(
      this.db,
      // The files grouped first, so the two message lookups run once per notification and night, not once per file.
      `WITH announced AS (
         SELECT notification_id, mode, night, array_agg(filename) AS files
           FROM yougotdata_file
          WHERE mode = $1 AND night = ANY($2)
          GROUP BY notification_id, mode, night
       )
       SELECT a.notification_id, a.night, a.files, last.id AS last, last.sent_at, first.message_id AS first
         FROM announced a
         JOIN LATERAL (SELECT m.id, m.sent_at FROM yougotdata_message m
                        WHERE m.notification_id = a.notification_id AND m.mode = a.mode AND m.night = a.night AND m.status = 'sent'
                        ORDER BY m.sent_at DESC LIMIT 1) last ON true
         JOIN LATERAL (SELECT m.message_id FROM yougotdata_message m
                        WHERE m.notification_id = a.notification_id AND m.mode = a.mode AND m.night = a.night AND m.status = 'sent'
                        ORDER BY m.sent_at, m.id LIMIT 1) first ON true`,
      [mode, nights],
    );
    const announcements: Announcements = new Map();
    for (const row of rows ?? []) {
      const byNight = announcements.get(row.notification_id) ?? new Map<Night, NightAnnouncements>();
      byNight.set(row.night, {
        files: new Set(row.files),
        lastMessage: { id: Number(row.last), sentAt: row.sent_at },
        firstMessageId: row.first,
      });
      announcements.set(row.notification_id, byNight);
    }
    return announcements;
  }

  /** `${notification id}:${night}` of the nights whose latest outcome, recorded since `since`, was that all was announced. */
  async recentlyComplete(mode: Mode, nights: readonly Night[], since: Date): Promise<Set<string>> {
    if (nights.length === 0) return new Set();
    const rows = await rowsIfMigrated<{ notification_id: number; night: string; complete: boolean }>(
      this.db,
      `SELECT DISTINCT ON (c.notification_id, o.night) c.notification_id, o.night, o.complete
         FROM ${COVERED_NIGHTS}
        WHERE c.mode = $1 AND c.checked_at >= $3 AND c.nights && $2::char(8)[] AND o.night = ANY($2)
        ORDER BY c.notification_id, o.night, c.checked_at DESC, c.id DESC`,
      [mode, nights, since],
    );
    return new Set((rows ?? []).filter((row) => row.complete).map((row) => `${row.notification_id}:${row.night}`));
  }

  /** Written before the message is handed over: a crash after it leaves 'sending', and the files stay unannounced. */
  async intent(intent: Intent): Promise<number> {
    const columns =
      'notification_id, night, mode, status, message_id, follows_up, selection, recipients_to, recipients_cc, recipients_bcc, files';
    const result = await this.db.query<{ id: string }>(
      `INSERT INTO yougotdata_message (${columns})
       VALUES ($1, $2, $3, 'sending', $4, $5, $6, $7, $8, $10, $9) RETURNING id`,
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
        intent.bcc,
      ],
    );
    return Number(result.rows[0]?.id);
  }

  /** The message marked sent and each of its files announced: one statement, so together or not at all. */
  async sent(
    message: number,
    key: NoticeKey,
    files: readonly string[],
    accepted: readonly string[],
    refused: readonly Refusal[],
    relay: readonly RelayReply[] = [],
  ): Promise<void> {
    const reannounced = 'night = EXCLUDED.night, message = EXCLUDED.message, announced_at = now()';
    await this.db.query(
      `WITH sent AS (
         UPDATE yougotdata_message SET status = 'sent', accepted = $2, refused = $3, relay = $8, sent_at = now()
          WHERE id = $1 RETURNING id
       )
       INSERT INTO yougotdata_file (notification_id, mode, filename, night, message)
       SELECT $4, $5, filename, $6, sent.id FROM sent, unnest($7::text[]) AS filename
       ON CONFLICT (notification_id, mode, filename) DO UPDATE SET ${reannounced}`,
      [message, accepted, JSON.stringify(refused), key.notificationId, key.mode, key.night, files, JSON.stringify(relay)],
    );
  }

  async failed(message: number, error: string, refused: readonly Refusal[]): Promise<void> {
    await this.db.query(`UPDATE yougotdata_message SET status = 'failed', error = $2, refused = $3 WHERE id = $1`, [
      message,
      error,
      JSON.stringify(refused),
    ]);
  }

  /** The whole message went out and the server never answered: not announced, so the next run sends it once more. */
  async unknown(message: number, error: string, refused: readonly Refusal[]): Promise<void> {
    await this.db.query(`UPDATE yougotdata_message SET status = 'unknown', error = $2, refused = $3 WHERE id = $1`, [
      message,
      error,
      JSON.stringify(refused),
    ]);
  }

  /**
   * `${notification id}:${night}` → the message whose latest word is `unknown`, for the nights given: the run that sends
   * them again says so.
   */
  async unconfirmed(mode: Mode, nights: readonly Night[]): Promise<Map<string, { messageId: string; createdAt: Date }>> {
    const rows = await rowsIfMigrated<{ notification_id: number; night: Night; message_id: string; created_at: Date }>(
      this.db,
      `SELECT u.notification_id, u.night, u.message_id, u.created_at
         FROM yougotdata_message u
        WHERE u.mode = $1 AND u.night = ANY($2) AND u.status = 'unknown'
          AND NOT EXISTS (SELECT 1 FROM yougotdata_message later
                           WHERE later.notification_id = u.notification_id AND later.mode = u.mode AND later.night = u.night
                             AND later.id > u.id)`,
      [mode, nights],
    );
    return new Map(
      (rows ?? []).map((row) => [`${row.notification_id}:${row.night}`, { messageId: row.message_id, createdAt: row.created_at }]),
    );
  }

  /**
   * Adds the requests' outcomes given, one row each. The batch goes as one JSON document: as arrays, pg would escape
   * every value into a string of its own, garbage enough to raise the run's peak memory (README, Performance).
   */
  async recordOutcomes(batch: readonly RequestOutcomes[]): Promise<void> {
    await this.db.query(
      `INSERT INTO yougotdata_outcome (notification_id, mode, url, selection, rejected, nights, outcomes, checked_at)
       SELECT c."notificationId", c.mode, c.url, c.selection,
              ARRAY(SELECT r.value FROM jsonb_array_elements_text(c.rejected) WITH ORDINALITY AS r(value, i) ORDER BY r.i),
              ARRAY(SELECT o.value->>'night' FROM jsonb_array_elements(c.outcomes) WITH ORDINALITY AS o(value, i) ORDER BY o.i)::char(8)[],
              c.outcomes, c."checkedAt"
         FROM jsonb_to_recordset($1::jsonb) AS c("notificationId" integer, mode text, url text, selection text, rejected jsonb,
                                                  outcomes jsonb, "checkedAt" timestamptz)`,
      [JSON.stringify(batch)],
    );
  }

  /**
   * The latest outcome of each night given, newest night first; on a database not yet migrated to one row per request
   * (before 007_outcome_per_request.sql), from the row per night it kept then.
   */
  private async latestOutcomes(notificationId: number, mode: Mode, nights: readonly Night[]): Promise<RecordedNightOutcome[] | null> {
    const values = [notificationId, mode, nights];
    const rows =
      (await rowsIfMigrated(
        this.db,
        `SELECT DISTINCT ON (o.night) c.notification_id, o.night, c.mode, o.status, c.selection, o.files, c.rejected, o.error,
                o.complete, c.checked_at, c.url
           FROM ${COVERED_NIGHTS}
          WHERE c.notification_id = $1 AND c.mode = $2 AND c.nights && $3::char(8)[] AND o.night = ANY($3)
          ORDER BY o.night DESC, c.checked_at DESC, c.id DESC`,
        values,
      )) ??
      (await rowsIfMigrated(
        this.db,
        'SELECT * FROM yougotdata_night WHERE notification_id = $1 AND mode = $2 AND night = ANY($3) ORDER BY night DESC',
        values,
      ));
    return rows?.map(recordedOutcomeOf) ?? null;
  }

  async history(notificationId: number, mode: Mode, nights: readonly Night[]): Promise<NotificationHistory> {
    const values = [notificationId, mode, nights];
    const where = 'notification_id = $1 AND mode = $2 AND night = ANY($3)';
    const [outcomes, messageRows] = await Promise.all([
      this.latestOutcomes(notificationId, mode, nights),
      rowsIfMigrated(this.db, `SELECT * FROM yougotdata_message WHERE ${where} ORDER BY created_at DESC, id DESC`, values),
    ]);
    return {
      nights: outcomes ?? [],
      messages: (messageRows ?? []).map((row) => ({
        id: Number(row.id),
        notificationId: row.notification_id,
        night: row.night,
        mode: row.mode,
        status: row.status,
        messageId: row.message_id,
        followsUp: row.follows_up === null ? null : Number(row.follows_up),
        to: row.recipients_to,
        cc: row.recipients_cc,
        bcc: row.recipients_bcc ?? [],
        accepted: row.accepted,
        refused: row.refused,
        relay: row.relay ?? [],
        files: row.files,
        error: row.error,
        createdAt: row.created_at,
        sentAt: row.sent_at,
      })),
    };
  }
}

/**
 * Requests' outcomes written in one statement: a few writes a second at the benchmark's pace, each batch's JSON (about
 * 40 kB) small enough to stay out of V8's large-object space, which only a full collection empties.
 */
const OUTCOMES_PER_WRITE = 100;

/**
 * Night outcomes are bookkeeping, not delivery: they are written in batches, and a batch lost (to a crash, or to a
 * failed write, which is logged) costs at most an archive request the next run, which asks about those nights again.
 */
export class NightOutcomeLog {
  private pending: RequestOutcomes[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly record: Pick<SendRecord, 'recordOutcomes'>,
    private readonly clock: () => Date,
    private readonly warn: (message: string) => void,
  ) {}

  /** One notification's outcomes of the run's nights: a row per request made. */
  add(outcomes: readonly NightOutcome[]): void {
    this.pending.push(...requestOutcomes(outcomes, this.clock()));
    if (this.pending.length >= OUTCOMES_PER_WRITE) void this.flush();
  }

  /** Writes what is pending, after any batch already being written; never rejects. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() =>
      this.record.recordOutcomes(batch).catch((error: Error) => {
        this.warn(
          `the outcomes of ${batch.length} archive requests could not be recorded (${error.message}); the next run checks those nights again`,
        );
      }),
    );
    return this.writing;
  }
}
