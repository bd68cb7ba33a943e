import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/demo/archive-stand-in/index.js';
import type { SinkMessage } from '../../src/sink/index.js';
import { addresses, janeDoeRow, NIGHT, scienceFiles, sendInProcess, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();

const send = (...args: string[]) => sendInProcess(peers.env, ...args);
const parsed = (message: SinkMessage) => simpleParser(message.raw);
const jsonSummaries = (standIn = peers.archive) => standIn.requests.filter((r) => r.path.startsWith('/jsonsummary'));

describe('send in PI mode', () => {
  it('mails the PI, copies the partner office and contact scientist, and records it', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 5), ...scienceFiles('GN-2026B-Q-7', 3)]);
    const run = await send();
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report).toMatchObject({ date: NIGHT, mode: 'pi', dryRun: false, totals: { sent: 1 } });
    expect(report.results[0]).toMatchObject({
      id: 101,
      status: 'sent',
      files: 5,
      to: ['jane.doe@uni.test'],
      cc: ['ngo@office.test', 'cs@gemini.test'],
      rejected: ['N/A'],
      refused: [],
      error: null,
    });
    const [message] = peers.sink.messages();
    expect(peers.sink.messages()).toHaveLength(1);
    const mail = await parsed(message!);
    expect(mail.subject).toBe('New Data for GN-2026B-Q-101/science');
    expect(addresses(mail.to)).toEqual(['jane.doe@uni.test']);
    expect((mail.to as AddressObject).value[0]?.name).toBe('Doe, Jane');
    expect(addresses(mail.cc)).toEqual(['ngo@office.test', 'cs@gemini.test']);
    expect(addresses(mail.replyTo)).toEqual(['helpdesk@gemini.test']);
    expect(mail.messageId).toBe(report.results[0].messageId);
    expect(mail.date).toBeInstanceOf(Date);
    expect(mail.text).toContain(`${peers.archive.url}/searchform/night=${NIGHT}/GN-2026B-Q-101/science`);
    expect(mail.html).toContain(`href="${peers.archive.url}/searchform/night&#x3D;${NIGHT}/GN-2026B-Q-101/science"`);
    expect((mail.text!.match(/N2026112[67]S\d{4}/g) ?? []).length).toBe(5);
    const record = await peers.db.pool.query(
      'SELECT status, accepted, files, message_id FROM yougotdata_message WHERE notification_id = 101',
    );
    expect(record.rows[0]).toMatchObject({ status: 'sent', message_id: report.results[0].messageId });
    expect(record.rows[0].accepted.sort()).toEqual(['cs@gemini.test', 'jane.doe@uni.test', 'ngo@office.test']);
    expect(record.rows[0].files).toHaveLength(5);
  });

  it('puts EMAIL_BCC in the envelope only, and never sends one address twice', async () => {
    await peers.addNotifications([{ ...janeDoeRow, ngoemail: 'JANE.DOE@uni.test, audit@gemini.test', csemail: 'cs@gemini.test' }]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1)]);
    const run = await yougotdata(['send', '--date', NIGHT, '--json'], {
      ...peers.env,
      EMAIL_BCC: 'audit@gemini.test, archive-copy@gemini.test',
    });
    expect(run.json().results[0]).toMatchObject({ status: 'sent', cc: ['audit@gemini.test', 'cs@gemini.test'] });
    const [message] = peers.sink.messages();
    expect([...message!.envelope.to].sort()).toEqual([
      'archive-copy@gemini.test',
      'audit@gemini.test',
      'cs@gemini.test',
      'jane.doe@uni.test',
    ]);
    const mail = await parsed(message!);
    expect(mail.bcc).toBeUndefined();
    expect(message!.raw).not.toMatch(/^Bcc:/im);
  });

  it("finds each site's files by its own night boundaries", async () => {
    await peers.addNotifications([
      { id: 1, selection: 'GN-2026B-Q-1/science', piemail: 'north@uni.test' },
      { id: 2, selection: 'GS-2026B-Q-2/science', piemail: 'south@uni.test' },
    ]);
    const at = (programId: string, ut: string, telescope: 'Gemini-North' | 'Gemini-South') =>
      makeEntry({ programId, ut, telescope, observationClass: 'science' });
    peers.archive.addEntries([
      at('GN-2026B-Q-1', '2026-11-26T00:00:00Z', 'Gemini-North'),
      at('GN-2026B-Q-1', '2026-11-26T23:59:59Z', 'Gemini-North'),
      at('GN-2026B-Q-1', '2026-11-25T23:59:59Z', 'Gemini-North'),
      at('GN-2026B-Q-1', '2026-11-27T00:00:00Z', 'Gemini-North'),
      at('GS-2026B-Q-2', '2026-11-25T18:00:00Z', 'Gemini-South'),
      at('GS-2026B-Q-2', '2026-11-26T17:59:59Z', 'Gemini-South'),
      at('GS-2026B-Q-2', '2026-11-25T17:59:59Z', 'Gemini-South'),
      at('GS-2026B-Q-2', '2026-11-26T18:00:00Z', 'Gemini-South'),
    ]);
    const results = (await send()).json().results;
    expect(results.map((r: { files: number }) => r.files)).toEqual([2, 2]);
    const texts = await Promise.all(peers.sink.messages().map(async (m) => (await parsed(m)).text ?? ''));
    const north = texts.find((t) => t.includes('GN-2026B-Q-1'))!;
    expect(north).toContain('observed on UT date 2026-11-26');
    expect(north).toMatch(/ 00:00:00 [\s\S]* 23:59:59 /);
    const south = texts.find((t) => t.includes('GS-2026B-Q-2'))!;
    expect(south).toMatch(/ 2026-11-25 18:00:00 [\s\S]* 2026-11-26 17:59:59 /);
  });

  it('reports no-data for an empty night and sends nothing', async () => {
    await peers.addNotifications([janeDoeRow]);
    const run = await send();
    expect(run.code).toBe(0);
    expect(run.json().results[0]).toMatchObject({ status: 'no-data', files: 0 });
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it('skips what was sent on a rerun, and sends again with --force', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2)]);
    expect((await send()).json().results[0].status).toBe('sent');
    const rerun = await send();
    expect(rerun.json().results[0]).toMatchObject({ status: 'already-sent', files: 2 });
    expect(peers.sink.messages()).toHaveLength(1);
    const forced = await send('--force');
    expect(forced.json().results[0].status).toBe('sent');
    expect(peers.sink.messages()).toHaveLength(2);
  });

  it('--dry-run composes every message but sends and records nothing', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2)]);
    const run = await yougotdata(['send', '--date', NIGHT, '--json', '--dry-run'], { ...peers.env, EMAIL_FROM: '' });
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ dryRun: true, totals: { 'dry-run': 1 } });
    expect(run.json().results[0]).toMatchObject({ status: 'dry-run', files: 2, to: ['jane.doe@uni.test'] });
    expect(peers.sink.messages()).toHaveLength(0);
    const tables = await peers.db.pool.query("SELECT to_regclass('yougotdata_message') AS t");
    expect(tables.rows[0].t).toBeNull();
    expect((await send()).json().results[0].status).toBe('sent');
  });

  it('--match keeps only the rows whose id, label or selection matches', async () => {
    await peers.addNotifications([
      janeDoeRow,
      { id: 7, label: 'Other', selection: 'GS-2026B-Q-9/science', piemail: 'x@uni.test' },
      { id: 1010, label: 'x', selection: 'GN-2026B-Q-5/science', piemail: 'y@uni.test' },
    ]);
    expect((await send('--match', 'gn-2026b-q-101')).json().results.map((r: { id: number }) => r.id)).toEqual([101]);
    expect((await send('--match', '7')).json().results.map((r: { id: number }) => r.id)).toEqual([7]);
    expect((await send('--match', 'other')).json().results.map((r: { id: number }) => r.id)).toEqual([7]);
  });

  it('--date A..B runs each night in turn, oldest first, in one report', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1, '20261124'), ...scienceFiles('GN-2026B-Q-101', 2, '20261126')]);
    const run = await yougotdata(['send', '--date', '20261124..20261126', '--json'], peers.env);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ date: '20261124..20261126', totals: { sent: 2, 'no-data': 1 } });
    expect(run.json().results.map((r: { night: string; status: string }) => [r.night, r.status])).toEqual([
      ['20261124', 'sent'],
      ['20261125', 'no-data'],
      ['20261126', 'sent'],
    ]);
    const backwards = await yougotdata(['send', '--date', '20261126..20261124'], peers.env);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('ends before it starts');
  });

  it('--date yesterday is the UTC date before today', async () => {
    await peers.addNotifications([janeDoeRow]);
    const run = await yougotdata(['send', '--date', 'yesterday', '--json'], peers.env, new Date('2026-11-27T03:00:00Z'));
    expect(run.json().date).toBe('20261126');
  });

  it('--log-file appends every log line as JSON, a line about a notification carrying its id and selection', async () => {
    await peers.addNotifications([janeDoeRow, { ...janeDoeRow, id: 102, selection: 'GN-2026B-Q-102/science' }]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const folder = mkdtempSync(join(tmpdir(), 'yougotdata-send-log-'));
    try {
      const path = join(folder, 'send.jsonl');
      const run = await send('--log-file', path);
      expect(run.code).toBe(0);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(['run starts', 'sent', 'run ends']));
      const sent = records.find((r) => r.msg === 'sent')!;
      expect(sent).toMatchObject({ notification: 101, selection: 'GN-2026B-Q-101/science', night: NIGHT, files: 2 });
      expect(sent.messageId).toBe(run.json().results[0].messageId);
      // A second run appends.
      await send('--log-file', path);
      expect(readFileSync(path, 'utf8').trimEnd().split('\n').length).toBeGreaterThan(lines.length);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('prints a readable table without --json', async () => {
    await peers.addNotifications([janeDoeRow]);
    const run = await yougotdata(['send', '--date', NIGHT], peers.env);
    expect(run.stdout).toContain(`PI notifications for night ${NIGHT}`);
    expect(run.stdout).toMatch(/101\s+20261126\s+no-data\s+0\s+GN-2026B-Q-101\/science/);
    expect(run.stdout).toContain('1 notifications: no-data 1');
  });
});

describe('send in CHECK mode', () => {
  it('asks the summit server for CHECK files and mails the contact scientist only', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.summit.addEntries([...scienceFiles('GN-2026B-Q-101', 1, NIGHT, { qaState: 'CHECK' }), ...scienceFiles('GN-2026B-Q-101', 2)]);
    const run = await send('--check');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ mode: 'check', results: [{ status: 'sent', files: 1, to: ['cs@gemini.test'], cc: [] }] });
    expect(jsonSummaries(peers.summit).map((r) => r.path)).toEqual([`/jsonsummary/night=${NIGHT}/GN-2026B-Q-101/science/CHECK`]);
    expect(jsonSummaries(peers.archive)).toHaveLength(0);
    const mail = await parsed(peers.sink.messages()[0]!);
    expect(mail.subject).toBe('Data set to CHECK for GN-2026B-Q-101/science');
    expect(addresses(mail.to)).toEqual(['cs@gemini.test']);
    expect(mail.cc).toBeUndefined();
    expect(mail.replyTo).toBeUndefined();
    expect(mail.text).toContain(`${peers.summit.url}/searchform/night=${NIGHT}/GN-2026B-Q-101/science/CHECK`);
  });

  it('keeps its own record: a PI send does not make the CHECK mail already-sent', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1));
    peers.summit.addEntries(scienceFiles('GN-2026B-Q-101', 1, NIGHT, { qaState: 'CHECK' }));
    expect((await send()).json().results[0].status).toBe('sent');
    expect((await send('--check')).json().results[0].status).toBe('sent');
    expect((await send('--check')).json().results[0].status).toBe('already-sent');
  });

  it('requires FITS_SERVER_URL', async () => {
    const { FITS_SERVER_URL: _, ...env } = peers.env;
    const run = await yougotdata(['send', '--check'], env);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('FITS_SERVER_URL');
  });
});

describe('bad input', () => {
  it.each([
    ['NULL', null, 'blank'],
    ['blank', '  ', 'blank'],
    ['a typo in the program id', 'GN2026BQ101/science', 'GN2026BQ101'],
    ['a typo in the observation class', 'GN-2026B-Q-101/sceince', 'sceince'],
  ])('a %s selection is invalid-selection: nothing searched, nothing sent, exit 1', async (_case, selection, named) => {
    await peers.addNotifications([{ ...janeDoeRow, selection }]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2), ...scienceFiles('GN-2026B-Q-5', 2)]);
    const run = await send();
    expect(run.code).toBe(1);
    const result = run.json().results[0];
    expect(result.status).toBe('invalid-selection');
    expect(result.error).toContain(named);
    expect(jsonSummaries()).toHaveLength(0);
    expect(peers.archive.requests.every((r) => r.path.startsWith('/summary/nolinks/'))).toBe(true);
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it('confirms a term the local grammar does not know with the server, then searches', async () => {
    // An archive newer than the job's word lists: it knows an instrument the job does not yet.
    peers.archive.learnWords(['SCORPIO']);
    await peers.addNotifications([{ ...janeDoeRow, selection: 'GN-2026B-Q-101/SCORPIO' }]);
    const run = await send();
    const summaries = peers.archive.requests.filter((r) => r.path.startsWith('/summary/nolinks/'));
    expect(summaries.map((r) => r.path)).toEqual([`/summary/nolinks/night=${NIGHT}/GN-2026B-Q-101/SCORPIO`]);
    expect(jsonSummaries().map((r) => r.path)).toEqual([`/jsonsummary/night=${NIGHT}/GN-2026B-Q-101/SCORPIO`]);
    expect(run.json().results[0].status).toBe('no-data');
  });

  it.each([
    ['NULL', null],
    ['empty', ''],
    ['garbage', 'N/A; none; TBD; -'],
  ])('a %s piemail is no-recipients: nothing sent, pieces reported', async (_case, piemail) => {
    await peers.addNotifications([{ ...janeDoeRow, piemail }]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2)]);
    const run = await send();
    expect(run.code).toBe(0);
    const result = run.json().results[0];
    expect(result.status).toBe('no-recipients');
    expect(result.error).toContain('piemail');
    if (piemail === 'N/A; none; TBD; -') expect(result.rejected).toEqual(expect.arrayContaining(['N/A', 'none', 'TBD', '-']));
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it.each([
    ['an impossible --date', ['send', '--date', '20260230'], '20260230'],
    ['a malformed --date', ['send', '--date', '2026-11-26'], '2026-11-26'],
    ['an unknown option', ['send', '--dryrun'], 'dryrun'],
  ])('%s exits 2', async (_case, argv, named) => {
    const run = await yougotdata(argv, peers.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
  });

  it.each(['EMAIL_FROM', 'DATABASE_URL'])('a missing %s exits 2 with one line naming it', async (variable) => {
    const { [variable]: _, ...env } = peers.env;
    await peers.addNotifications([janeDoeRow]);
    const run = await yougotdata(['send', '--date', NIGHT], env);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(variable);
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it('a malformed setting exits 2 naming it, without printing its password', async () => {
    const run = await yougotdata(['send', '--date', NIGHT], { ...peers.env, ARCHIVE_CONCURRENCY: 'lots' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ARCHIVE_CONCURRENCY');
    const bad = await yougotdata(['send', '--date', NIGHT], { ...peers.env, DATABASE_URL: 'postgres://u:s3cret@127.0.0.1:1/x' });
    expect(bad.code).toBe(75);
    expect(bad.stderr).not.toContain('s3cret');
  });

  it('an archive answering 500 then 200 is retried and the mail sent once', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2)]);
    peers.archive.inject([{ status: 500, match: '/jsonsummary' }]);
    const run = await send();
    expect(run.json().results[0].status).toBe('sent');
    expect(jsonSummaries().map((r) => r.status)).toEqual([500, 200]);
    expect(peers.sink.messages()).toHaveLength(1);
  });

  it.each([
    ['an HTML page instead of JSON', { html: true, times: 10 }, 'not JSON'],
    ['a hang', { hang: true, times: 10 }, 'no answer within 1500 ms'],
    ['a 500 every time', { status: 500, times: 10 }, 'HTTP 500'],
  ])('%s is failed, never no-data, and the other rows go on', async (_case, fault, error) => {
    await peers.addNotifications([janeDoeRow, { id: 2, selection: 'GN-2026B-Q-2/science', piemail: 'two@uni.test' }]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2), ...scienceFiles('GN-2026B-Q-2', 1)]);
    peers.archive.inject([{ ...fault, match: 'GN-2026B-Q-101' }]);
    const run = await send();
    expect(run.code).toBe(1);
    const results: { id: number; error: string }[] = run.json().results;
    const broken = results.find((r) => r.id === 101);
    const fine = results.find((r) => r.id === 2);
    expect(broken).toMatchObject({ status: 'failed' });
    expect(broken!.error).toContain(error);
    expect(fine).toMatchObject({ id: 2, status: 'sent' });
    expect(peers.sink.messages()).toHaveLength(1);
  });

  it("another program's files in the answer: failed, naming them, nothing sent", async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2)]);
    peers.archive.inject([{ extraPrograms: ['GN-2026B-Q-666'], match: '/jsonsummary' }]);
    const run = await send();
    expect(run.code).toBe(1);
    expect(run.json().results[0].status).toBe('failed');
    expect(run.json().results[0].error).toContain('archive returned files of other programs: GN-2026B-Q-666');
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it('a recipient refused with 550: the others get the message, the refusal is recorded', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1)]);
    peers.sink.faults.rejectRecipient('ngo@office.test', { code: 550, message: '5.1.1 no such user' });
    const run = await send();
    expect(run.code).toBe(0);
    expect(run.json().results[0]).toMatchObject({ status: 'sent', refused: ['ngo@office.test'] });
    expect([...peers.sink.messages()[0]!.envelope.to].sort()).toEqual(['cs@gemini.test', 'jane.doe@uni.test']);
    const record = await peers.db.pool.query('SELECT refused FROM yougotdata_message');
    expect(record.rows[0].refused).toEqual([{ address: 'ngo@office.test', reply: expect.stringContaining('550') }]);
  });

  it('SMTP down: every message failed, exit 75 (try again later); the next run sends them', async () => {
    await peers.addNotifications([janeDoeRow, { id: 2, selection: 'GN-2026B-Q-2/science', piemail: 'two@uni.test' }]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2), ...scienceFiles('GN-2026B-Q-2', 1)]);
    const down = await yougotdata(['send', '--date', NIGHT, '--json'], { ...peers.env, SMTP_URL: 'smtp://127.0.0.1:9' });
    expect(down.code).toBe(75);
    expect(down.json().results.map((r: { status: string }) => r.status)).toEqual(['failed', 'failed']);
    expect(down.json().results[0].error).toMatch(/ECONNECTION|ECONNREFUSED/);
    const again = await send();
    expect(again.code).toBe(0);
    expect(again.json().results.map((r: { status: string }) => r.status)).toEqual(['sent', 'sent']);
    expect(peers.sink.messages()).toHaveLength(2);
  });

  it('mails one digest to ERRORS_TO listing every problem', async () => {
    await peers.addNotifications([
      { ...janeDoeRow, ngoemail: 'N/A' },
      { id: 2, label: 'typo', selection: 'GN2026BQ101/science', piemail: 'x@uni.test' },
      { id: 3, selection: 'GN-2026B-Q-3/science', piemail: 'TBD' },
    ]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1), ...scienceFiles('GN-2026B-Q-3', 1)]);
    const run = await yougotdata(['send', '--date', NIGHT, '--json'], { ...peers.env, ERRORS_TO: 'ops@gemini.test' });
    expect(run.code).toBe(1);
    const digests = peers.sink.messages().filter((m) => m.envelope.to.includes('ops@gemini.test'));
    expect(digests).toHaveLength(1);
    const text = (await parsed(digests[0]!)).text!;
    expect(text).toContain('#101');
    expect(text).toContain('"N/A"');
    expect(text).toContain('#2 typo [GN2026BQ101/science]: invalid-selection');
    expect(text).toContain('#3');
    expect(text).toContain('no-recipients');
  });
});
