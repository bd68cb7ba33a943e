import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { NotificationRow } from '../../src/demo/fitsstorage-table.js';
import type { SinkMessage } from '../../src/sink/index.js';
import { type CommandRun, NIGHT, type Peers, scienceFiles, yougotdata } from './peers.js';

/** The night every reliability test runs (unless it needs several), and `send --date NIGHT --json` in this process. */
export { NIGHT, sendInProcess } from './peers.js';

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
  label: string | null;
  selection: string | null;
  night: string;
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
    const rows = await pool.query<{ id: number }>(`SELECT notification_id AS id FROM "${table}" WHERE night = $1 AND status = ANY($2)`, [
      night,
      statuses,
    ]);
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
