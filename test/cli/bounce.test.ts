/**
 * `yougotdata bounce` against a real PostgreSQL: a message the job sent through the mail sink, then bounces about
 * it on stdin (as an aliases pipe gives them), in files and in a Maildir. Matching by each handle, recording once
 * whatever the route, and every bad input kept with exit 0 or retried with 75, never anything else on stdin.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { janeDoeRow, scienceFiles, sendInProcess, spawnYougotdata, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url));
/** Postfix's bounce for row 1's first recipient, jane.doe@uni.test, signed with the secret below (fixtures README). */
const BOUNCE = fixture('postfix-5.1.1-user-unknown.eml');
const TOKEN = 'fitsdata-bounces+1-0-4881184a4ce0b72a@gemini.test';
const BOUNCES = { BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test', BOUNCE_SECRET: 'test-only secret: 8f1d2c3b4a5e6f7081928374' };
const env = () => ({ ...peers.env, ...BOUNCES });

const bounce = (args: string[], stdin?: Uint8Array, extra: Record<string, string> = {}) =>
  yougotdata(['bounce', ...args], { ...env(), ...extra }, new Date(), stdin);

/** How many rows each of the tool's tables holds: "adds no row anywhere" is checked on all of them. */
async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await peers.db.pool.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'yougotdata%' ORDER BY 1",
  );
  const counts: Record<string, number> = {};
  for (const { name } of rows) counts[name] = Number((await peers.db.pool.query(`SELECT count(*) FROM "${name}"`)).rows[0].count);
  return counts;
}

const reports = async () => (await peers.db.pool.query('SELECT * FROM yougotdata_report ORDER BY id')).rows;
const events = async () => (await peers.db.pool.query('SELECT * FROM yougotdata_delivery_event ORDER BY report')).rows;

/** Row 1: Jane Doe's notice for the night, to her, the partner office and the contact scientist, each with a token. */
async function sendJaneDoe() {
  await peers.addNotifications([janeDoeRow]);
  peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
  const run = await sendInProcess(env());
  expect(run.code, run.stderr).toBe(0);
  const { rows } = await peers.db.pool.query('SELECT id, message_id, relay FROM yougotdata_message');
  expect(rows.map((r) => Number(r.id))).toEqual([1]);
  return rows[0] as { message_id: string; relay: { recipients: string[]; queueId: string }[] };
}

/** The Postfix bounce rewritten to carry other handles, with no token left in it. */
function bounceWith(handles: { envelopeId?: string; messageId?: string; queueId?: string; report?: string }): Buffer {
  let text = BOUNCE.toString('utf8').replaceAll(TOKEN, 'fitsdata-bounces@gemini.test');
  text = text.replace(
    /^Original-Envelope-Id: .*$/m,
    handles.envelopeId ? `Original-Envelope-Id: ${handles.envelopeId}` : 'X-No-Envelope-Id: none',
  );
  text = text.replace(/^Message-ID:\r?\n <yougotdata\.[^>]+>/m, `Message-ID:\r\n ${handles.messageId ?? '<elsewhere@other.test>'}`);
  text = text.replace(/^X-Postfix-Queue-ID: .*$/m, `X-Postfix-Queue-ID: ${handles.queueId ?? 'F00D'}`);
  // Written after the message it reports on: a report older than a message is never about it.
  text = text.replace(/^Date: .*$/m, `Date: ${new Date().toUTCString()}`);
  return Buffer.from(text.replace(/^Message-Id: <[^>]+>$/m, `Message-Id: <${handles.report ?? 'report'}@relay.yougotdata.test>`));
}

describe('bounce on stdin, as an aliases pipe gives it', () => {
  beforeEach(async () => {
    await sendJaneDoe();
  });

  it("records Postfix's bounce, matched by its token, with the recipient's failure", async () => {
    const run = await bounce(['--json'], BOUNCE, { RECIPIENT: TOKEN });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toEqual({
      messages: [
        {
          source: 'stdin',
          kind: 'bounce',
          messageId: '<20261207191448.7BCA520EDC2@relay.yougotdata.test>',
          matched: { by: 'token', sendId: 1 },
          forged: null,
          recipients: [
            {
              address: 'jane.doe@uni.test',
              action: 'failed',
              status: '5.1.1',
              class: 'dead-address',
              hard: true,
              diagnostic: '550 5.1.1 <jane.doe@uni.test>: Recipient address rejected: User unknown',
              remoteMta: '127.0.0.1',
            },
          ],
          outcome: 'recorded',
          report: 1,
          kept: false,
          problems: [],
        },
      ],
      totals: { bounce: 1 },
    });
    expect(await reports()).toMatchObject([{ kind: 'bounce', matched_by: 'token', send_id: '1', source: 'stdin', kept: false, raw: null }]);
    expect(await events()).toMatchObject([
      {
        address: 'jane.doe@uni.test',
        final_recipient: 'jane.doe@uni.test',
        send_id: '1',
        action: 'failed',
        hard: true,
        remote_mta: '127.0.0.1',
      },
    ]);
  });

  it('matches by each handle alone, in the order: envelope id, Message-ID, queue id, address', async () => {
    const row = (await peers.db.pool.query('SELECT message_id, relay FROM yougotdata_message')).rows[0];
    const queueId = row.relay.find((r: { recipients: string[] }) => r.recipients[0] === 'ngo@office.test').queueId;
    const cases: [Buffer, string, string][] = [
      [bounceWith({ envelopeId: row.message_id.slice(1, -1), report: 'a' }), 'envelope-id', 'jane.doe@uni.test'],
      [bounceWith({ messageId: row.message_id, report: 'b' }), 'message-id', 'jane.doe@uni.test'],
      [bounceWith({ queueId, report: 'c' }), 'queue-id', 'ngo@office.test'],
      [bounceWith({ report: 'd' }), 'address', 'jane.doe@uni.test'],
    ];
    for (const [message, by, address] of cases) {
      const run = await bounce(['--json'], message);
      expect(run.json().messages[0]).toMatchObject({ matched: { by, sendId: 1 }, outcome: 'recorded' });
      // The queue id names the partner office's own transaction: its event is filed under that address.
      expect((await events()).at(-1)).toMatchObject({ address, final_recipient: 'jane.doe@uni.test' });
    }
  });

  it('the same report again, by any route, adds no row anywhere', async () => {
    expect((await bounce([], BOUNCE)).code).toBe(0);
    const before = await rowCounts();
    const dir = mkdtempSync(join(tmpdir(), 'ygd-bounce-'));
    const file = join(dir, 'bounce.eml');
    writeFileSync(file, BOUNCE.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const maildir = join(dir, 'Maildir');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    writeFileSync(join(maildir, 'cur', '1733599000.M1P1.host:2,S'), BOUNCE);
    const piped = Buffer.concat([Buffer.from(`Return-Path: <>\nDelivered-To: ${TOKEN}\nX-Original-To: ${TOKEN}\n`), BOUNCE]);
    for (const run of [await bounce(['--json'], piped), await bounce(['--json', file, maildir])]) {
      expect(run.code, run.stderr).toBe(0);
      for (const message of run.json().messages) expect(message).toMatchObject({ outcome: 'already-recorded', report: 1 });
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('four processes given the same report at once record it once', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => spawnYougotdata(['bounce', '--json'], env(), { stdin: BOUNCE })));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(runs.map((r) => r.json().messages[0].outcome).sort()).toEqual([
      'already-recorded',
      'already-recorded',
      'already-recorded',
      'recorded',
    ]);
    expect((await rowCounts()).yougotdata_report).toBe(1);
    expect(await events()).toHaveLength(1);
  });

  it('a forged token is recorded and kept for a person, and marks nothing', async () => {
    const forged = Buffer.from(BOUNCE.toString('utf8').replaceAll('4881184a4ce0b72a', '0000000000000000'));
    const run = await bounce(['--json'], forged);
    expect(run.code).toBe(0);
    expect(run.json().messages[0]).toMatchObject({ matched: null, forged: { sendId: 1 }, outcome: 'forged', kept: true });
    // The row a forged token names is only a claim: it is said, never recorded as the report's message.
    expect(await reports()).toMatchObject([
      { matched_by: 'forged', send_id: null, kept: true, problems: [{ code: 'forged-token', detail: expect.stringContaining('row 1,') }] },
    ]);
    expect(Buffer.from((await reports())[0].raw).equals(forged)).toBe(true);
    expect(await events()).toEqual([]);
    expect((await bounce([], forged)).stdout).toContain('its signature is wrong');
  });

  it('a forged token naming a row that does not exist, or one past any row id, is kept with exit 0, not retried forever', async () => {
    for (const [row, report] of [
      ['424242', 'x'],
      ['9999999999999999999', 'y'],
    ]) {
      // Row 1's signature on another row: forged, as is any made-up token.
      const forged = BOUNCE.toString('utf8')
        .replaceAll(TOKEN, TOKEN.replace('+1-', `+${row}-`))
        .replace('<20261207', `<${report}`);
      const run = await bounce(['--json'], Buffer.from(forged));
      expect(run.code, run.stderr).toBe(0);
      expect(run.json().messages[0]).toMatchObject({ matched: null, outcome: 'forged', kept: true });
    }
    const rows = await reports();
    expect(rows.map((r) => [r.matched_by, r.send_id, r.kept])).toEqual([
      ['forged', null, true],
      ['forged', null, true],
    ]);
    expect(rows.map((r) => r.problems[0].detail)).toEqual([
      expect.stringContaining('its token names send record row 424242,'),
      expect.stringContaining('its token names send record row 9999999999999999999,'),
    ]);
    expect(await events()).toEqual([]);
  });

  it('reports past the retention are deleted by send and by a run over files, never by each message on stdin', async () => {
    expect((await bounce([], BOUNCE)).code).toBe(0);
    const pastRetention = () => peers.db.pool.query("UPDATE yougotdata_report SET read_at = now() - interval '366 days'");
    await pastRetention();
    expect((await bounce([], fixture('postfix-three-recipients.eml'))).code).toBe(0);
    expect((await reports()).map((r) => r.kind)).toEqual(['bounce', 'bounce']);
    expect(await events()).toHaveLength(1);

    const file = join(mkdtempSync(join(tmpdir(), 'ygd-retention-')), 'reply.eml');
    writeFileSync(file, fixture('not-a-bounce.eml'));
    expect((await bounce([file])).code).toBe(0);
    expect((await reports()).map((r) => [r.id, r.kind])).toEqual([
      ['2', 'bounce'],
      ['3', 'not-a-bounce'],
    ]);
    expect(await events()).toEqual([]);

    await pastRetention();
    expect((await sendInProcess(env())).code).toBe(0);
    expect(await reports()).toEqual([]);
  });

  it('a report about a message this job never sent is kept whole for a person, and counted', async () => {
    const stranger = fixture('postfix-three-recipients.eml');
    const run = await bounce([], stranger);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^stdin: bounce, matched no message this job sent; kept for a person as report 1$/m);
    expect(run.stdout).toMatch(/^1 message read: bounce 1; kept 1\.$/m);
    expect(Buffer.from((await reports())[0].raw).equals(stranger)).toBe(true);
    expect(await events()).toEqual([]);
  });

  it('a token for a send record row deleted since: kept, saying so', async () => {
    await peers.db.pool.query('DELETE FROM yougotdata_file; DELETE FROM yougotdata_message');
    const run = await bounce(['--json'], BOUNCE);
    expect(run.code).toBe(0);
    expect(run.json().messages[0]).toMatchObject({
      matched: null,
      outcome: 'kept',
      problems: [{ code: 'deleted-send', detail: 'its token names send record row 1, which the record no longer has' }],
    });
    expect(await events()).toEqual([]);
  });

  it('bad input is kept with exit 0: an empty message, one that is not mail, broken MIME', async () => {
    for (const [name, kind, problem] of [
      ['empty.eml', 'unreadable', 'empty'],
      ['not-mail.png', 'unreadable', 'not-mail'],
      ['broken-mime.eml', 'bounce', 'broken-mime'],
    ]) {
      const run = await bounce(['--json'], fixture(name as string));
      expect(run.code, name).toBe(0);
      expect(run.json().messages[0]).toMatchObject({ kind, outcome: 'kept' });
      expect(run.json().messages[0].problems.map((p: { code: string }) => p.code)).toContain(problem);
    }
    expect((await reports()).map((r) => r.kept)).toEqual([true, true, true]);
  });

  it('a 50 MB message through a real pipe: read to its end, its head read and kept, the size said', async () => {
    // About a message never sent: kept for a person, as much as is kept.
    const stranger = Buffer.concat([fixture('postfix-three-recipients.eml'), Buffer.alloc(50 * 1024 * 1024, 'x\n')]);
    const run = await spawnYougotdata(['bounce', '--json'], env(), { stdin: stranger });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().messages[0].problems).toContainEqual({
      code: 'too-large',
      detail: `the message has ${stranger.length} bytes; the first 10485760 were read`,
    });
    const [report] = await reports();
    expect(Number(report.size)).toBe(stranger.length);
    expect(report.raw.length).toBe(1024 * 1024);
  });

  it('exit 75 when it must be tried again: the database down, refused or unknown, a setting missing', async () => {
    const cases: Record<string, string>[] = [
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/nowhere' },
      { DATABASE_URL: peers.db.url.replace(/\/[^/]+$/, '/no_such_database') },
      { DATABASE_URL: '' },
      { BOUNCE_SECRET: 'short' },
    ];
    for (const extra of cases) {
      const run = await bounce(['--json'], BOUNCE, extra);
      expect(run.code, JSON.stringify(extra)).toBe(75);
      expect(run.json()).toMatchObject({ exitCode: 75 });
      expect(run.stderr).toMatch(/ \(exit 75: the mail server keeps the message and tries again\)\n$/);
    }
    expect(await reports()).toEqual([]);
  });

  it('whatever the bytes on stdin, the exit code is 0 (recorded or kept)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const run = await bounce([], bytes);
        expect(run.code, run.stderr).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});

describe('bounce on a database migrate has not brought up to date', () => {
  it('changes nothing and says to run migrate: exit 75 on stdin (the mail server keeps the bounce), 2 for files', async () => {
    const piped = await bounce(['--json'], BOUNCE);
    expect(piped.code).toBe(75);
    expect(piped.stderr).toBe(
      `yougotdata: the database has none of yougotdata's tables: run "yougotdata migrate" first (exit 75: the mail server keeps the message and tries again)\n`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'ygd-unmigrated-')), 'bounce.eml');
    writeFileSync(file, BOUNCE);
    const files = await bounce(['--json', file]);
    expect(files.code).toBe(2);
    expect(files.json()).toMatchObject({ error: { kind: 'database', message: expect.stringContaining('run "yougotdata migrate" first') } });
    expect(await rowCounts()).toEqual({});

    // A migration of this version not applied yet: an upgrade installed, `migrate` not run.
    expect((await yougotdata(['migrate'], env())).code).toBe(0);
    const { rows } = await peers.db.pool.query(
      'DELETE FROM yougotdata_migration WHERE version = (SELECT max(version) FROM yougotdata_migration) RETURNING name',
    );
    const lacking = await bounce([], BOUNCE);
    expect(lacking.code).toBe(75);
    expect(lacking.stderr).toContain(`the database lacks ${rows[0].name}: run "yougotdata migrate" first`);
    expect(await reports()).toEqual([]);
  });
});

describe('bounce with files, Maildirs and --dry-run', () => {
  it('--dry-run needs no database, checks the token, and records nothing', async () => {
    const run = await yougotdata(['bounce', '--dry-run', '--json'], { ...env(), DATABASE_URL: '' }, new Date(), BOUNCE);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().messages[0]).toMatchObject({ matched: { by: 'token', sendId: 1 }, outcome: 'not-recorded', report: null });
    expect(await rowCounts()).toEqual({});
  });

  it('reads every message of a Maildir (new and cur) and of a plain folder; a path that is neither is exit 2', async () => {
    expect((await yougotdata(['migrate'], env())).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'ygd-maildir-'));
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(dir, 'Maildir', sub), { recursive: true });
    writeFileSync(join(dir, 'Maildir', 'new', '1.host'), fixture('qmail.eml'));
    writeFileSync(join(dir, 'Maildir', 'cur', '2.host:2,S'), fixture('yahoo.eml'));
    writeFileSync(join(dir, 'Maildir', 'tmp', '3.host'), fixture('vacation-rfc3834.eml'));
    mkdirSync(join(dir, 'plain'));
    writeFileSync(join(dir, 'plain', 'a.eml'), fixture('exim-without-dsn.eml'));
    const run = await bounce(['--json', join(dir, 'Maildir'), join(dir, 'plain')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().messages.map((m: { source: string }) => m.source.slice(dir.length))).toEqual([
      '/Maildir/new/1.host',
      '/Maildir/cur/2.host:2,S',
      '/plain/a.eml',
    ]);
    const missing = await bounce([join(dir, 'nothing-here.eml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, 'nothing-here.eml')}: no such file or folder`);
  });
});
