import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type RunningPostgres, startEmbeddedPostgres } from '../src/demo/embedded-postgres.js';
import { FITSSTORAGE_NOTIFICATION_TABLE, insertNotifications, type NotificationRow } from '../src/demo/fitsstorage-table.js';

/** A PostgreSQL server on which the benchmark may create and drop databases. */
export interface BenchServer {
  adminUrl: string;
  /** For the printout: where it runs (never a password). */
  description: string;
  /** Started for this process (no admin URL was given), and stopped by stop(). */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The server at the admin URL in the first of `variables` set in `env` (`npm run bench`: BENCH_DATABASE_URL;
 * `npm run chaos`: CHAOS_DATABASE_URL, then TEST_DATABASE_URL), or else an embedded PostgreSQL.
 * DATABASE_URL is never read: databases are created and dropped there.
 */
export async function startBenchServer(
  env: NodeJS.ProcessEnv,
  variables: readonly string[] = ['BENCH_DATABASE_URL'],
): Promise<BenchServer> {
  for (const variable of variables) {
    const given = env[variable]?.trim();
    if (!given) continue;
    const url = new URL(given);
    return {
      adminUrl: given,
      description: `server at ${url.hostname}:${url.port || 5432} (${variable})`,
      embedded: false,
      stop: async () => {},
    };
  }
  const embedded: RunningPostgres = await startEmbeddedPostgres();
  return {
    adminUrl: embedded.url,
    description: `embedded PostgreSQL (${variables.join(' and ')} unset)`,
    embedded: true,
    stop: () => embedded.stop(),
  };
}

async function asAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** One run's database: created empty, so no run sees another's send record, whatever its tables are called. */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** `prefix` names the tool that made it, for anyone who finds one left behind. */
export async function createBenchDatabase(adminUrl: string, prefix = 'yougotdata_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await asAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => asAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

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
