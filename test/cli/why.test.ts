import { describe, expect, it } from 'vitest';
import { janeDoeRow, NIGHT, scienceFiles, sendInProcess, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();

const why = (...args: string[]) => yougotdata(['why', '--date', NIGHT, ...args], peers.env);
const send = (...args: string[]) => sendInProcess(peers.env, ...args);
const verdictLine = (stdout: string) => /^Verdict: (.*)$/m.exec(stdout)?.[1];

describe('why: what the record says', () => {
  it('a sent message: when, to whom, the message id, the files it announced', async () => {
    await peers.addNotifications([janeDoeRow]);
    const files = scienceFiles('GN-2026B-Q-101', 3);
    peers.archive.addEntries(files);
    const sent = await send();
    expect(sent.json().results[0].status).toBe('sent');
    const run = await why('GN-2026B-Q-101');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^#101 Auto - GN-2026B-Q-101 — PI mode, night 20261126\n/);
    expect(verdictLine(run.stdout)).toMatch(
      /^Sent at \d\d:\d\d:\d\d UTC on \d{4}-\d\d-\d\d to jane\.doe@uni\.test, ngo@office\.test, cs@gemini\.test\.$/,
    );
    expect(run.stdout).toContain(sent.json().results[0].messageId);
    expect(run.stdout).toContain(`files (3) announced by it: ${files.map((f) => f.name).join(', ')}`);
    expect(run.stdout).toContain(`search   ${peers.archive.url}/jsonsummary/night=${NIGHT}/GN-2026B-Q-101/science`);
    expect(run.stdout).toContain(`browser  ${peers.archive.url}/searchform/night=${NIGHT}/GN-2026B-Q-101/science`);
    expect(run.stdout).toContain('3 files; programs: GN-2026B-Q-101 3; QA states: Pass 3');
    expect(run.stdout).toContain('every one announced already');
    expect(run.stdout).toContain('ngoemail  ngo@office.test; rejected: "N/A"');
    expect(run.stdout).toContain('piemail   "\\"Doe, Jane\\" <jane.doe@uni.test>"');
  });

  it('the search the run actually made: one nightrange= request for the night and its look-back nights', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1));
    expect((await sendInProcess({ ...peers.env, LOOKBACK_NIGHTS: '2' })).json().results[0].status).toBe('sent');
    const asked = `${peers.archive.url}/jsonsummary/nightrange=20261124-20261126/GN-2026B-Q-101/science`;
    const run = await why('101');
    expect(run.stdout).toContain(`last check: sent at `);
    expect(run.stdout).toContain(`    asked ${asked}\n`);
    expect((await why('101', '--json')).json().matches[0].record.check.url).toBe(asked);
  });

  it("a look-back night: its own verdict from the one request that covered it, and the request's URL", async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1, '20261125'));
    expect((await sendInProcess({ ...peers.env, LOOKBACK_NIGHTS: '2' })).json().results[0].status).toBe('no-data');
    const asked = `${peers.archive.url}/jsonsummary/nightrange=20261124-20261126/GN-2026B-Q-101/science`;
    const verdicts = await Promise.all(
      ['20261126', '20261125', '20261124'].map(async (night) => {
        const run = await yougotdata(['why', '101', '--date', night], peers.env);
        return [/^ {2}last check: (\S+)/m.exec(run.stdout)?.[1], run.stdout.includes(`    asked ${asked}\n`)];
      }),
    );
    expect(verdicts).toEqual([
      ['no-data', true],
      ['sent', true],
      ['no-data', true],
    ]);
  });

  it("a refused recipient: the verdict names it with the server's reply", async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    peers.sink.faults.rejectRecipient('cs@gemini.test', { code: 550, message: 'no such user' });
    expect((await send()).json().results[0]).toMatchObject({ status: 'sent', refused: ['cs@gemini.test'] });
    const run = await why('101');
    expect(run.code).toBe(0);
    expect(verdictLine(run.stdout)).toMatch(
      /^Sent at .* to jane\.doe@uni\.test, ngo@office\.test; cs@gemini\.test refused: 550 no such user\.$/,
    );
    expect(run.stdout).toContain('refused: cs@gemini.test (550 no such user)');
    expect(run.stdout).toMatch(
      /^Next: Correct or remove the contact scientist email address cs@gemini\.test in the observing database's contact details for program GN-2026B-Q-101/m,
    );
  });

  it('no data: the night the run checked was empty; files that came later are pointed out', async () => {
    await peers.addNotifications([janeDoeRow]);
    expect((await send()).json().results[0].status).toBe('no-data');
    const empty = await why('GN-2026B-Q-101');
    expect(verdictLine(empty.stdout)).toMatch(
      /^Nothing sent: the archive had no files for GN-2026B-Q-101\/science on night 20261126 when the PI run checked at \d\d:\d\d:\d\d UTC on [\d-]+\.$/,
    );
    expect(empty.stdout).toContain('0 files; programs: none; QA states: none');
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const later = await why('GN-2026B-Q-101');
    expect(verdictLine(later.stdout)).toMatch(
      /when the PI run checked at .*; the archive has 2 files for it now: `yougotdata send --date 20261126 --match 101` sends them\.$/,
    );
  });

  it('an invalid selection: why, what the archive would return, and that nothing is ever sent on it', async () => {
    await peers.addNotifications([{ ...janeDoeRow, selection: 'GN2026BQ101/science' }]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 2), ...scienceFiles('GN-2026B-Q-7', 1)]);
    expect((await send()).json().results[0].status).toBe('invalid-selection');
    const run = await why('GN2026BQ101');
    expect(run.code).toBe(0);
    expect(verdictLine(run.stdout)).toMatch(
      /^Nothing sent: the PI run at .* found the selection invalid: the archive does not recognise "GN2026BQ101" \(did you mean GN-2026B-Q-101\?\)\.$/,
    );
    expect(run.stdout).toContain('INVALID: the archive does not recognise "GN2026BQ101" (did you mean GN-2026B-Q-101?)');
    expect(run.stdout).toContain('asked only to show what this selection returns');
    expect(run.stdout).toContain('3 files; programs: GN-2026B-Q-101 2, GN-2026B-Q-7 1');
    expect(run.stdout).toMatch(/^Next: Edit row #101 \(.*\): correct the selection; nothing is sent until then\.$/m);
  });

  it('on a database where migrate never ran: no record yet, and what a run would do', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const run = await why('101');
    expect(run.code).toBe(0);
    expect(verdictLine(run.stdout)).toBe(
      "No send record yet: the tool's tables do not exist (`yougotdata migrate` never ran), so this tool has sent nothing; the archive has 2 files for it now: `yougotdata send --date 20261126 --match 101` sends them.",
    );
    expect(run.stdout).toContain("none: the tool's tables do not exist");
    const tables = await peers.db.pool.query("SELECT to_regclass('yougotdata_message') AS t");
    expect(tables.rows[0].t).toBeNull();
  });

  it('no run for the night: did cron run?', async () => {
    await peers.addNotifications([janeDoeRow]);
    expect((await yougotdata(['migrate'], peers.env)).code).toBe(0);
    const run = await why('101');
    expect(verdictLine(run.stdout)).toBe(
      'No PI run for night 20261126 is recorded: did cron run? (see `yougotdata history`); the archive has no files for it on night 20261126.',
    );
    expect(run.stdout).toMatch(/^Next: check that cron runs the job: `yougotdata history`$/m);
  });

  it('a run that crashed before this notification: says so', async () => {
    await peers.addNotifications([janeDoeRow]);
    await yougotdata(['migrate'], peers.env);
    await peers.db.pool.query("INSERT INTO yougotdata_run (night, mode, dry_run, host, pid) VALUES ($1, 'pi', false, 'cronhost', 4242)", [
      NIGHT,
    ]);
    const run = await why('101');
    expect(verdictLine(run.stdout)).toMatch(
      /^The PI run for night 20261126 started at .* has no end: it crashed or is still running \(see `yougotdata history`\)/,
    );
  });

  it('a message left "sending" by a killed run, and a failed one', async () => {
    await peers.addNotifications([janeDoeRow]);
    await yougotdata(['migrate'], peers.env);
    await peers.db.pool.query(
      `INSERT INTO yougotdata_message (notification_id, night, mode, status, message_id, selection, recipients_to, recipients_cc, files, error)
       VALUES (101, $1, 'pi', 'failed', '<a@x>', 'GN-2026B-Q-101/science', '{jane.doe@uni.test}', '{}', '{f1.fits}', 'ETIMEDOUT: Greeting never received')`,
      [NIGHT],
    );
    const failed = await why('101');
    expect(verdictLine(failed.stdout)).toMatch(/^Not sent: ETIMEDOUT: Greeting never received \(tried at .*; the next run tries again\)/);
    await peers.db.pool.query(
      `INSERT INTO yougotdata_message (notification_id, night, mode, status, message_id, selection, recipients_to, recipients_cc, files, created_at)
       VALUES (101, $1, 'pi', 'sending', '<b@x>', 'GN-2026B-Q-101/science', '{jane.doe@uni.test}', '{}', '{f1.fits}', now() + interval '1 minute')`,
      [NIGHT],
    );
    const sending = await why('101');
    expect(verdictLine(sending.stdout)).toMatch(
      /^A message was being handed to the mail server at .* when its run stopped: it may not have arrived, and the next run sends it again/,
    );
  });

  it('a message every recipient refused, through a real send: recorded failed with the refusals, and why says so', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    peers.sink.faults.rejectRecipient(/@/, { code: 550, message: '5.1.1 mailbox unavailable' });
    const sent = await send();
    expect(sent.json().results[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('mailbox unavailable') });
    const rows = await peers.db.pool.query(
      'SELECT status, error, refused::text AS refused FROM yougotdata_message WHERE notification_id = 101',
    );
    expect(rows.rows).toHaveLength(1);
    // Soft: a row left 'sending' also shows in why's verdict, below.
    expect.soft(rows.rows[0].status).toBe('failed');
    expect.soft(rows.rows[0].error).toMatch(/^no recipient accepted the message: .*550 5\.1\.1 mailbox unavailable/);
    expect.soft(rows.rows[0].refused).toContain('jane.doe@uni.test');
    const run = await why('101');
    expect(verdictLine(run.stdout)).toMatch(
      /^Not sent: no recipient accepted the message: .*mailbox unavailable.* \(tried at .*; the next run tries again\)/,
    );
    expect(run.stdout).not.toContain('may not have arrived');
  });

  it('files that reached the archive after the message are counted as not yet announced', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1));
    await send();
    const late = scienceFiles('GN-2026B-Q-101', 1, NIGHT, { ut: '2026-11-26T14:00:00Z' });
    peers.archive.addEntries(late);
    const run = await why('101');
    expect(verdictLine(run.stdout)).toMatch(
      /^Sent at .*; the archive has 2 files, 1 not yet announced for it now: `yougotdata send --date 20261126 --match 101` sends them\.$/,
    );
    expect(run.stdout).toContain(`not yet announced (1): ${late[0]!.name}`);
  });
});

describe('why: the live checks', () => {
  it('a term only the archive knows is confirmed with its summary page', async () => {
    peers.archive.learnWords(['SCORPIO']);
    await peers.addNotifications([{ ...janeDoeRow, selection: 'GN-2026B-Q-101/SCORPIO' }]);
    const run = await why('101');
    expect(run.stdout).toContain("valid, confined to program GN-2026B-Q-101 (confirmed with the archive's summary page)");
    expect(peers.archive.requests.map((r) => r.path)).toContain(`/summary/nolinks/night=${NIGHT}/GN-2026B-Q-101/SCORPIO`);
  });

  it('an archive that fails now says how', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.inject([{ status: 503 }, { status: 503 }, { status: 503 }]);
    const run = await why('101');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/FAILED: HTTP 503 from the archive \(after 3 attempts\)/);
    expect(verdictLine(run.stdout)).toContain('the archive search fails now: HTTP 503 from the archive');
  });

  it("the archive returning other programs' files is flagged", async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1)]);
    peers.archive.inject({ match: '/jsonsummary/', extraPrograms: ['GN-2026B-Q-7'] });
    const run = await why('101');
    expect(run.stdout).toContain('files of other programs: GN-2026B-Q-7');
    expect(verdictLine(run.stdout)).toContain('the archive returns files of other programs now (GN-2026B-Q-7), so nothing is sent');
  });

  it("--check asks the summit server for CHECK files and reads the contact scientist's field", async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.summit.addEntries(scienceFiles('GN-2026B-Q-101', 1, NIGHT, { qaState: 'CHECK' }));
    await send('--check');
    const run = await why('101', '--check');
    expect(run.stdout).toMatch(/^#101 Auto - GN-2026B-Q-101 — CHECK mode, night 20261126$/m);
    expect(verdictLine(run.stdout)).toMatch(/^Sent at .* to cs@gemini\.test\.$/);
    expect(run.stdout).toContain(`${peers.summit.url}/jsonsummary/night=${NIGHT}/GN-2026B-Q-101/science/CHECK`);
    expect(run.stdout).toContain('QA states: CHECK 1');
    expect(peers.archive.requests).toHaveLength(0);
  });
});

describe('why: finding the notification', () => {
  it('no match: says so and suggests near program ids and email matches', async () => {
    await peers.addNotifications([janeDoeRow, { id: 7, label: 'Other', selection: 'GS-2026B-Q-9/science', piemail: 'x@uni.test' }]);
    const typo = await why('GN-2026B-Q-110');
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain('No notification has the id "GN-2026B-Q-110", or a label or selection containing it.');
    expect(typo.stdout).toMatch(
      /#101 {2}Auto - GN-2026B-Q-101 {2}\[GN-2026B-Q-101\/science\] {2}\(selection term "GN-2026B-Q-101"\) {2}→ {2}yougotdata why 101/,
    );
    expect(typo.stdout).not.toContain('#7');
    // Part of an address is no address: the rows whose email fields contain it are suggested.
    const byMail = await why('jane.doe', '--json');
    expect(byMail.code).toBe(1);
    expect(byMail.json()).toMatchObject({ matches: [], suggestions: [{ id: 101, reason: 'piemail contains "jane.doe"' }] });
    const nothing = await why('zzzzzzzz');
    expect(nothing.stdout).toContain('Nothing near it either.');
    expect(peers.archive.requests).toHaveLength(0);
  });

  it('every matching notification, each with its own verdict', async () => {
    await peers.addNotifications([
      janeDoeRow,
      { id: 102, label: 'GMOS B600 of GN-2026B-Q-101', selection: 'GN-2026B-Q-101/B600', piemail: 'jane.doe@uni.test' },
    ]);
    const run = await why('GN-2026B-Q-101', '--json');
    expect(run.code).toBe(0);
    const doc = run.json();
    expect(doc.matches.map((m: { notification: { id: number } }) => m.notification.id)).toEqual([101, 102]);
    expect(doc).toMatchObject({ query: 'GN-2026B-Q-101', night: NIGHT, mode: 'pi', more: 0 });
  });

  it('more matches than it shows: the rest are counted, with a hint to narrow TEXT', async () => {
    await peers.addNotifications(
      Array.from({ length: 22 }, (_, i) => ({
        id: i + 1,
        label: `Auto - GN-2026B-Q-${i + 1}`,
        selection: `GN-2026B-Q-${i + 1}/science`,
        piemail: 'pi@uni.test',
      })),
    );
    const run = await why('science', '--json');
    expect(run.code).toBe(0);
    expect(run.json().matches).toHaveLength(20);
    expect(run.json().more).toBe(2);
    const text = await why('science');
    expect(text.stdout).toContain('… and 2 more notifications match "science": give an id, or more of the program id.');
    expect(text.stdout.match(/^Verdict: /gm)).toHaveLength(20);
  });

  it('--json: exactly one JSON document on stdout with every part, logs on stderr only', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    await send();
    const run = await why('101', '--json');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const [match] = run.json().matches;
    expect(match.notification).toEqual({
      id: 101,
      label: janeDoeRow.label,
      selection: janeDoeRow.selection,
      piemail: janeDoeRow.piemail,
      ngoemail: janeDoeRow.ngoemail,
      csemail: janeDoeRow.csemail,
    });
    expect(match.fields.ngoemail).toEqual({
      stored: 'ngo@office.test; N/A',
      addresses: [{ name: null, address: 'ngo@office.test' }],
      rejected: ['N/A'],
    });
    expect(match.selection).toMatchObject({
      state: 'valid',
      text: 'GN-2026B-Q-101/science',
      scope: { kind: 'program', id: 'GN-2026B-Q-101' },
    });
    expect(match.archive).toMatchObject({
      state: 'answered',
      files: 2,
      programs: { 'GN-2026B-Q-101': 2 },
      unannounced: [],
      foreignPrograms: [],
    });
    expect(match.record.exists).toBe(true);
    expect(match.record.messages[0]).toMatchObject({ status: 'sent', files: expect.any(Array), accepted: expect.any(Array) });
    expect(match.record.runs).toHaveLength(1);
    expect(match.verdict).toMatch(/^Sent at /);
  });

  it.each([
    ['text', (line: string) => line.includes('INFO  #101 GN-2026B-Q-101/science: why: asking the archive night=20261126')],
    ['json', (line: string) => JSON.parse(line).msg === 'why: asking the archive' && JSON.parse(line).notification === 101],
  ])('logs go to stderr (LOG_FORMAT=%s), the answer to stdout, even with info logs on', async (format, isTheLog) => {
    await peers.addNotifications([janeDoeRow]);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const { runCli } = await import('../../src/cli/program.js');
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough().on('data', (c: Buffer) => stdout.push(c));
    const err = Object.assign(
      new PassThrough().on('data', (c: Buffer) => stderr.push(c)),
      { isTTY: true },
    );
    const code = await runCli(['why', '101', '--date', NIGHT, '--json'], {
      env: { ...peers.env, LOG_FORMAT: format },
      cwd: process.cwd(),
      stdout: out,
      stderr: err,
      now: () => new Date(),
    });
    expect(code).toBe(0);
    expect(JSON.parse(Buffer.concat(stdout).toString()).matches).toHaveLength(1);
    const logs = Buffer.concat(stderr).toString().trim().split('\n');
    expect(logs.some(isTheLog)).toBe(true);
  });
});

describe('why: by address, and over a range of nights', () => {
  it('an email address: every row whose fields hold it, and what became of it in each', async () => {
    await peers.addNotifications([
      janeDoeRow,
      {
        id: 102,
        label: 'Auto - GN-2026B-Q-102',
        selection: 'GN-2026B-Q-102/science',
        piemail: 'kai@uni.test',
        ngoemail: 'Jane <JANE.DOE@uni.test>',
      },
      { id: 103, label: 'Auto - GN-2026B-Q-103', selection: 'GN-2026B-Q-103/science', piemail: 'xjane.doe@uni.test' },
      {
        id: 104,
        label: 'Auto - GN-2026B-Q-104',
        selection: 'GN-2026B-Q-104/science',
        piemail: 'lee@uni.test',
        csemail: 'jane.doe@uni.test',
      },
    ]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1), ...scienceFiles('GN-2026B-Q-102', 1)]);
    peers.sink.faults.rejectRecipient('JANE.DOE@uni.test', { code: 550, message: 'mailbox full' }, 1);
    // 101 goes first (table order, one at a time), so the one refusal falls on it; 102's copy to Jane is accepted.
    expect((await send('--concurrency', '1')).json().totals).toEqual({ sent: 2, 'no-data': 2 });
    const run = await why('jane.doe@uni.test', '--json');
    expect(run.code).toBe(0);
    const fates = Object.fromEntries(
      run.json().matches.map((m: { notification: { id: number }; address: unknown }) => [m.notification.id, m.address]),
    );
    expect(Object.keys(fates)).toEqual(['101', '102', '104']);
    expect(fates[101]).toMatchObject({
      address: 'jane.doe@uni.test',
      fields: ['piemail'],
      role: 'to',
      outcome: { state: 'refused', reply: expect.stringContaining('mailbox full') },
    });
    expect(fates[102]).toMatchObject({ fields: ['ngoemail'], role: 'cc', outcome: { state: 'accepted', at: expect.any(String) } });
    // A contact scientist is copied in PI mode: no data for 104 that night, so nothing was sent to her.
    expect(fates[104]).toMatchObject({ fields: ['csemail'], role: 'cc', outcome: { state: 'not-sent' } });
    const text = await why('jane.doe@uni.test');
    expect(text.stdout).toMatch(/^Address: jane\.doe@uni\.test is in ngoemail \(Cc\): accepted by the mail server at \d\d:\d\d:\d\d UTC/m);
  });

  it('--date A..B: a verdict per night, oldest first, for each match', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1, '20261125'), ...scienceFiles('GN-2026B-Q-101', 2, '20261126')]);
    expect((await yougotdata(['send', '--date', '20261125', '--json'], peers.env)).code).toBe(0);
    expect((await yougotdata(['send', '--date', '20261126', '--json'], peers.env)).code).toBe(0);
    const run = await yougotdata(['why', '101', '--date', '20261124..20261126'], peers.env);
    expect(run.code).toBe(0);
    const nights = run.stdout.split('\n').filter((line) => /^ {2}2026112\d {2}/.test(line));
    expect(nights.map((line) => line.slice(2, 10))).toEqual(['20261124', '20261125', '20261126']);
    expect(nights[0]).toMatch(/No PI run for night 20261124 is recorded/);
    expect(nights[1]).toMatch(/Sent at .* to jane\.doe@uni\.test/);
    expect(nights[2]).toMatch(/Sent at .* to jane\.doe@uni\.test/);
    expect(run.stdout).toContain('Every detail of one night: yougotdata why 101 --date NIGHT');
    const json = (await yougotdata(['why', '101', '--date', '20261124..20261126', '--json'], peers.env)).json();
    expect(json.night).toBe('20261124..20261126');
    expect(json.matches.map((m: { night: string }) => m.night)).toEqual(['20261124', '20261125', '20261126']);
  });

  it('prints a label with control characters escaped, never raw', async () => {
    await peers.addNotifications([{ ...janeDoeRow, label: 'Evil\u001b[2J\u0007 team\u202e' }]);
    const run = await why('101');
    expect(run.stdout).toContain('Evil\\x1b[2J\\x07 team\\u202e');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters on purpose
    expect(run.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202a-\u202e]/);
  });
});

describe('why: exit codes', () => {
  it('--help exits 0', async () => {
    const run = await yougotdata(['why', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: yougotdata why [options] <text>');
  });

  it.each([
    ['no DATABASE_URL', ['why', '101'], { DATABASE_URL: '' }, 'DATABASE_URL'],
    ['--check without FITS_SERVER_URL', ['why', '101', '--check'], { FITS_SERVER_URL: '' }, 'FITS_SERVER_URL'],
    ['a bad --date', ['why', '101', '--date', '20261332'], {}, '20261332'],
    ['no text', ['why'], {}, 'text'],
  ])('%s: exit 2', async (_case, argv, env, named) => {
    const run = await yougotdata(argv, { ...peers.env, ...env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
  });

  it('an unreachable database: exit 75, the password masked', async () => {
    const run = await yougotdata(['why', '101'], { ...peers.env, DATABASE_URL: 'postgres://support:hunter2secret@127.0.0.1:1/fits' });
    expect(run.code).toBe(75);
    expect(run.stderr).toContain('cannot reach the database');
    expect(run.stderr).not.toContain('hunter2secret');
  });

  it('a database without the notification table: exit 2', async () => {
    await peers.db.pool.query('ALTER TABLE notification RENAME TO notification_moved');
    try {
      const run = await yougotdata(['why', '101'], peers.env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('no "notification" table');
    } finally {
      await peers.db.pool.query('ALTER TABLE notification_moved RENAME TO notification');
    }
  });
});
