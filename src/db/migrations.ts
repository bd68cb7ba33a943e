import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inTransaction, isUndefinedTable } from './database.js';

const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Serialises concurrent `migrate` runs (and `send`, which migrates on start). */
const MIGRATION_LOCK = 0x79676400;

export interface MigrationResult {
  applied: string[];
  current: number;
}

/** The numbered files of migrations/, in the order they are applied. */
async function migrationFiles(): Promise<string[]> {
  return (await readdir(migrationsFolder)).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
}

/** Applies, in one transaction, every numbered file of migrations/ not yet recorded. Never touches `notification`. */
export async function migrate(pool: pg.Pool): Promise<MigrationResult> {
  const files = await migrationFiles();
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS yougotdata_migration (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM yougotdata_migration')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const name of files) {
      const version = Number.parseInt(name, 10);
      if (done.has(version)) continue;
      await client.query(await readFile(migrationsFolder + name, 'utf8'));
      await client.query('INSERT INTO yougotdata_migration (version, name) VALUES ($1, $2)', [version, name]);
      applied.push(name);
    }
    return { applied, current: Math.max(0, ...files.map((name) => Number.parseInt(name, 10))) };
  });
}

/** The database lacks tables or changes this version of the program needs: `migrate` must run first (exit 2). */
export class DatabaseNotMigrated extends Error {}

/**
 * Throws DatabaseNotMigrated unless every migration of this version is applied. Only `migrate` and `send` migrate
 * (ARCHITECTURE.md): another command that writes the tool's tables checks this first, and changes nothing.
 */
export async function requireMigrated(pool: pg.Pool): Promise<void> {
  const files = await migrationFiles();
  let done: Set<number>;
  try {
    done = new Set((await pool.query<{ version: number }>('SELECT version FROM yougotdata_migration')).rows.map((r) => r.version));
  } catch (error) {
    if (!isUndefinedTable(error)) throw error;
    done = new Set();
  }
  const missing = files.filter((name) => !done.has(Number.parseInt(name, 10)));
  if (missing.length === 0) return;
  const what = done.size === 0 ? "has none of yougotdata's tables" : `lacks ${missing.join(', ')}`;
  throw new DatabaseNotMigrated(`the database ${what}: run "yougotdata migrate" first`);
}
