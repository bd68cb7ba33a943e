/**
 * FitsStorage's `notification` table as the demo, the tests and the benchmark create and fill it. The job itself
 * never creates or writes it: the table belongs to FitsStorage.
 */
import pg from 'pg';
import type { Notification } from '../domain/notification.js';

/** FitsStorage's own definition of the table. */
export const FITSSTORAGE_NOTIFICATION_TABLE = `CREATE TABLE notification (
  id serial PRIMARY KEY,
  label text,
  selection text,
  piemail text,
  ngoemail text,
  csemail text,
  internal boolean
)`;

/** A row to insert: any column left out is NULL. */
export type NotificationRow = Partial<Notification> & { id: number };

const BATCH = 10_000;

/** Inserts the rows in batches, one `INSERT … SELECT FROM unnest` each, so 20,000 rows take a few round trips. */
export async function insertNotifications(db: Pick<pg.Pool, 'query'>, rows: readonly NotificationRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const column = (key: keyof Notification) => batch.map((row) => row[key] ?? null);
    await db.query(
      `INSERT INTO notification (id, label, selection, piemail, ngoemail, csemail, internal)
       SELECT *, false FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [column('id'), column('label'), column('selection'), column('piemail'), column('ngoemail'), column('csemail')],
    );
  }
}

/** Creates FitsStorage's notification table in the database at `url` and fills it: the demo's and the benchmark's. */
export async function loadNotifications(url: string, rows: readonly NotificationRow[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(FITSSTORAGE_NOTIFICATION_TABLE);
    await insertNotifications(client, rows);
    await client.query('ANALYZE notification');
  } finally {
    await client.end().catch(() => {});
  }
}
