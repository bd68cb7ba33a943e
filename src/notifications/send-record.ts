import type pg from 'pg';
import type { Mode, Night } from '../archive/night.js';

export type RecordedStatus = 'sending' | 'sent' | 'failed' | 'invalid-selection' | 'no-recipients';

export interface Refusal { address: string; reply: string }

/** What the send record holds for one (notification, night, mode). */
export interface SendRecord {
  notificationId: number;
  night: Night;
  mode: Mode;
  status: RecordedStatus;
  selection: string | null;
  to: string[];
  cc: string[];
  accepted: string[];
  refused: Refusal[];
  rejected: string[];
  files: string[];
  messageId: string | null;
  error: string | null;
  attempts: number;
  firstAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

export interface RecordKey { notificationId: number; night: Night; mode: Mode }

interface SendRow {
  notification_id: number; night: string; mode: Mode; status: RecordedStatus; selection: string | null;
  recipients_to: string[]; recipients_cc: string[]; accepted: string[]; refused: Refusal[]; rejected: string[];
  files: string[]; message_id: string | null; error: string | null; attempts: number;
  first_at: Date; updated_at: Date; sent_at: Date | null;
}

function toRecord(row: SendRow): SendRecord {
  return {
    notificationId: row.notification_id, night: row.night as Night, mode: row.mode, status: row.status,
    selection: row.selection, to: row.recipients_to, cc: row.recipients_cc, accepted: row.accepted,
    refused: row.refused, rejected: row.rejected, files: row.files, messageId: row.message_id, error: row.error,
    attempts: row.attempts, firstAt: row.first_at, updatedAt: row.updated_at, sentAt: row.sent_at,
  };
}

const undefinedTable = '42P01';

/** A dry run on a database never migrated has no record yet: nothing was sent. */
export async function recordsOfNight(db: pg.Pool, night: Night, mode: Mode): Promise<Map<number, SendRecord>> {
  try {
    const result = await db.query<SendRow>('SELECT * FROM yougotdata_send WHERE night = $1 AND mode = $2', [night, mode]);
    return new Map(result.rows.map((row) => [row.notification_id, toRecord(row)]));
  } catch (error) {
    if ((error as { code?: string }).code === undefinedTable) return new Map();
    throw error;
  }
}

export async function recordsOf(db: pg.Pool, notificationId: number, mode: Mode, nights: readonly Night[]): Promise<SendRecord[]> {
  const result = await db.query<SendRow>(
    'SELECT * FROM yougotdata_send WHERE notification_id = $1 AND mode = $2 AND night = ANY($3) ORDER BY night DESC',
    [notificationId, mode, nights],
  );
  return result.rows.map(toRecord);
}

export interface Intent extends RecordKey { selection: string; to: string[]; cc: string[]; rejected: string[]; files: string[]; messageId: string }

/** Written before SMTP submission: a crash after it leaves 'sending', and the next run sends again. */
export async function recordIntent(db: pg.Pool, intent: Intent): Promise<void> {
  await db.query(
    `INSERT INTO yougotdata_send AS s (notification_id, night, mode, status, selection, recipients_to, recipients_cc, rejected, files, message_id, attempts)
     VALUES ($1, $2, $3, 'sending', $4, $5, $6, $7, $8, $9, 1)
     ON CONFLICT (notification_id, night, mode) DO UPDATE SET
       status = 'sending', selection = $4, recipients_to = $5, recipients_cc = $6, rejected = $7, files = $8,
       message_id = $9, accepted = '{}', refused = '[]', error = NULL, attempts = s.attempts + 1, updated_at = now()`,
    [intent.notificationId, intent.night, intent.mode, intent.selection, intent.to, intent.cc, intent.rejected, intent.files, intent.messageId],
  );
}

export interface Delivery { accepted: string[]; refused: Refusal[]; messageId: string }

export async function recordDelivery(db: pg.Pool, key: RecordKey, delivery: Delivery): Promise<void> {
  await db.query(
    `UPDATE yougotdata_send SET status = 'sent', accepted = $4, refused = $5, message_id = $6, error = NULL,
            sent_at = now(), updated_at = now()
      WHERE notification_id = $1 AND night = $2 AND mode = $3`,
    [key.notificationId, key.night, key.mode, delivery.accepted, JSON.stringify(delivery.refused), delivery.messageId],
  );
}

export interface Problem extends RecordKey {
  status: Exclude<RecordedStatus, 'sending' | 'sent'>;
  selection: string | null;
  error: string;
  rejected: string[];
  refused?: Refusal[];
}

/** A run that could not send. A message delivered by an earlier run stays recorded as sent. */
export async function recordProblem(db: pg.Pool, problem: Problem): Promise<void> {
  await db.query(
    `INSERT INTO yougotdata_send AS s (notification_id, night, mode, status, selection, rejected, refused, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (notification_id, night, mode) DO UPDATE SET
       status = $4, selection = $5, rejected = $6, refused = $7, error = $8, updated_at = now()
     WHERE s.status <> 'sent'`,
    [problem.notificationId, problem.night, problem.mode, problem.status, problem.selection, problem.rejected,
      JSON.stringify(problem.refused ?? []), problem.error],
  );
}
