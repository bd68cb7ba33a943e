import type pg from 'pg';

/** A row of FitsStorage's `notification` table, read as it is (every column but id nullable). */
export interface Notification {
  id: number;
  label: string | null;
  selection: string | null;
  piemail: string | null;
  ngoemail: string | null;
  csemail: string | null;
}

/**
 * FitsStorage's own definition of the table. yougotdata never creates it in production (it belongs
 * to FitsStorage); the demo and the tests create it with exactly this.
 */
export const FITSSTORAGE_NOTIFICATION_TABLE = `CREATE TABLE notification (
  id serial PRIMARY KEY,
  label text,
  selection text,
  piemail text,
  ngoemail text,
  csemail text,
  internal boolean
)`;

export class NotificationTableMissing extends Error {}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows ordered by id; with `match`, only the row whose id equals it or whose label or selection contains it. */
export async function readNotifications(db: pg.Pool, match?: string): Promise<Notification[]> {
  try {
    const result = await db.query<Notification>(
      `SELECT id, label::text, selection::text, piemail::text, ngoemail::text, csemail::text
         FROM notification
        WHERE $1::text IS NULL OR id::text = $1
           OR label ILIKE $2 ESCAPE '\\' OR selection ILIKE $2 ESCAPE '\\'
        ORDER BY id`,
      [match ?? null, match === undefined ? null : likePattern(match)],
    );
    return result.rows;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new NotificationTableMissing('the database has no "notification" table: is DATABASE_URL the FitsStorage database?');
    }
    throw error;
  }
}
