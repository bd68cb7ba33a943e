import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { AddressObject } from 'mailparser';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { type ArchiveStandIn, makeSequence, type StandInFileSpec, startArchiveStandIn } from '../../src/demo/archive-stand-in/index.js';
import { insertNotifications, type NotificationRow } from '../../src/demo/fitsstorage-table.js';
import { type MailSink, startMailSink } from '../../src/sink/index.js';
import { freshDatabase, type TestDatabase } from './database.js';

/** The night most tests run. */
export const NIGHT = '20261126';

/** Notification 101 of Jane Doe: a display-name PI, a partner office list with a piece to reject, a contact scientist with a name. */
export const janeDoeRow = {
  id: 101,
  label: 'Auto - GN-2026B-Q-101',
  selection: 'GN-2026B-Q-101/science',
  piemail: '"Doe, Jane" <jane.doe@uni.test>',
  ngoemail: 'ngo@office.test; N/A',
  csemail: 'Testy McTestFace cs@gemini.test',
} satisfies NotificationRow;

/** The bare addresses of a parsed message's address field (To, Cc, Reply-To…), in order. */
export const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((f) => f.value.map((v) => v.address));

/** The real peers of one test file: a fresh database, the archive, a summit FITS server and the mail sink. */
export interface Peers {
  db: TestDatabase;
  archive: ArchiveStandIn;
  summit: ArchiveStandIn;
  sink: MailSink;
  /** The environment a run needs to use them. */
  env: Record<string, string>;
  addNotifications(rows: readonly NotificationRow[]): Promise<void>;
  /** Empties the table, the send record (every `yougotdata…` table), the archive and the sink between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The real peers of one test file: started before its tests, reset before each test, closed after. */
export function usePeers(): Peers {
  const peers = {} as Peers;
  beforeAll(async () => {
    Object.assign(peers, await startPeers());
  });
  afterAll(async () => {
    await peers.close();
  });
  beforeEach(async () => {
    await peers.reset();
  });
  return peers;
}

export async function startPeers(): Promise<Peers> {
  const [db, archive, summit, sink] = await Promise.all([
    freshDatabase(),
    startArchiveStandIn(),
    startArchiveStandIn({ role: 'summit' }),
    startMailSink(),
  ]);
  const env = {
    DATABASE_URL: db.url,
    ARCHIVE_URL: archive.url,
    FITS_SERVER_URL: summit.url,
    SMTP_URL: sink.smtpUrl,
    EMAIL_FROM: 'Gemini Observatory Archive <archive@gemini.test>',
    EMAIL_REPLY_TO: 'helpdesk@gemini.test',
    ARCHIVE_TIMEOUT_MS: '1500',
    ARCHIVE_RETRIES: '2',
    SMTP_TIMEOUT_MS: '2000',
    // The look-back has tests of its own; elsewhere one night means one search per notification.
    LOOKBACK_NIGHTS: '0',
  };
  return {
    db,
    archive,
    summit,
    sink,
    env,
    addNotifications: (rows) => insertNotifications(db.pool, rows),
    async reset() {
      await db.pool.query('DELETE FROM notification');
      // Every `yougotdata…` table, whatever the tool keeps: the next run migrates from scratch.
      const tables = await db.pool.query<{ name: string }>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'yougotdata%'",
      );
      if (tables.rows.length > 0) await db.pool.query(`DROP TABLE IF EXISTS ${tables.rows.map((t) => `"${t.name}"`).join(', ')} CASCADE`);
      archive.clear();
      summit.clear();
      archive.resetStats();
      summit.resetStats();
      sink.clear();
      sink.faults.reset();
    },
    async close() {
      await Promise.all([archive.close(), summit.close(), sink.close()]);
      await db.drop();
    },
  };
}

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for --json runs. */
  json<T = any>(): T;
}

function collect(): PassThrough & { text(): string } {
  const stream = new PassThrough() as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

const asRun = (code: number, stdout: string, stderr: string): CommandRun => ({
  code,
  stdout,
  stderr,
  json: () => JSON.parse(stdout),
});

/** The command line in this process, with an environment of its own and no .env; `stdin`, what a pipe would give it. */
export async function yougotdata(
  argv: readonly string[],
  env: Record<string, string>,
  now = new Date(),
  stdin?: Uint8Array,
): Promise<CommandRun> {
  const stdout = collect();
  const stderr = collect();
  const context = { env, cwd: fileURLToPath(new URL('.', import.meta.url)), stdout, stderr, now: () => now };
  const code = await runCli(argv, stdin ? { ...context, stdin: Readable.from([Buffer.from(stdin)]) } : context);
  return asRun(code, stdout.text(), stderr.text());
}

/** `send --date NIGHT --json` in this process. */
export function sendInProcess(env: Record<string, string>, ...args: string[]): Promise<CommandRun> {
  return yougotdata(['send', '--date', NIGHT, '--json', ...args], env);
}

const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * The built command line as its own process (`npm test` builds first): real exit codes, signals and locks.
 * With `pauseStdoutMs`, stdout is not read for that long after its first chunk, as a slow consumer does
 * (cron's mailer, `| less`): the pipe fills, and only a process that waits for it to drain says everything.
 */
export function spawnYougotdata(
  argv: readonly string[],
  env: Record<string, string>,
  options: { onSpawn?: (pid: number) => void; pauseStdoutMs?: number; stdin?: Uint8Array } = {},
): Promise<CommandRun & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...argv], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as ['pipe', 'pipe', 'pipe'],
    });
    // A reader that stops early breaks the pipe: the write fails, and the test says so.
    child.stdin?.on('error', reject);
    child.stdin?.end(options.stdin);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const { pauseStdoutMs } = options;
    if (pauseStdoutMs !== undefined) {
      child.stdout.once('data', () => {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), pauseStdoutMs);
      });
    }
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    if (child.pid) options.onSpawn?.(child.pid);
    child.on('close', (code, signal) => {
      resolve({ ...asRun(code ?? -1, Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8')), signal });
    });
  });
}

/** `count` science files of a program, ten minutes apart from 06:00 UTC on the date of `night` (inside both sites' nights). */
export function scienceFiles(
  programId: string,
  count: number,
  night = '20261126',
  extra: Partial<StandInFileSpec> = {},
): Record<string, unknown>[] {
  const firstUt = `${night.slice(0, 4)}-${night.slice(4, 6)}-${night.slice(6, 8)}T06:00:00Z`;
  return makeSequence(programId, firstUt, count, 600_000, { qaState: 'Pass', ...extra });
}
