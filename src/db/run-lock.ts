import pg from 'pg';
import { type Mode, profileOf } from '../domain/mode.js';

/** Another run of the same mode holds the lock: try again later (exit 75). */
export class RunLockBusy extends Error {}

const LOCK_CLASS = 0x79676401;
const lockKeys: Record<Mode, number> = { pi: 1, check: 2 };

/** The run's lock session ended (terminated, connection lost): the run must stop sending (exit 75). */
export class RunLockLost extends Error {}

export interface RunLock {
  /** Throws RunLockLost unless this session still holds the lock (one round trip on the lock's own connection). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/**
 * A session advisory lock per mode, held on its own connection for the whole run: PostgreSQL
 * frees it if the process dies, so a crashed run never blocks the next one.
 */
export async function acquireRunLock(url: string, mode: Mode, applicationName: string): Promise<RunLock> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  let lost: string | null = null;
  client.on('error', (error) => {
    lost ??= error.message;
  });
  client.on('end', () => {
    lost ??= 'the connection ended';
  });
  await client.connect();
  const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, lockKeys[mode]]);
  if (!locked.rows[0]?.ok) {
    const holder = await client
      .query<{ pid: number; application_name: string; backend_start: Date; client_addr: string | null }>(
        `SELECT a.pid, a.application_name, a.backend_start, a.client_addr::text
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [LOCK_CLASS, lockKeys[mode]],
      )
      .catch(() => ({ rows: [] }));
    await client.end().catch(() => {});
    const who = holder.rows[0];
    throw new RunLockBusy(
      `another ${profileOf(mode).name} run is in progress` +
        (who ? ` (${who.application_name || 'unnamed'}, database pid ${who.pid}, since ${who.backend_start.toISOString()})` : '') +
        '; try again when it has finished',
    );
  }
  const lostLock = (why: string) =>
    new RunLockLost(`lost the run lock (${why}): stopped sending; try again later (a rerun completes the night)`);
  const isHeld = async (): Promise<boolean> => {
    const held = await client
      .query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2
                         AND pid = pg_backend_pid() AND granted) AS ok`,
        [LOCK_CLASS, lockKeys[mode]],
      )
      .catch((error: Error) => {
        lost ??= error.message;
        return { rows: [{ ok: false }] };
      });
    return held.rows[0]?.ok === true;
  };
  // One check at a time on the lock's connection. Callers that arrive while one runs share the next, which starts
  // after they asked, so each still learns whether the lock was held after its own call.
  let running: Promise<unknown> = Promise.resolve();
  let next: Promise<boolean> | null = null;
  return {
    async assertHeld() {
      if (lost) throw lostLock(lost);
      next ??= running.then(() => {
        next = null;
        return isHeld();
      });
      const check = next;
      running = check;
      if (!(await check)) throw lostLock(lost ?? 'no longer held');
    },
    async release() {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, lockKeys[mode]]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** A run lock held now: by which mode, and since when the holding connection was opened (null when the role may not see it). */
export interface HeldRunLock {
  mode: Mode;
  since: Date | null;
}

/** The run locks held at this moment, for `history`: a run with no end whose lock is held is running, not crashed. */
export async function heldRunLocks(db: pg.Pool): Promise<HeldRunLock[]> {
  const result = await db.query<{ key: number; since: Date | null }>(
    `SELECT l.objid::int AS key, a.backend_start AS since
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objsubid = 2 AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK_CLASS],
  );
  const modes = Object.entries(lockKeys) as [Mode, number][];
  return result.rows.flatMap((row) => modes.filter(([, key]) => key === row.key).map(([mode]) => ({ mode, since: row.since })));
}
