import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { FITSSTORAGE_NOTIFICATION_TABLE } from '../../src/demo/fitsstorage-table.js';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A new, empty database on the test server (one per test file or test), with FitsStorage's notification table. */
export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `yougotdata_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // pool.end() resolves before its connections have closed; DROP … WITH (FORCE) then ends them from the server, and
  // the pool would report that as an error nobody listens for (an uncaught exception in whichever test runs next).
  pool.on('error', () => {});
  await pool.query(FITSSTORAGE_NOTIFICATION_TABLE);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
