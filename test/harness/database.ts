import pg from 'pg';
import { inject } from 'vitest';
import { FITSSTORAGE_NOTIFICATION_TABLE } from '../../src/demo/fitsstorage-table.js';
import { createScratchDatabase } from '../../src/demo/scratch-database.js';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A new, empty database on the test server (one per test file or test), with FitsStorage's notification table. */
export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const database = await createScratchDatabase(adminUrl, 'yougotdata_test');
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // pool.end() resolves before its connections have closed; DROP … WITH (FORCE) then ends them from the server, and
  // the pool would report that as an error nobody listens for (an uncaught exception in whichever test runs next).
  pool.on('error', () => {});
  await pool.query(FITSSTORAGE_NOTIFICATION_TABLE);
  return {
    url: database.url,
    pool,
    async drop() {
      await pool.end();
      await database.drop();
    },
  };
}
