import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Notifications in the table; 10% of them get data. */
  n: number;
  latencyMs: number;
  /** `send` runs, one per value, in this order; each at ARCHIVE_CONCURRENCY = the value. */
  concurrencies: number[];
  /** LOOKBACK_NIGHTS of the extra look-back run at the highest concurrency; null: no such run. */
  lookbackNights: number | null;
  /** Files each program with data got on the night. */
  filesPerProgram: number;
  /** Rows that get data on the night, % (the README's performance figures use 10). */
  dataPercent: number;
  /** Time a bare client against the stand-in first: the floor the machine and the stand-in allow. */
  floor: boolean;
  /** Before each run, wait (up to 10 minutes) until the machine is less busy than this %; null: do not wait. */
  quietBelowPercent: number | null;
  help: boolean;
}

export class UsageError extends Error {}

const RUN_DIRECTLY = 'tsx bench/bench.ts [options]; it runs dist/cli.js: build first with npm run build';

export const USAGE = `Usage: npm run bench -- [options]   (${RUN_DIRECTLY})

Starts the real peers (PostgreSQL, the archive stand-in answering after a set latency, the mail sink),
loads N notifications (<progid>/science rows, 10% with data on the night), and runs the built
\`yougotdata send --json --concurrency C\` as a child process once per concurrency, each on a freshly
created database, then prints the figures and a PASS/FAIL line per target.

Options:
  --n <N>                 notifications in the table (default 2000)
  --latency-ms <ms>       the archive stand-in's latency per answer (default 100)
  --concurrency <list>    comma list of ARCHIVE_CONCURRENCY values to run (default "1,8")
  --lookback-nights <k>   also run the highest concurrency with LOOKBACK_NIGHTS=k (default 3; "off": no such run).
                          The main runs use LOOKBACK_NIGHTS=0.
  --no-floor              skip the floor: a bare undici client's run against the same stand-in, at the highest
                          concurrency, showing what the machine and the stand-in allow a client that does no work
  --quiet-below <pct>     before each run, wait (at most 10 minutes) until the whole machine is less than pct % busy
                          (Linux; for shared machines, where other people's work skews every figure; default: no wait)
  --data-percent <p>      notifications that get data on the night, % (default 10; 0 shows the cost of a search alone)
  --files <k>             science files per program with data (default 3; at most 120)
  -h, --help              this text

Environment:
  BENCH_DATABASE_URL      an admin URL of a PostgreSQL server on which the benchmark may create and drop
                          databases (e.g. postgres://postgres@127.0.0.1:5432/test); unset or blank: an
                          embedded PostgreSQL is started from npm's binaries.

Exit code: 0 unless a run errored (send exited other than 0, crashed or hung) or the peers could not start;
a missed target prints FAIL and still exits 0. Bad options exit 2.`;

function wholeNumber(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return Number(text);
}

function readArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      n: { type: 'string', default: '2000' },
      'latency-ms': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '1,8' },
      'lookback-nights': { type: 'string', default: '3' },
      files: { type: 'string', default: '3' },
      'data-percent': { type: 'string', default: '10' },
      'quiet-below': { type: 'string' },
      'no-floor': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed: ReturnType<typeof readArgs>;
  try {
    parsed = readArgs(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const concurrencies = String(values.concurrency)
    .split(',')
    .map((piece) => wholeNumber('concurrency', piece, 1, 64));
  if (new Set(concurrencies).size !== concurrencies.length) throw new UsageError('--concurrency lists a value twice');
  const lookback = String(values['lookback-nights']).trim();
  return {
    n: wholeNumber('n', String(values.n), 1, 1_000_000),
    latencyMs: wholeNumber('latency-ms', String(values['latency-ms']), 0, 60_000),
    concurrencies,
    lookbackNights: lookback === 'off' ? null : wholeNumber('lookback-nights', lookback, 0, 30),
    filesPerProgram: wholeNumber('files', String(values.files), 1, 120),
    dataPercent: wholeNumber('data-percent', String(values['data-percent']), 0, 100),
    floor: !values['no-floor'],
    quietBelowPercent: values['quiet-below'] === undefined ? null : wholeNumber('quiet-below', String(values['quiet-below']), 1, 100),
    help: Boolean(values.help),
  };
}
