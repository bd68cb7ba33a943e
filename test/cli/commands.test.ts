import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { insertNotifications } from '../../src/demo/fitsstorage-table.js';
import { freshDatabase, type TestDatabase } from '../harness/database.js';
import { spawnYougotdata, yougotdata } from '../harness/peers.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

describe('--help', () => {
  it.each(['send', 'migrate', 'addresses', 'mail-sink', 'demo'])('%s --help describes the command and exits 0', async (command) => {
    const run = await yougotdata([command, '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: yougotdata ${command}`);
  });

  it('the top level lists every command', async () => {
    const run = await yougotdata(['--help'], {});
    expect(run.code).toBe(0);
    for (const command of ['send', 'migrate', 'addresses', 'mail-sink', 'demo']) expect(run.stdout).toContain(command);
  });

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await yougotdata(['--version'], {})).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('no command: the help on stderr, nothing on stdout, exit 2 (a cron line with a typo is told)', async () => {
    const run = await yougotdata([], {});
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('Usage: yougotdata [options] [command]');
  });

  it('an unknown command is a usage error', async () => {
    expect((await yougotdata(['sned'], {})).code).toBe(2);
  });

  it('dist/cli.js runs as cron runs it, through its #! line, with its small young generation, its early full collections and memory before speed', async () => {
    const child = spawn(cli, ['addresses', '--json', 'a@b.org'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ addresses: [{ name: null, address: 'a@b.org' }], rejected: [] });
    expect((await readFile(cli, 'utf8')).split('\n')[0]).toBe(
      '#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20 --optimize-for-size',
    );
  });
});

describe('a usage error under --json', () => {
  it.each([
    [['send', '--json', '--concurrency', '0'], "option '--concurrency <n>' argument '0' is invalid. must be a whole number from 1 to 64"],
    [['send', '--json', '--out', 'preview'], '--out needs --dry-run (a real run sends the messages; it writes no preview)'],
    [['send', '--json', '--bogus'], "unknown option '--bogus'"],
    [['why', '--json'], "missing required argument 'text'"],
    [['audit', '--json', '--match'], "option '--match <text>' argument missing"],
    [['history', '--json', '--days', '400'], "option '--days <n>' argument '400' is invalid. must be a whole number of days from 1 to 366"],
    [['addresses', '--json', 'a@b.org', 'c@d.org'], "too many arguments for 'addresses'. Expected 1 argument but got 2."],
  ])('%j: exit 2, the error on stderr, and the one JSON error document on stdout', async (argv, message) => {
    const run = await yougotdata(argv, {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}\n`);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(run.json()).toEqual({ error: { kind: 'usage', message }, exitCode: 2 });
  });

  it('without --json, stdout stays empty; an option after -- is an argument, not --json', async () => {
    expect(await yougotdata(['send', '--bogus'], {})).toMatchObject({ code: 2, stdout: '' });
    expect(await yougotdata(['addresses', 'a@b.org', '--', '--json'], {})).toMatchObject({ code: 2, stdout: '' });
  });

  it('what was typed is escaped: no raw control reaches stderr or the JSON document', async () => {
    const run = await yougotdata(['send', '--json', '--date', 'today', '--\u202eevil\x1b[2J\x9b'], {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('{"error":{"kind":"usage","message":"unknown option \'--\\u202eevil\\u001b[2J\\u009b\'"},"exitCode":2}\n');
    expect(run.stderr).toContain("error: unknown option '--\\u202eevil\\x1b[2J\\x9b'\n");
    expect((run.stdout + run.stderr).replace(/\n/g, '')).not.toMatch(/[\p{Cc}\u202e]/u);
  });
});

describe('addresses', () => {
  it('--json prints the addresses and the rejected pieces', async () => {
    const run = await yougotdata(['addresses', '--json', '"Doe, John" <j@d.org>; Testy McTestFace foo2@bar.com, N/A'], {});
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      addresses: [
        { name: 'Doe, John', address: 'j@d.org' },
        { name: 'Testy McTestFace', address: 'foo2@bar.com' },
      ],
      rejected: ['N/A'],
    });
  });

  it('prints a readable list', async () => {
    const run = await yougotdata(['addresses', 'a@x.org TBD'], {});
    expect(run.stdout).toBe('1 address:\n  a@x.org\n1 rejected (not sent to):\n  "TBD"\n');
  });
});

describe('migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it("creates the tool's tables once, and never touches notification", async () => {
    await insertNotifications(db.pool, [{ id: 1, label: 'Auto - GN-2026B-Q-1', selection: 'GN-2026B-Q-1/science', piemail: 'a@x.org' }]);
    const columns = () =>
      db.pool.query(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'notification' ORDER BY ordinal_position",
      );
    const before = (await columns()).rows;
    const first = await yougotdata(['migrate'], { DATABASE_URL: db.url });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      'applied 001_send_record.sql, 002_run_log.sql, 003_night_url.sql, 004_unknown_delivery.sql, 005_relay_replies.sql, 006_delivery_reports.sql, 007_outcome_per_request.sql, 008_sent_by_time.sql, 009_bounces_told.sql; schema version 9\n',
    );
    const second = await yougotdata(['migrate'], { DATABASE_URL: db.url });
    expect(second.stdout).toBe('up to date (schema version 9)\n');
    const tables = await db.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    expect(tables.rows.map((r) => r.tablename)).toEqual([
      'notification',
      'yougotdata_delivery_event',
      'yougotdata_file',
      'yougotdata_message',
      'yougotdata_migration',
      'yougotdata_outcome',
      'yougotdata_report',
      'yougotdata_run',
    ]);
    expect((await columns()).rows).toEqual(before);
    expect((await db.pool.query('SELECT * FROM notification')).rows).toEqual([expect.objectContaining({ id: 1, piemail: 'a@x.org' })]);
  });

  it('two at once both succeed, applying each file once', async () => {
    const other = await freshDatabase();
    const runs = await Promise.all([
      yougotdata(['migrate'], { DATABASE_URL: other.url }),
      yougotdata(['migrate'], { DATABASE_URL: other.url }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect((await other.pool.query('SELECT count(*)::int AS n FROM yougotdata_migration')).rows[0].n).toBe(9);
    await other.drop();
  });

  it('exits 2 without DATABASE_URL and 75 when the database cannot be reached', async () => {
    const missing = await yougotdata(['migrate'], {});
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('DATABASE_URL is required')]);
    const port = await freePort();
    const down = await yougotdata(['migrate'], { DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/x` });
    expect(down.code).toBe(75);
    expect(down.stderr).toMatch(/^yougotdata: cannot reach the database: .*ECONNREFUSED/);
    expect(down.stderr).not.toContain('hunter2');
  });
});

describe('mail-sink', () => {
  it('keeps what it receives, serves it over the MailHog API, and stops on Ctrl-C', async () => {
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [cli, 'mail-sink', '--smtp-port', String(smtpPort), '--http-port', String(httpPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    while (!stderr.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain(`SMTP smtp://127.0.0.1:${smtpPort}`);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false });
    await transport.sendMail({ from: 'a@x.org', to: 'b@y.org', subject: 'New Data for GN-2026B-Q-1/science', text: 'hello' });
    transport.close();
    const page = (await (await fetch(`http://127.0.0.1:${httpPort}/api/v2/messages`)).json()) as {
      total: number;
      items: { Raw: { To: string[] } }[];
    };
    expect(page.total).toBe(1);
    expect(page.items[0]?.Raw.To).toEqual(['b@y.org']);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stderr).toContain('mail sink stopped (1 messages received)');
  });

  it('says so when its port is taken', async () => {
    const port = await freePort();
    const blocker = spawn(process.execPath, [cli, 'mail-sink', '--smtp-port', String(port), '--http-port', String(await freePort())], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await once(blocker.stderr, 'data');
    const run = await spawnYougotdata(['mail-sink', '--smtp-port', String(port), '--http-port', String(await freePort())], {});
    blocker.kill('SIGINT');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('EADDRINUSE');
  });
});

describe('demo', () => {
  it('runs the whole job on embedded parts with nothing configured, and exits 0', async () => {
    const run = await spawnYougotdata(['demo'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/PI notifications for night \d{8}/);
    expect(run.stdout).toMatch(/CHECK notifications for night \d{8}/);
    for (const status of ['sent', 'no-data', 'invalid-selection', 'no-recipients']) expect(run.stdout).toContain(status);
    expect(run.stderr).toMatch(/the mail sink caught \d+ messages/);
    expect(run.stderr).toMatch(/MailHog API: http:\/\/127\.0\.0\.1:\d+\/api\/v2\/messages/);
  }, 120_000);
});

describe('send as cron runs it', () => {
  it('is quiet on stderr when nothing needs attention, and exits 0', async () => {
    const db = await freshDatabase();
    await insertNotifications(db.pool, [{ id: 1, selection: 'GN-2026B-Q-1/science', piemail: 'a@x.org' }]);
    const archive = await import('../../src/demo/archive-stand-in/index.js').then((m) => m.startArchiveStandIn());
    const run = await spawnYougotdata(['send', '--date', '20261126'], {
      DATABASE_URL: db.url,
      ARCHIVE_URL: archive.url,
      EMAIL_FROM: 'archive@gemini.test',
      SMTP_URL: 'smtp://127.0.0.1:9',
      LOOKBACK_NIGHTS: '0',
    });
    await archive.close();
    await db.drop();
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('1 notifications: no-data 1');
  });
});
