/**
 * What `send` writes on stderr as cron runs it (a pipe, not a terminal: cron mails it) and on a person's terminal
 * (a progress line shared with the log), and what `--log-file` keeps, from real runs against the real peers.
 */
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { NIGHT, scienceFiles, spawnYougotdata, usePeers } from '../harness/peers.js';
import { piRow, until } from '../harness/reliability.js';
import { FakeTerminal } from './fake-terminal.js';

const peers = usePeers();

const folder = mkdtempSync(join(tmpdir(), 'yougotdata-send-logs-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const sendArgs = ['send', '--date', NIGHT];
/** `2026-11-26 08:00:12 WARN  ` and the rest: the text line's head. */
const TEXT_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO |WARN |ERROR) \S/;
const PROGRESS = /\d+\/\d+ notifications/;
const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

/** Notifications 1 to 3 with data; the mail server refuses 2's only recipient, so 2 fails and the run exits 1. */
async function oneFailing() {
  await peers.addNotifications([piRow(1), piRow(2), piRow(3)]);
  for (const id of [1, 2, 3]) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 1));
  peers.sink.faults.rejectRecipient('pi2@uni.test', { code: 550, message: 'mailbox unavailable' });
}

describe('under cron (stderr is a pipe)', () => {
  it('a failing notification: readable text lines on stderr, warn and up only, no JSON, no progress', async () => {
    await oneFailing();
    const run = await spawnYougotdata(sendArgs, peers.env);
    expect(run.code).toBe(1);
    const lines = linesOf(run.stderr);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(TEXT_LINE);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\S+ \S+ WARN {2}#2 GN-2026B-Q-2\/science: no recipient accepted the message: pi2@uni\.test: 550 mailbox unavailable night=20261126 status=failed/,
      ),
    );
    expect(run.stderr).not.toMatch(/^\{/m);
    expect(run.stderr).not.toMatch(PROGRESS);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).not.toContain('\x1b');
    expect(run.stderr).not.toMatch(/INFO/);
    // The report is on stdout, where crontab.example sends it to a log file.
    expect(run.stdout).toContain('failed');
  });

  it('a quiet run writes nothing on stderr', async () => {
    await peers.addNotifications([piRow(1), piRow(2)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1));
    const run = await spawnYougotdata(sendArgs, peers.env);
    expect(run.code).toBe(0);
    expect(peers.sink.messages()).toHaveLength(1);
    expect(run.stderr).toBe('');
  });

  it('LOG_FORMAT=json: JSON lines instead, each about a notification naming it', async () => {
    await oneFailing();
    const run = await spawnYougotdata(sendArgs, { ...peers.env, LOG_FORMAT: 'json' });
    expect(run.code).toBe(1);
    const records = linesOf(run.stderr).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.level).toBeGreaterThanOrEqual(40);
    expect(records).toContainEqual(
      expect.objectContaining({ level: 40, notification: 2, selection: 'GN-2026B-Q-2/science', status: 'failed', night: NIGHT }),
    );
  });

  it.each(['text', 'json'])('--log-file gets JSON lines from info up (LOG_FORMAT=%s)', async (format) => {
    await oneFailing();
    const logFile = join(folder, `send-${format}.jsonl`);
    const run = await spawnYougotdata([...sendArgs, '--log-file', logFile], { ...peers.env, LOG_FORMAT: format });
    expect(run.code).toBe(1);
    const records = linesOf(readFileSync(logFile, 'utf8')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['run starts', 'sent', 'run ends']));
    expect(records.filter((r) => r.msg === 'sent').map((r) => r.notification)).toEqual(expect.arrayContaining([1, 3]));
    expect(records).toContainEqual(
      expect.objectContaining({ level: 40, notification: 2, status: 'failed', msg: expect.stringMatching(/^no recipient accepted/) }),
    );
    expect(Math.min(...records.map((r) => r.level as number))).toBe(30);
    // stderr keeps its own format and level: only what needs attention.
    const stderr = linesOf(run.stderr);
    expect(stderr).toHaveLength(1);
    if (format === 'json') expect(JSON.parse(stderr[0] ?? '')).toMatchObject({ level: 40, notification: 2 });
    else expect(stderr[0]).toMatch(/ WARN {2}#2 GN-2026B-Q-2\/science: no recipient accepted/);
  });
});

describe('the --log-file on disk (it names every recipient)', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  /** `send --log-file`, spawned under `umask`: the child takes the umask this process has when it starts it. */
  function sendUnderUmask(logFile: string, umask: number) {
    const previous = process.umask(umask);
    try {
      return spawnYougotdata([...sendArgs, '--log-file', logFile], peers.env);
    } finally {
      process.umask(previous);
    }
  }

  it('is created 0640 even under a umask of 000: no other user of the host reads it', async () => {
    await oneFailing();
    const logFile = join(folder, 'created.jsonl');
    const run = await sendUnderUmask(logFile, 0o000);
    expect(run.code).toBe(1);
    expect(readFileSync(logFile, 'utf8')).toContain('"pi1@uni.test"');
    expect(modeOf(logFile)).toBe(0o640);
  });

  it('one of ours left readable by every user (0664) by an earlier version loses that, and keeps its lines', async () => {
    await oneFailing();
    const logFile = join(folder, 'earlier.jsonl');
    writeFileSync(logFile, '{"msg":"an earlier run"}\n');
    chmodSync(logFile, 0o664);
    const run = await sendUnderUmask(logFile, 0o022);
    expect(run.code).toBe(1);
    expect(modeOf(logFile)).toBe(0o660);
    expect(readFileSync(logFile, 'utf8')).toMatch(/^\{"msg":"an earlier run"\}\n\{/);
  });

  it('a password in a logged URL is masked where it stands, on stderr and in the file', async () => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.inject({ status: 500, times: Number.POSITIVE_INFINITY });
    const logFile = join(folder, 'masked.jsonl');
    const archive = peers.archive.url.replace('http://', 'http://reader:pw-in-url@');
    const run = await spawnYougotdata([...sendArgs, '--log-file', logFile], { ...peers.env, ARCHIVE_URL: archive, ARCHIVE_RETRIES: '0' });
    expect(run.code).toBe(1);
    const logged = readFileSync(logFile, 'utf8');
    expect(run.stderr).toContain(`url=${peers.archive.url.replace('http://', 'http://reader:***@')}/jsonsummary/`);
    expect(logged).toContain(`"url":"${peers.archive.url.replace('http://', 'http://reader:***@')}/jsonsummary/`);
    expect(run.stdout + run.stderr + logged).not.toContain('pw-in-url');
  });

  it.runIf(process.getuid?.() === 0)("another user's file is appended to and left as it is", async () => {
    await oneFailing();
    const logFile = join(folder, 'theirs.jsonl');
    writeFileSync(logFile, '');
    chmodSync(logFile, 0o644);
    chownSync(logFile, 65534, 65534);
    const run = await sendUnderUmask(logFile, 0o022);
    expect(run.code).toBe(1);
    expect(modeOf(logFile)).toBe(0o644);
    expect(readFileSync(logFile, 'utf8')).toContain('"run ends"');
  });
});

/** `send` in this process with stderr a terminal, as a person at a prompt runs it; resolves with what it wrote. */
function sendOnTerminal(env: Record<string, string>, args: readonly string[] = []) {
  const terminal = new FakeTerminal(true, 120);
  const stdout = new PassThrough();
  stdout.resume();
  const done = runCli([...sendArgs, ...args], {
    env,
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    stdout,
    stderr: terminal,
    now: () => new Date(),
  });
  return { terminal, done };
}

/** Every row the terminal shows, and every row before the terminal cleared it: a log line or the progress, never both. */
function expectNeverInterleaved(terminal: FakeTerminal) {
  const written = terminal.output.split('\n').map((row) => row.split('\r\x1b[2K').at(-1) ?? '');
  for (const row of [...written, ...terminal.screen]) {
    const isProgress = /^\d+\/\d+ notifications$/.test(row);
    const isLine = (TEXT_LINE.test(row) || row.startsWith('yougotdata: ')) && !PROGRESS.test(row);
    expect(row === '' || isProgress || isLine, JSON.stringify(row)).toBe(true);
  }
}

describe('on a terminal', () => {
  it('the progress line and the log lines (info and up) never share a row', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => i + 1);
    await peers.addNotifications(ids.map((id) => piRow(id)));
    for (const id of ids.filter((id) => id % 2 === 0)) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 1));
    peers.sink.faults.rejectRecipient(/^pi(6|12|18)@/, { code: 550, message: 'mailbox unavailable' });
    // Slow enough answers that the progress is redrawn between log lines.
    peers.archive.setLatency(15);
    const { terminal, done } = sendOnTerminal({ ...peers.env, ARCHIVE_CONCURRENCY: '2' });
    expect(await done).toBe(1);
    expectNeverInterleaved(terminal);
    const screen = terminal.screen;
    expect(screen.filter((row) => PROGRESS.test(row))).toEqual(['24/24 notifications']);
    expect(terminal.writes.filter((write) => PROGRESS.test(write)).length).toBeGreaterThan(5);
    expect(screen.filter((row) => / INFO {2}#\d+ GN-2026B-Q-\d+\/science: sent /.test(row))).toHaveLength(9);
    expect(screen.filter((row) => / WARN {2}#\d+ GN-2026B-Q-\d+\/science: no recipient accepted/.test(row))).toHaveLength(3);
    expect(screen.at(-1)).toMatch(/INFO {2}run ends night=20261126 exitCode=1 totals=/);
  });

  it('a fatal error mid-run is written below the progress, not into it', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    await peers.addNotifications(ids.map((id) => piRow(id)));
    for (const id of ids) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 1));
    peers.archive.setLatency(50);
    const { terminal, done } = sendOnTerminal({ ...peers.env, ARCHIVE_CONCURRENCY: '1' });
    await until(() => /\b[3-9]\/40 notifications/.test(terminal.output), 20_000, 'the progress at 3/40');
    // The run's database sessions ended from the server, as an administrator or a failover would.
    await peers.db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'yougotdata send%' AND pid <> pg_backend_pid()`,
    );
    expect(await done).toBe(75);
    expectNeverInterleaved(terminal);
    expect(terminal.screen.at(-1)).toMatch(/^yougotdata: (lost the database|lost the run lock)/);
  });
});
