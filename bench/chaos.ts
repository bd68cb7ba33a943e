/**
 * `npm run chaos`: the daily job against faulty peers, then rerun until clean, counting what a PI would see.
 *
 * It starts its own peers — PostgreSQL, the archive stand-in and the mail sink — fills the notification table
 * with N rows (10% of them with data tonight), injects archive and SMTP faults into a share of them, and runs
 * the built CLI (`dist/cli.js send`) as child processes until a run ends with nothing failed. Then it counts, per
 * notification, the messages the sink received: sent, failed-then-sent, duplicates and lost. It exits 1 if
 * anything was lost, delivered twice, mailed without data, or the runs never became clean.
 *
 *   npm run chaos -- [--notifications 5000] [--with-data 0.1] [--fault-rate 0.05] [--seed 1] [--max-runs 10]
 *
 * PostgreSQL: with CHAOS_DATABASE_URL (or TEST_DATABASE_URL) set to a server's admin URL, a throw-away database
 * is created on it and dropped at the end; without either, an embedded PostgreSQL is started (slower to start).
 * DATABASE_URL is ignored on purpose: the script creates and drops databases, never on the production server.
 */
import { parseArgs } from 'node:util';
import { type ArchiveStandIn, makeEntry, type StandInFaultRule, startArchiveStandIn } from '../src/demo/archive-stand-in/index.js';
import { postgresServer } from '../src/demo/embedded-postgres.js';
import { loadNotifications } from '../src/demo/fitsstorage-table.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/demo/scratch-database.js';
import { type MailSink, startMailSink } from '../src/sink/index.js';
import { runYougotdata } from './child.js';

const NIGHT = '20261126';

interface Options {
  notifications: number;
  withData: number;
  faultRate: number;
  seed: number;
  maxRuns: number;
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      notifications: { type: 'string', default: '5000' },
      'with-data': { type: 'string', default: '0.1' },
      'fault-rate': { type: 'string', default: '0.05' },
      seed: { type: 'string', default: '1' },
      'max-runs': { type: 'string', default: '10' },
    },
  });
  const number = (name: string, text: string, min: number, max: number) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(`--${name} must be a number from ${min} to ${max} (got "${text}")`);
    return value;
  };
  return {
    notifications: Math.round(number('notifications', values.notifications, 1, 100_000)),
    withData: number('with-data', values['with-data'], 0, 1),
    faultRate: number('fault-rate', values['fault-rate'], 0, 1),
    seed: Math.round(number('seed', values.seed, 0, 2 ** 31)),
    maxRuns: Math.round(number('max-runs', values['max-runs'], 1, 100)),
  };
}

/** mulberry32: the same seed, the same notifications and faults. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Database extends ScratchDatabase {
  /** Where it came from, for the printout. */
  source: string;
}

/** A fresh database on the configured server, or on an embedded one. */
async function openDatabase(): Promise<Database> {
  const server = await postgresServer(process.env, ['CHAOS_DATABASE_URL', 'TEST_DATABASE_URL']);
  let database: ScratchDatabase;
  try {
    database = await createScratchDatabase(server.adminUrl, 'yougotdata_chaos');
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
  return {
    url: database.url,
    source: `a throw-away database on ${server.description}`,
    async drop() {
      await database.drop().catch(() => {});
      await server.stop();
    },
  };
}

const programOf = (id: number) => `GN-2026B-Q-${id}`;
const piOf = (id: number) => `pi${id}@uni.test`;
const ngoOf = (id: number) => `ngo${id}@office.test`;
const csOf = (id: number) => `cs${id}@gemini.test`;
const recipientsOf = (id: number) => [piOf(id), ngoOf(id), csOf(id)];

/** The rows. Every address is its notification's own, so the sink tells them apart. */
function fillTable(url: string, count: number): Promise<void> {
  return loadNotifications(
    url,
    Array.from({ length: count }, (_, i) => {
      const id = i + 1;
      return {
        id,
        label: `Auto - ${programOf(id)}`,
        selection: `${programOf(id)}/science`,
        piemail: piOf(id),
        ngoemail: ngoOf(id),
        csemail: csOf(id),
      };
    }),
  );
}

type ArchiveFaultKind = '500' | '502' | '503' | '429' | 'hang' | 'html' | 'truncate';
const ARCHIVE_FAULTS: ArchiveFaultKind[] = ['500', '502', '503', '429', 'hang', 'html', 'truncate'];
type SmtpFaultKind = 'rcpt-451' | 'rcpt-421' | 'rcpt-550-all' | 'rcpt-550-cc' | 'data-451' | 'drop-rcpt' | 'drop-data';
const SMTP_FAULTS: SmtpFaultKind[] = ['rcpt-451', 'rcpt-421', 'rcpt-550-all', 'rcpt-550-cc', 'data-451', 'drop-rcpt', 'drop-data'];

function archiveRule(kind: ArchiveFaultKind, times: number, match: string): StandInFaultRule {
  switch (kind) {
    case 'hang':
      return { hang: true, times, match };
    case 'html':
      return { html: true, times, match };
    case 'truncate':
      return { truncate: true, times, match };
    case '429':
      return { status: 429, retryAfterSeconds: 1, times, match };
    default:
      return { status: Number(kind), times, match };
  }
}

interface Plan {
  withData: Map<number, number>;
  archiveFaults: Map<ArchiveFaultKind, number>;
  smtpFaults: Map<SmtpFaultKind, number>;
  /** Faults not tied to one address (the next DATA refused, the next connection dropped), armed during the first run. */
  floating: SmtpFaultKind[];
  /** Copied addresses refused for good: the message still goes to the others. */
  refusedForGood: Set<string>;
}

/** Data for a share of the notifications; faults for a share of the searches and of the messages. */
function plan(options: Options, archive: ArchiveStandIn, sink: MailSink, rng: () => number): Plan {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)] as T;
  const result: Plan = { withData: new Map(), archiveFaults: new Map(), smtpFaults: new Map(), floating: [], refusedForGood: new Set() };
  const start = Date.UTC(2026, 10, 26, 6);
  for (let id = 1; id <= options.notifications; id++) {
    if (rng() < options.withData) {
      const files = 1 + Math.floor(rng() * 5);
      result.withData.set(id, files);
      archive.addEntries(
        Array.from({ length: files }, (_, i) =>
          makeEntry({
            programId: programOf(id),
            ut: new Date(start + i * 600_000).toISOString(),
            observationClass: 'science',
            observationType: 'OBJECT',
            qaState: 'Pass',
          }),
        ),
      );
    }
    if (rng() < options.faultRate) {
      const kind = pick(ARCHIVE_FAULTS);
      // 1-4 bad answers: with ARCHIVE_RETRIES=2 some recover in the run, some fail it and recover in a rerun.
      archive.inject(archiveRule(kind, 1 + Math.floor(rng() * 4), `/${programOf(id)}/`));
      result.archiveFaults.set(kind, (result.archiveFaults.get(kind) ?? 0) + 1);
    }
  }
  for (const id of result.withData.keys()) {
    if (rng() >= options.faultRate) continue;
    const kind = pick(SMTP_FAULTS);
    result.smtpFaults.set(kind, (result.smtpFaults.get(kind) ?? 0) + 1);
    const times = 1 + Math.floor(rng() * 2);
    switch (kind) {
      case 'rcpt-451':
        sink.faults.rejectRecipient(piOf(id), { code: 451, message: '4.7.1 greylisted' }, times);
        break;
      case 'rcpt-421':
        sink.faults.rejectRecipient(piOf(id), { code: 421, message: '4.3.2 closing' }, 1);
        break;
      // Every recipient refused: the message fails this run and goes out in a rerun.
      case 'rcpt-550-all':
        for (const address of recipientsOf(id))
          sink.faults.rejectRecipient(address, { code: 550, message: '5.2.1 mailbox disabled for now' }, 1);
        break;
      case 'rcpt-550-cc':
        sink.faults.rejectRecipient(ngoOf(id), { code: 550, message: '5.1.1 no such user' });
        result.refusedForGood.add(ngoOf(id));
        break;
      default:
        result.floating.push(kind);
    }
  }
  return result;
}

/** Arms the floating faults one at a time while a run lasts, so they land on messages spread over it. */
function armFloating(sink: MailSink, faults: SmtpFaultKind[]): () => void {
  const pending = [...faults];
  const timer = setInterval(() => {
    const kind = pending.shift();
    if (!kind) return clearInterval(timer);
    if (kind === 'data-451') sink.faults.rejectData({ code: 451, message: '4.3.0 try again later' }, 1);
    else sink.faults.dropConnection(kind === 'drop-rcpt' ? 'rcpt' : 'data', 1);
  }, 150);
  return () => clearInterval(timer);
}

interface Run {
  code: number;
  ms: number;
  stderr: string;
  /** Why stdout was not one JSON document, if it was not. */
  unreadable: string | null;
  report: { results: { id: number; status: string; files: number; refused: string[] }[]; totals: Record<string, number> } | null;
}

/** `dist/cli.js send` as cron runs it (the flags of its #! line), in an empty working directory, so no .env there leaks in. */
async function runSend(env: Record<string, string>): Promise<Run> {
  const child = await runYougotdata(['send', '--date', NIGHT, '--json'], env);
  let report: Run['report'] = null;
  let unreadable: string | null = null;
  try {
    report = JSON.parse(child.stdout);
  } catch (error) {
    const ending = JSON.stringify(child.stdout.slice(-80));
    unreadable = `${(error as Error).message}; stdout has ${child.stdout.length} characters, ending ${ending}`;
  }
  return { code: child.code ?? -1, ms: child.wallMs, stderr: child.stderr, report, unreadable };
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  const rng = random(options.seed);
  const [db, archive, sink] = await Promise.all([openDatabase(), startArchiveStandIn(), startMailSink()]);
  try {
    await fillTable(db.url, options.notifications);
    const chaos = plan(options, archive, sink, rng);
    const env = {
      DATABASE_URL: db.url,
      ARCHIVE_URL: archive.url,
      SMTP_URL: sink.smtpUrl,
      EMAIL_FROM: 'Gemini Observatory Archive <archive@gemini.test>',
      LOOKBACK_NIGHTS: '0',
      ARCHIVE_CONCURRENCY: '8',
      ARCHIVE_TIMEOUT_MS: '1000',
      ARCHIVE_RETRIES: '2',
      SMTP_TIMEOUT_MS: '2000',
    };
    const count = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    console.log(
      `chaos: ${options.notifications} notifications, ${chaos.withData.size} with data on night ${NIGHT}, ` +
        `seed ${options.seed}, ${db.source}`,
    );
    console.log(
      `  archive faults on ${[...chaos.archiveFaults.values()].reduce((a, b) => a + b, 0)} notifications: ${count(chaos.archiveFaults)}`,
    );
    console.log(`  SMTP faults on ${[...chaos.smtpFaults.values()].reduce((a, b) => a + b, 0)} messages: ${count(chaos.smtpFaults)}`);

    const failedOnce = new Set<number>();
    const sentIn = new Map<number, number>();
    const wrongFiles: number[] = [];
    const runs: Run[] = [];
    let clean = false;
    let unreadableRuns = 0;
    for (let n = 1; n <= options.maxRuns && !clean; n++) {
      const stopArming = n === 1 ? armFloating(sink, chaos.floating) : () => {};
      const run = await runSend(env);
      stopArming();
      runs.push(run);
      const totals = run.report?.totals ?? {};
      console.log(
        `  run ${n}: exit ${run.code} in ${(run.ms / 1000).toFixed(1)} s — ${Object.entries(totals)
          .map(([s, k]) => `${s} ${k}`)
          .join(', ')}`,
      );
      if (!run.report) {
        console.log(`    stdout is not one JSON document: ${run.unreadable}`);
        unreadableRuns += 1;
        continue;
      }
      for (const result of run.report.results) {
        if (result.status === 'failed') failedOnce.add(result.id);
        if (result.status === 'sent') {
          sentIn.set(result.id, n);
          if (result.files !== chaos.withData.get(result.id)) wrongFiles.push(result.id);
        }
      }
      clean = run.code === 0 && !run.report.results.some((r) => r.status === 'failed');
    }

    // Copies per recipient: a 4xx for one recipient is retried in a second transaction to that recipient alone.
    const copies = new Map<string, number>();
    for (const message of sink.messages()) {
      for (const address of new Set(message.envelope.to.map((a) => a.toLowerCase()))) copies.set(address, (copies.get(address) ?? 0) + 1);
    }
    const got = (address: string) => copies.get(address) ?? 0;
    const withData = [...chaos.withData.keys()];
    const missing = (id: number) => recipientsOf(id).filter((address) => got(address) === 0 && !chaos.refusedForGood.has(address));
    const delivered = withData.filter((id) => missing(id).length === 0);
    const lost = withData.filter((id) => missing(id).length > 0);
    const duplicates = [...copies.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const spurious = Array.from({ length: options.notifications }, (_, i) => i + 1).filter(
      (id) => !chaos.withData.has(id) && recipientsOf(id).some((address) => got(address) > 0),
    );
    const failedThenSent = delivered.filter((id) => failedOnce.has(id) && (sentIn.get(id) ?? 0) > 1);
    const refusedSeen = new Set(runs.flatMap((r) => r.report?.results.flatMap((x) => x.refused) ?? []));
    const refusedForGood = [...chaos.refusedForGood].filter((a) => refusedSeen.has(a)).length;

    console.log('');
    console.log(`  notifications with data ${pad(withData.length, 6)}`);
    console.log(`  sent                    ${pad(delivered.length, 6)}  (every recipient has it, but those refused for good)`);
    console.log(`  failed, then sent       ${pad(failedThenSent.length, 6)}  (failed in a run, delivered by a rerun)`);
    console.log(`  duplicates              ${pad(duplicates, 6)}  (copies beyond the first, per recipient; must be 0)`);
    console.log(
      `  lost                    ${pad(lost.length, 6)}  (data, but a recipient not refused for good got no message; must be 0)` +
        `${lost.length ? `: ${lost.slice(0, 20).join(', ')}` : ''}`,
    );
    console.log(`  mailed without data     ${pad(spurious.length, 6)}  (must be 0)`);
    console.log(`  wrong file count        ${pad(wrongFiles.length, 6)}  (must be 0)`);
    console.log(`  copied recipients refused for good, reported ${refusedForGood} of ${chaos.refusedForGood.size}`);
    console.log(
      `  runs ${runs.length} (${clean ? 'the last one clean' : `never clean after ${options.maxRuns}`}), ` +
        `archive requests ${archive.stats.total}, SMTP connections ${sink.stats.connections}, messages ${sink.stats.accepted}`,
    );
    if (unreadableRuns > 0) console.log(`  runs whose stdout was not one JSON document: ${unreadableRuns} (must be 0)`);
    const ok =
      unreadableRuns === 0 &&
      clean &&
      lost.length === 0 &&
      duplicates === 0 &&
      spurious.length === 0 &&
      wrongFiles.length === 0 &&
      refusedForGood === chaos.refusedForGood.size;
    console.log(ok ? 'chaos: OK' : 'chaos: FAILED');
    return ok ? 0 : 1;
  } finally {
    await Promise.all([archive.close(), sink.close()]);
    await db.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(2);
  },
);
