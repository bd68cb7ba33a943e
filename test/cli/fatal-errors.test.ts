/**
 * Fatal errors as cron and scripts see them, from the built command line: the exit code that says whether to fix
 * something (2) or try later (75), one line on stderr, and with --json exactly one error document on stdout.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, type RunningPostgres, startEmbeddedPostgres } from '../../src/demo/embedded-postgres.js';
import { type CommandRun, NIGHT, spawnYougotdata } from '../harness/peers.js';

/** The test server, with another user or database. */
function testServer(changes: { user?: string; database?: string; port?: number }): string {
  const url = new URL(inject('adminDatabaseUrl'));
  if (changes.user) url.username = changes.user;
  if (changes.database) url.pathname = `/${changes.database}`;
  if (changes.port) url.port = String(changes.port);
  return url.toString();
}

/** Enough for each command to reach the database; a run must never get further. */
const envWith = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  ARCHIVE_URL: 'http://127.0.0.1:9',
  SMTP_URL: 'smtp://127.0.0.1:9',
  EMAIL_FROM: 'archive@gemini.test',
});

const JSON_COMMANDS = [
  ['send', '--date', NIGHT, '--json'],
  ['why', '101', '--date', NIGHT, '--json'],
  ['history', '--json'],
] as const;

/** A line of a JavaScript stack trace, anywhere in the output. */
const STACK = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** Exactly one JSON document on stdout, its message the one line on stderr, no stack anywhere; returns the message. */
function expectFatal(run: CommandRun, exitCode: number, kind: string): string {
  expect(run.code).toBe(exitCode);
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  const document = run.json();
  expect(document).toEqual({ error: { kind, message: expect.any(String) }, exitCode });
  expect(Object.keys(document)).toEqual(['error', 'exitCode']);
  expect(run.stderr).toBe(`yougotdata: ${document.error.message}\n`);
  expect(run.stdout + run.stderr).not.toMatch(STACK);
  return document.error.message;
}

/** Without --json: the one line on stderr, nothing on stdout. */
function expectFatalLine(run: CommandRun, exitCode: number, line: RegExp) {
  expect(run.code).toBe(exitCode);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
  expect(run.stderr).not.toMatch(STACK);
}

describe.each(JSON_COMMANDS.map((argv) => [argv[0], argv] as const))('%s --json', (_name, argv) => {
  it('a database that does not exist: exit 2, kind database', async () => {
    const run = await spawnYougotdata(argv, envWith(testServer({ database: 'no_such_db' })));
    expect(expectFatal(run, 2, 'database')).toMatch(/^the database refused the connection: database "no_such_db" does not exist: check /);
  });

  it('a role that does not exist: exit 2, kind database', async () => {
    const run = await spawnYougotdata(argv, envWith(testServer({ user: 'no_such_role' })));
    expect(expectFatal(run, 2, 'database')).toMatch(/^the database refused the connection: role "no_such_role" does not exist: check /);
  });

  it('the database unreachable: exit 75, kind database-unavailable', async () => {
    const run = await spawnYougotdata(argv, envWith(testServer({ port: await freePort() })));
    expect(expectFatal(run, 75, 'database-unavailable')).toMatch(/^cannot reach the database: connect ECONNREFUSED .*; try again later$/);
  });
});

describe('a password in DATABASE_URL', () => {
  it('is masked where it stands in a URL, never as text: a one-letter password leaves every other word whole', async () => {
    const port = await freePort();
    const url = `postgres://fitsdata:a@127.0.0.1:${port}/fits`;
    const run = await spawnYougotdata(['send', '--date', NIGHT, '--json'], envWith(url));
    // Masked as text, "a" made this "c***nnot re***ch the d***t***b***se", which shows the password.
    expect(expectFatal(run, 75, 'database-unavailable')).toBe(
      `cannot reach the database: connect ECONNREFUSED 127.0.0.1:${port}; try again later`,
    );
  });
});

describe('send --json with a --log-file that cannot be opened', () => {
  it('exit 2, kind configuration, before the database is opened', async () => {
    const run = await spawnYougotdata(
      ['send', '--date', NIGHT, '--json', '--log-file', '/no/such/dir/x.log'],
      envWith(testServer({ port: await freePort() })),
    );
    expect(expectFatal(run, 2, 'configuration')).toBe(
      "--log-file /no/such/dir/x.log: cannot append to the log file: ENOENT: no such file or directory, open '/no/such/dir/x.log'",
    );
  });
});

/**
 * The test server trusts every local connection, so a server that asks for a password is started here: an embedded
 * PostgreSQL whose pg_hba.conf, rewritten through COPY, wants SCRAM from every user but its administrator.
 */
describe('a server that asks for a password', () => {
  let server: RunningPostgres;
  let login: (password: string | null) => string;

  beforeAll(async () => {
    server = await startEmbeddedPostgres();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      const hba = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0]?.hba_file;
      await admin.query("CREATE ROLE fitsdata LOGIN PASSWORD 'right-pw'");
      await admin.query(
        `COPY (VALUES ('local all all trust'), ('host all postgres 127.0.0.1/32 trust'), ('host all all 127.0.0.1/32 scram-sha-256'))
           TO '${hba}'`,
      );
      await admin.query('SELECT pg_reload_conf()');
    } finally {
      await admin.end();
    }
    login = (password) => {
      const url = new URL(server.url);
      url.username = 'fitsdata';
      url.password = password ?? '';
      return url.toString();
    };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('takes the right one (so the refusals below are the password’s)', async () => {
    const run = await spawnYougotdata(['history', '--json'], envWith(login('right-pw')));
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ runs: [] });
  });

  it.each(JSON_COMMANDS.map((argv) => [argv[0], argv] as const))(
    '%s --json, a wrong password: exit 2, kind database, never shown',
    async (_name, argv) => {
      const run = await spawnYougotdata(argv, envWith(login('wrong-pw')));
      expect(expectFatal(run, 2, 'database')).toBe(
        'the database refused the connection: password authentication failed for user "fitsdata": check the user, password and database of DATABASE_URL',
      );
      expect(run.stdout + run.stderr).not.toContain('wrong-pw');
    },
  );

  it.each(JSON_COMMANDS.map((argv) => [argv[0], argv] as const))(
    '%s --json, no password at all: exit 2, kind database, what to add',
    async (_name, argv) => {
      const run = await spawnYougotdata(argv, envWith(login(null)));
      expect(expectFatal(run, 2, 'database')).toBe(
        'the database asks for a password and DATABASE_URL has none: write it after the user name and a colon (user:password@host), or in ~/.pgpass',
      );
    },
  );

  it('migrate, no password at all: exit 2, one line', async () => {
    const run = await spawnYougotdata(['migrate'], envWith(login(null)));
    expectFatalLine(run, 2, /^yougotdata: the database asks for a password and DATABASE_URL has none: /);
  });
});

describe('commands without --json classify the same way', () => {
  it.each([
    [
      'a database that does not exist',
      () => testServer({ database: 'no_such_db' }),
      2,
      /^yougotdata: the database refused the connection: database "no_such_db" does not exist/,
    ],
    [
      'a role that does not exist',
      () => testServer({ user: 'no_such_role' }),
      2,
      /^yougotdata: the database refused the connection: role "no_such_role" does not exist/,
    ],
  ])('migrate, %s: exit 2, one line', async (_what, url, code, line) => {
    expectFatalLine(await spawnYougotdata(['migrate'], envWith(url())), code, line);
  });

  it('migrate, the database unreachable: exit 75, one line', async () => {
    const run = await spawnYougotdata(['migrate'], envWith(testServer({ port: await freePort() })));
    expectFatalLine(run, 75, /^yougotdata: cannot reach the database: connect ECONNREFUSED /);
  });

  it('check-smtp, a malformed SMTP_URL: exit 2, one line naming it', async () => {
    const run = await spawnYougotdata(['check-smtp'], { ...envWith(testServer({})), SMTP_URL: 'smtp//relay' });
    expectFatalLine(run, 2, /^yougotdata: configuration: SMTP_URL /);
  });

  it.each([['migrate'], ['check-smtp']])('%s takes no --json: a usage error, no document', async (command) => {
    const run = await spawnYougotdata([command, '--json'], envWith(testServer({})));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown option '--json'/);
  });
});
