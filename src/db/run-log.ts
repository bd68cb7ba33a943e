import type pg from 'pg';
import type { Mode } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import { rowsIfMigrated } from './database.js';

export interface RunStart {
  night: Night;
  mode: Mode;
  host: string;
  pid: number;
}

export interface RunEntry {
  id: number;
  startedAt: Date;
  finishedAt: Date | null;
  night: Night;
  mode: Mode;
  dryRun: boolean;
  host: string;
  pid: number;
  totals: Record<string, number> | null;
  exitCode: number | null;
}

// biome-ignore lint/suspicious/noExplicitAny: a row of yougotdata_run as pg returns it, typed by the mapping below
const runEntryOf = (row: Record<string, any>): RunEntry => ({
  id: Number(row.id),
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  night: row.night,
  mode: row.mode,
  dryRun: row.dry_run,
  host: row.host,
  pid: row.pid,
  totals: row.totals,
  exitCode: row.exit_code,
});

/** One row per run of `send` (migrations/002_run_log.sql): "did cron run?" answered from the database. */
export class RunLog {
  constructor(private readonly db: pg.Pool) {}

  async start(run: RunStart): Promise<number> {
    const result = await this.db.query<{ id: string }>(
      // A dry run writes no run log, so dry_run (migration 002) is always false.
      'INSERT INTO yougotdata_run (night, mode, dry_run, host, pid) VALUES ($1, $2, false, $3, $4) RETURNING id',
      [run.night, run.mode, run.host, run.pid],
    );
    return Number(result.rows[0]?.id);
  }

  async end(id: number, totals: Record<string, number>, exitCode: number): Promise<void> {
    await this.db.query('UPDATE yougotdata_run SET finished_at = now(), totals = $2, exit_code = $3 WHERE id = $1', [id, totals, exitCode]);
  }

  /**
   * What a run of `mode` needs of the earlier ones, in one query: when the last that exited 0 ended, and up to when
   * the digests have told the bounces read (migrations/009_bounces_told.sql); null: none did.
   */
  async before(mode: Mode): Promise<{ lastSuccess: Date | null; bouncesToldUntil: Date | null }> {
    const result = await this.db.query<{ last_success: Date | null; told_until: Date | null }>(
      `SELECT max(finished_at) FILTER (WHERE exit_code = 0) AS last_success, max(bounces_told_until) AS told_until
         FROM yougotdata_run WHERE mode = $1`,
      [mode],
    );
    const row = result.rows[0];
    return { lastSuccess: row?.last_success ?? null, bouncesToldUntil: row?.told_until ?? null };
  }

  /** The run's digest told the bounces read up to `until` (or there was nobody to tell). */
  async bouncesTold(id: number, until: Date): Promise<void> {
    await this.db.query('UPDATE yougotdata_run SET bounces_told_until = $2 WHERE id = $1', [id, until]);
  }

  /** The runs started since `since`, oldest first; null before the run log exists (no run was ever recorded). */
  since(since: Date): Promise<RunEntry[] | null> {
    return this.where('started_at >= $1', [since]);
  }

  /** The runs of one night and mode, for `why`. */
  async ofNight(night: Night, mode: Mode): Promise<RunEntry[]> {
    return (await this.where('night = $1 AND mode = $2', [night, mode])) ?? [];
  }

  private async where(where: string, values: unknown[]): Promise<RunEntry[] | null> {
    const rows = await rowsIfMigrated(
      this.db,
      `SELECT id, started_at, finished_at, night, mode, dry_run, host, pid, totals, exit_code
         FROM yougotdata_run WHERE ${where} ORDER BY started_at`,
      values,
    );
    return rows?.map(runEntryOf) ?? null;
  }
}
