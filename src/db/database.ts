import pg from 'pg';

/** The database cannot be reached: the run should be tried again later (exit 75). */
export class DatabaseUnavailable extends Error {}

/** The server answered and refused: a wrong password, an unknown role or database. Fix DATABASE_URL first (exit 2). */
export class DatabaseRefused extends Error {}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', '57P03']);

/** invalid_password, invalid_authorization_specification (no such role, or pg_hba refuses it), invalid_catalog_name. */
const refusedCodes = new Set(['28P01', '28000', '3D000']);

export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    (code !== undefined && unreachableCodes.has(code)) ||
    /Connection terminated|connect ETIMEDOUT|timeout expired/i.test(String((error as Error)?.message))
  );
}

/** The database answered with an error, or could not be reached: not a fault of the data being written. */
export const isDatabaseError = (error: unknown): boolean => error instanceof pg.DatabaseError || isUnreachable(error);

const UNDEFINED_TABLE = '42P01';

export const isUndefinedTable = (error: unknown): boolean => (error as { code?: string } | null)?.code === UNDEFINED_TABLE;

/** The rows of a query on yougotdata's own tables; null on a database never migrated, where nothing was recorded yet. */
export async function rowsIfMigrated<R extends pg.QueryResultRow>(db: pg.Pool, text: string, values: unknown[]): Promise<R[] | null> {
  try {
    return (await db.query<R>(text, values)).rows;
  } catch (error) {
    if (isUndefinedTable(error)) return null;
    throw error;
  }
}

/**
 * pg's own SCRAM handshake fails before the server can refuse (no SQLSTATE): above all when the server asks for a
 * password and DATABASE_URL holds none. A login problem to fix, not a bug, so it gets a line of its own.
 */
function authenticationProblem(error: unknown): string | null {
  const message = (error as Error | null)?.message ?? '';
  if (!message.startsWith('SASL: ')) return null;
  if (/client password must be a (non-empty )?string/.test(message)) {
    // Not written as a whole URL: a URL's password is masked in every message (src/text/credentials.ts).
    return 'the database asks for a password and DATABASE_URL has none: write it after the user name and a colon (user:password@host), or in ~/.pgpass';
  }
  return `the database login failed: ${message}: check the user and password of DATABASE_URL`;
}

export interface DatabaseOptions {
  url: string;
  /** Shown in pg_stat_activity, so an operator can tell which run holds a lock. */
  applicationName: string;
  maxConnections?: number;
}

/** A pool whose first connection is tried at once, so an unreachable server is reported before any work. */
export async function openDatabase(options: DatabaseOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: options.url,
    application_name: options.applicationName,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
    // A server gone silent (not refusing) must not hang the run: the query fails and the row is retried next run.
    query_timeout: 70_000,
    keepAlive: true,
  });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
    return pool;
  } catch (error) {
    await pool.end().catch(() => {});
    if (refusedCodes.has((error as { code?: string }).code ?? '')) {
      throw new DatabaseRefused(
        `the database refused the connection: ${(error as Error).message}: check the user, password and database of DATABASE_URL`,
      );
    }
    const handshake = authenticationProblem(error);
    if (handshake) throw new DatabaseRefused(handshake);
    if (isUnreachable(error)) {
      throw new DatabaseUnavailable(`cannot reach the database: ${(error as Error).message}; try again later`);
    }
    throw error;
  }
}

/** Runs `work` in one transaction on one pooled connection: committed whole, or rolled back and rethrown. */
export async function inTransaction<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  // A lost connection fails the next query; without a listener it would crash the process.
  const broken = (error: Error) => void error;
  client.on('error', broken);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.off('error', broken);
    client.release();
  }
}
