import pg from 'pg';
import { FITSSTORAGE_NOTIFICATION_TABLE, insertNotifications, type NotificationRow } from '../src/demo/fitsstorage-table.js';

/** FitsStorage's notification table, created and filled. */
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
