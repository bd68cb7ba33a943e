import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/demo/archive-stand-in/index.js';
import { scienceFiles, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();

beforeEach(async () => {
  await peers.addNotifications([{ id: 5, label: 'Auto - GN-2026B-Q-5', selection: 'GN-2026B-Q-5/science', piemail: 'pi@uni.test' }]);
});

const run = (night: string, lookback: number, ...args: string[]) =>
  yougotdata(['send', '--date', night, '--json', ...args], { ...peers.env, LOOKBACK_NIGHTS: String(lookback) });
/** The morning run of a night, as cron runs it: at 18:00 UTC of that date (08:00 in Hawaii). */
const morningRun = (night: string) =>
  yougotdata(
    ['send', '--date', night, '--json'],
    { ...peers.env, LOOKBACK_NIGHTS: '0' },
    new Date(`${night.slice(0, 4)}-${night.slice(4, 6)}-${night.slice(6)}T18:00:00Z`),
  );
const searches = () => peers.archive.requests.filter((r) => r.path.startsWith('/jsonsummary/')).map((r) => r.path);
const texts = () => Promise.all(peers.sink.messages().map(async (m) => (await simpleParser(m.raw)).text ?? ''));
const fileNames = (text: string) => text.match(/N2026\d{4}S\d{4}\.fits/g) ?? [];

describe('late data', () => {
  it('a file added after a run is announced by the next run, exactly once, alone, as a follow-up', async () => {
    const first = scienceFiles('GN-2026B-Q-5', 2);
    peers.archive.addEntries(first);
    expect((await run('20261126', 0)).json().results[0]).toMatchObject({ status: 'sent', files: 2 });
    const late = scienceFiles('GN-2026B-Q-5', 1, '20261126', { ut: '2026-11-26T14:00:00Z' });
    peers.archive.addEntries(late);
    const second = await run('20261126', 0);
    expect(second.json().results[0]).toMatchObject({ status: 'sent', files: 1, night: '20261126' });
    expect((await run('20261126', 0)).json().results[0]).toMatchObject({ status: 'already-sent', files: 3 });
    const [one, two] = await texts();
    expect(fileNames(one!)).toEqual(first.map((e) => e.name));
    expect(fileNames(two!)).toEqual(late.map((e) => e.name));
    expect(two).toMatch(/This follows up our notice of 2026-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(one).not.toContain('follows up');
    expect(peers.sink.messages().map((m) => m.subject)).toEqual(['New Data for GN-2026B-Q-5/science', 'New Data for GN-2026B-Q-5/science']);
    const files = await peers.db.pool.query('SELECT filename, message FROM yougotdata_file ORDER BY filename');
    expect(files.rows.map((r) => r.filename)).toEqual([...first, ...late].map((e) => e.name).sort());
  });

  it('the look-back finds the late files of earlier nights and mails them once, naming the night', async () => {
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-5', 1, '20261125'));
    expect((await morningRun('20261125')).json().results[0].status).toBe('sent');
    peers.archive.addEntries([
      ...scienceFiles('GN-2026B-Q-5', 1, '20261125', { ut: '2026-11-25T15:00:00Z' }),
      ...scienceFiles('GN-2026B-Q-5', 2, '20261124'),
      ...scienceFiles('GN-2026B-Q-5', 1, '20261126'),
    ]);
    const report = (await run('20261126', 3)).json();
    expect(report.results.map((r: { night: string; status: string; files: number }) => [r.night, r.status, r.files])).toEqual([
      ['20261126', 'sent', 1],
      ['20261125', 'sent', 1],
      ['20261124', 'sent', 2],
    ]);
    // The morning run of the 25th asked for its night; this run asked once for its night and the three before.
    expect(searches()).toEqual([
      '/jsonsummary/night=20261125/GN-2026B-Q-5/science',
      '/jsonsummary/nightrange=20261123-20261126/GN-2026B-Q-5/science',
    ]);
    const [, tonight, followUp, firstOfNight] = await texts();
    expect(tonight).not.toMatch(/follows up|first files/);
    expect(followUp).toContain('from night 2026-11-25');
    expect(followUp).toContain('This follows up our notice of');
    expect(firstOfNight).toContain('from night 2026-11-24');
    expect(firstOfNight).toContain('These are the first files of that night');
    const rerun = (await run('20261126', 3)).json();
    expect(rerun.results.map((r: { status: string }) => r.status)).toEqual(['already-sent']);
    expect(peers.sink.messages()).toHaveLength(4);
  });

  it('a rerun within the hour asks nothing more of look-back nights fully announced', async () => {
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-5', 1, '20261126'));
    await run('20261126', 3);
    expect(searches()).toEqual(['/jsonsummary/nightrange=20261123-20261126/GN-2026B-Q-5/science']);
    peers.archive.resetStats();
    await run('20261126', 3);
    expect(searches()).toEqual(['/jsonsummary/night=20261126/GN-2026B-Q-5/science']);
  });

  it("no look-back night before the archive's first night is asked (the archive answers those with HTTP 500)", async () => {
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-5', 1, '19990101'), ...scienceFiles('GN-2026B-Q-5', 1, '19990102')]);
    const nightsOf = (report: { results: { night: string; status: string }[] }) => report.results.map((r) => [r.night, r.status]);
    const range = await run('19990102', 3);
    expect(nightsOf(range.json())).toEqual([
      ['19990102', 'sent'],
      ['19990101', 'sent'],
    ]);
    expect(searches()).toEqual(['/jsonsummary/nightrange=19990101-19990102/GN-2026B-Q-5/science']);
    peers.archive.resetStats();
    const firstNight = await run('19990101', 3);
    expect(firstNight.code).toBe(0);
    expect(nightsOf(firstNight.json())).toEqual([['19990101', 'already-sent']]);
    expect(searches()).toEqual(['/jsonsummary/night=19990101/GN-2026B-Q-5/science']);
  });

  it('records one outcome row per archive request: the nights it covered and what each came to', async () => {
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-5', 1, '20261126'), ...scienceFiles('GN-2026B-Q-5', 2, '20261124')]);
    await run('20261126', 3);
    await run('20261126', 3);
    const checks = await peers.db.pool.query('SELECT notification_id, url, nights, outcomes FROM yougotdata_outcome ORDER BY id');
    const outcome = (night: string, status: string, files: number) => ({ night, status, files, error: null, complete: true });
    expect(checks.rows).toEqual([
      {
        notification_id: 5,
        url: `${peers.archive.url}/jsonsummary/nightrange=20261123-20261126/GN-2026B-Q-5/science`,
        nights: ['20261126', '20261125', '20261124', '20261123'],
        outcomes: [
          outcome('20261126', 'sent', 1),
          outcome('20261125', 'no-data', 0),
          outcome('20261124', 'sent', 2),
          outcome('20261123', 'no-data', 0),
        ],
      },
      // The rerun within the hour asked tonight alone: a request of its own, a row of its own.
      {
        notification_id: 5,
        url: `${peers.archive.url}/jsonsummary/night=20261126/GN-2026B-Q-5/science`,
        nights: ['20261126'],
        outcomes: [outcome('20261126', 'already-sent', 1)],
      },
    ]);
  });

  it('look-back 0 is the old job: one search per notification, earlier nights never looked at', async () => {
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-5', 2, '20261125'));
    const report = (await run('20261126', 0)).json();
    expect(report.results).toEqual([expect.objectContaining({ night: '20261126', status: 'no-data' })]);
    expect(searches()).toEqual(['/jsonsummary/night=20261126/GN-2026B-Q-5/science']);
    expect(peers.sink.messages()).toHaveLength(0);
  });

  it("--force announces the run's night again in full, and only that night", async () => {
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-5', 2, '20261126'), ...scienceFiles('GN-2026B-Q-5', 1, '20261125')]);
    await run('20261126', 1);
    expect(peers.sink.messages()).toHaveLength(2);
    const forced = (await run('20261126', 1, '--force')).json();
    expect(forced.results).toEqual([expect.objectContaining({ night: '20261126', status: 'sent', files: 2 })]);
    expect(peers.sink.messages()).toHaveLength(3);
  });

  it('an announced file gone from the answer is logged, not mailed', async () => {
    const files = scienceFiles('GN-2026B-Q-5', 2, '20261126');
    peers.archive.addEntries(files);
    await run('20261126', 0);
    peers.archive.clear();
    peers.archive.addEntries(files.slice(1));
    const again = await yougotdata(['send', '--date', '20261126', '--json'], peers.env);
    expect(again.json().results[0].status).toBe('already-sent');
    expect(again.stderr).toContain('1 announced file(s) no longer in the archive');
    expect(again.stderr).toContain(String(files[0]!.name));
    expect(peers.sink.messages()).toHaveLength(1);
  });

  it('a look-back that fails is reported and retried next run, without holding up tonight', async () => {
    // The look-back night's file is malformed (an exposure time in words): the range's answer is the archive's own, and
    // fails for a reason of the range, not of a server down, so tonight is asked alone. (A maintenance page in place
    // of JSON would be the server's trouble, which tonight shares: see test/reliability/archive-breaker.test.ts.)
    peers.archive.addEntries([
      ...scienceFiles('GN-2026B-Q-5', 1, '20261126'),
      { ...scienceFiles('GN-2026B-Q-5', 1, '20261125')[0], exposure_time: 'long' },
    ]);
    const broken = await run('20261126', 1);
    expect(broken.code).toBe(1);
    expect(broken.json().results.map((r: { night: string; status: string }) => [r.night, r.status])).toEqual([
      ['20261126', 'sent'],
      ['20261125', 'failed'],
    ]);
    // The range failed: tonight was asked alone, the look-back night waits for the next run.
    expect(searches().filter((path) => !path.includes('nightrange='))).toEqual(['/jsonsummary/night=20261126/GN-2026B-Q-5/science']);
    peers.archive.clear();
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-5', 1, '20261125')]);
    const next = await run('20261126', 1);
    expect(next.code).toBe(0);
    expect(next.json().results.map((r: { night: string; status: string }) => [r.night, r.status])).toEqual([
      ['20261126', 'no-data'],
      ['20261125', 'sent'],
    ]);
  });
});

describe('one archive request for the night and its look-back nights', () => {
  const at = (programId: string, ut: string, telescope: 'Gemini-North' | 'Gemini-South') =>
    makeEntry({ programId, ut, telescope, observationClass: 'science' });
  const messagesOf = async () =>
    Promise.all(
      peers.sink.messages().map(async (m) => {
        const text = (await simpleParser(m.raw)).text ?? '';
        return { to: m.envelope.to, text, files: text.match(/[NS]2026\d{4}S\d{4}\.fits/g) ?? [] };
      }),
    );

  it("splits one range answer by each site's own night boundaries", async () => {
    await peers.addNotifications([{ id: 6, label: 'Auto - GS-2026B-Q-6', selection: 'GS-2026B-Q-6/science', piemail: 'south@uni.test' }]);
    const north26 = [
      at('GN-2026B-Q-5', '2026-11-26T00:00:00Z', 'Gemini-North'),
      at('GN-2026B-Q-5', '2026-11-26T23:59:59Z', 'Gemini-North'),
    ];
    const north25 = [at('GN-2026B-Q-5', '2026-11-25T23:59:59Z', 'Gemini-North')];
    const south26 = [
      at('GS-2026B-Q-6', '2026-11-25T18:00:00Z', 'Gemini-South'),
      at('GS-2026B-Q-6', '2026-11-26T17:59:59Z', 'Gemini-South'),
    ];
    const south25 = [at('GS-2026B-Q-6', '2026-11-25T17:59:59Z', 'Gemini-South')];
    peers.archive.addEntries([...north26, ...north25, ...south26, ...south25]);
    const report = (await run('20261126', 1)).json();
    expect(report.results.map((r: { id: number; night: string; files: number }) => [r.id, r.night, r.files])).toEqual([
      [5, '20261126', 2],
      [5, '20261125', 1],
      [6, '20261126', 2],
      [6, '20261125', 1],
    ]);
    expect(searches().sort()).toEqual([
      '/jsonsummary/nightrange=20261125-20261126/GN-2026B-Q-5/science',
      '/jsonsummary/nightrange=20261125-20261126/GS-2026B-Q-6/science',
    ]);
    const mails = await messagesOf();
    const filesTo = (address: string, night: string) =>
      mails.find((m) => m.to.includes(address) && m.text.includes(`from night ${night.slice(0, 4)}-${night.slice(4, 6)}-${night.slice(6)}`))
        ?.files;
    expect(filesTo('pi@uni.test', '20261126')).toEqual(north26.map((e) => e.name));
    expect(filesTo('pi@uni.test', '20261125')).toEqual(north25.map((e) => e.name));
    expect(filesTo('south@uni.test', '20261126')).toEqual(south26.map((e) => e.name));
    expect(filesTo('south@uni.test', '20261125')).toEqual(south25.map((e) => e.name));
  });

  it("a range answer at the archive's limit is asked again night by night: nothing lost, nothing called cut", async () => {
    // Thirty seconds apart from 05:00 UT: 1100 files fill nine hours of the 26th, 1000 those of the 25th.
    const night = (date: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        at('GN-2026B-Q-5', new Date(Date.parse(`${date}T05:00:00Z`) + i * 30_000).toISOString(), 'Gemini-North'),
      );
    peers.archive.addEntries([...night('2026-11-26', 1100), ...night('2026-11-25', 1000)]);
    const result = await run('20261126', 1);
    expect(result.json().results.map((r: { night: string; status: string; files: number }) => [r.night, r.status, r.files])).toEqual([
      ['20261126', 'sent', 1100],
      ['20261125', 'sent', 1000],
    ]);
    expect(searches()).toEqual([
      '/jsonsummary/nightrange=20261125-20261126/GN-2026B-Q-5/science',
      '/jsonsummary/night=20261126/GN-2026B-Q-5/science',
      '/jsonsummary/night=20261125/GN-2026B-Q-5/science',
    ]);
    expect(result.stderr).toContain(
      "the range answer reached the archive's limit of 2000 files and may be cut: asked night by night instead",
    );
    const mails = await messagesOf();
    expect(mails.map((m) => new Set(m.files).size)).toEqual([1100, 1000]);
    for (const mail of mails) expect(mail.text).not.toContain('may be cut short');
  });

  it('a file whose night the range answer cannot tell is never dropped, nor guessed: asked night by night', async () => {
    const noTelescope: Record<string, unknown> = { ...at('GN-2026B-Q-5', '2026-11-25T06:00:00Z', 'Gemini-North'), telescope: null };
    // The archive leaves a file without a telescope out of night searches; answers that hold one anyway must lose nothing.
    peers.archive.inject([
      { match: '/jsonsummary/nightrange=', extraEntries: [noTelescope] },
      { match: '/jsonsummary/night=20261125/', extraEntries: [noTelescope] },
    ]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-5', 1, '20261126'));
    const result = await run('20261126', 1);
    expect(result.json().results.map((r: { night: string; status: string; files: number }) => [r.night, r.status, r.files])).toEqual([
      ['20261126', 'sent', 1],
      ['20261125', 'sent', 1],
    ]);
    expect(result.stderr).toContain(
      `1 file(s) of the range answer have no telescope or UT time to tell their night (${String(noTelescope.name)})`,
    );
    expect(searches()).toHaveLength(3);
    const late = (await messagesOf()).find((m) => m.text.includes('from night 2026-11-25'));
    expect(late?.files).toEqual([String(noTelescope.name)]);
  });
});
