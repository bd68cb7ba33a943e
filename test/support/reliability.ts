import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { SinkMessage } from '../../src/sink/index.js';
import { scienceFiles, yougotdata, type CommandRun, type Peers } from './peers.js';
import type { NotificationRow } from './database.js';

/** The night every reliability test runs, unless it needs several. */
export const NIGHT = '20261126';

/** Short timeouts so a fault costs about a second; no look-back unless a test is about it. */
export function reliabilityEnv(peers: Peers, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...peers.env,
    LOOKBACK_NIGHTS: '0',
    ARCHIVE_TIMEOUT_MS: '1000',
    ARCHIVE_RETRIES: '2',
    SMTP_TIMEOUT_MS: '1000',
    ...extra,
  };
}

/**
 * Everything back to empty between tests, whatever tables the tool keeps: every `yougotdata…` table is
 * dropped, so the next run migrates from scratch (the send record's layout is the tool's own business).
 */
export async function resetAll(peers: Peers): Promise<void> {
  await peers.db.pool.query('DELETE FROM notification');
  const tables = await peers.db.pool.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'yougotdata%'",
  );
  if (tables.rows.length > 0) await peers.db.pool.query(`DROP TABLE IF EXISTS ${tables.rows.map((t) => `"${t.name}"`).join(', ')} CASCADE`);
  for (const standIn of [peers.archive, peers.summit]) {
    standIn.clear();
    standIn.resetStats();
  }
  peers.sink.clear();
  peers.sink.faults.reset();
}

/** Notification `id` for program GN-2026B-Q-`id`, mailed to pi`id`@uni.test only (so the sink tells notifications apart). */
export function piRow(id: number, extra: Partial<NotificationRow> = {}): NotificationRow {
  return { id, label: `Auto - GN-2026B-Q-${id}`, selection: `GN-2026B-Q-${id}/science`, piemail: `pi${id}@uni.test`, ...extra };
}

export const piAddress = (id: number) => `pi${id}@uni.test`;

/** Adds the notifications (`piRow`), and two science files of the night for each id in `withData`. */
export async function addNight(peers: Peers, ids: readonly number[], withData: readonly number[]): Promise<void> {
  await peers.addNotifications(ids.map((id) => piRow(id)));
  for (const id of withData) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 2, NIGHT));
}

/** How many messages each envelope recipient got (Bcc included), lower-cased. */
export function copiesPerRecipient(messages: readonly SinkMessage[]): Map<string, number> {
  const copies = new Map<string, number>();
  for (const message of messages) {
    for (const address of new Set(message.envelope.to.map((a) => a.toLowerCase()))) copies.set(address, (copies.get(address) ?? 0) + 1);
  }
  return copies;
}

/** Copies each notification's PI got. */
export function copiesPerNotification(messages: readonly SinkMessage[], ids: readonly number[]): Map<number, number> {
  const perRecipient = copiesPerRecipient(messages);
  return new Map(ids.map((id) => [id, perRecipient.get(piAddress(id)) ?? 0]));
}

export interface ReportResult {
  id: number;
  status: string;
  files: number;
  to: string[];
  cc: string[];
  rejected: string[];
  refused: string[];
  error: string | null;
  messageId: string | null;
}

export interface Report {
  date: string;
  mode: string;
  dryRun: boolean;
  results: ReportResult[];
  totals: Record<string, number>;
}

export const statusesOf = (report: Report) => Object.fromEntries(report.results.map((r) => [r.id, r.status]));
export const idsWith = (report: Report, status: string) => report.results.filter((r) => r.status === status).map((r) => r.id);

/** `send --date NIGHT --json` in this process. */
export function sendInProcess(env: Record<string, string>, ...args: string[]): Promise<CommandRun> {
  return yougotdata(['send', '--date', NIGHT, '--json', ...args], env);
}

/** `yougotdata argv` in this process, tried again while it exits 75 because a killed run's lock is not yet freed. */
export async function sendUntilLocked(argv: readonly string[], env: Record<string, string>): Promise<CommandRun> {
  for (let attempt = 0; ; attempt += 1) {
    const run = await yougotdata(argv, env);
    if (run.code !== 75 || attempt >= 50 || !/another .* run is in progress/.test(run.stderr)) return run;
    await sleep(100);
  }
}

/**
 * Notifications with a row of the send record in one of `statuses` for a night, whatever the record's layout:
 * every `yougotdata…` table with notification_id, night and status columns is read.
 */
export async function recordedWith(pool: pg.Pool, night: string, statuses: readonly string[]): Promise<number[]> {
  const tables = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name LIKE 'yougotdata%' AND column_name IN ('notification_id', 'night', 'status')
      GROUP BY table_name HAVING count(*) = 3`,
  );
  const ids = new Set<number>();
  for (const { table_name: table } of tables.rows) {
    const rows = await pool.query<{ id: number }>(`SELECT notification_id AS id FROM "${table}" WHERE night = $1 AND status = ANY($2)`, [night, statuses]);
    for (const row of rows.rows) ids.add(row.id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Notifications whose message the record says was being submitted (`sending`): what a crash may deliver twice. */
export const sendingRows = (pool: pg.Pool, night: string) => recordedWith(pool, night, ['sending']);

/** Every refusal the send record holds (any `yougotdata…` table with a `refused` column), as text. */
export async function recordedRefusals(pool: pg.Pool): Promise<string> {
  const tables = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name LIKE 'yougotdata%' AND column_name = 'refused'`,
  );
  const texts: string[] = [];
  for (const { table_name: table } of tables.rows) {
    const rows = await pool.query<{ refused: string }>(`SELECT refused::text AS refused FROM "${table}"`);
    texts.push(...rows.rows.map((r) => r.refused));
  }
  return texts.join('\n');
}

/** Waits until `condition` holds, polling every few milliseconds. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Milliseconds `work` took, with its value. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * The built CLI with a reader that stops reading its stdout for `pauseMs` after the first chunk, as a slow
 * consumer does (cron's mailer, `| less`): the pipe fills, and only a process that waits for it to drain says everything.
 */
export function spawnWithSlowReader(argv: readonly string[], env: Record<string, string>, pauseMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...argv], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.once('data', () => {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), pauseMs);
    });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
