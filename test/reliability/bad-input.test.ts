import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { scienceFiles, spawnYougotdata, usePeers } from '../harness/peers.js';
import {
  addNight,
  copiesPerNotification,
  NIGHT,
  piRow,
  type Report,
  reliabilityEnv,
  sendInProcess,
  statusesOf,
  timed,
} from '../harness/reliability.js';

const peers = usePeers();

const OPS = 'ops@gemini.test';
const MB = 1024 * 1024;
const headerLines = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');

describe('oversized archive answers', () => {
  it('an answer over the size cap is refused once it passes the cap, not retried, and the rest of the run goes on', async () => {
    await addNight(peers, [1, 2], [1, 2]);
    peers.archive.inject({ oversizeBytes: 65 * MB, times: Infinity, match: 'GN-2026B-Q-1/' });
    // Time enough to read 64 MB on a busy machine: the cap, not the timeout, must stop it.
    const { value: run, ms } = await timed(() => sendInProcess(reliabilityEnv(peers, { ARCHIVE_TIMEOUT_MS: '15000' })));
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(statusesOf(report)).toEqual({ 1: 'failed', 2: 'sent' });
    expect(report.results[0]!.error).toMatch(/larger than 64 MB/);
    expect(peers.archive.requests.filter((r) => r.path.includes('GN-2026B-Q-1/'))).toHaveLength(1);
    expect(ms).toBeLessThan(15_000);
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2]).values()]).toEqual([0, 1]);
  });
});

describe('absurd field lengths', () => {
  it("a 1 MB piemail with one address in it: mailed to that address, every header line within RFC 5322's 998 characters", async () => {
    await peers.addNotifications([piRow(1, { piemail: `${'a'.repeat(MB)} pi1@uni.test` }), piRow(2)]);
    await addNight(peers, [], [1, 2]);
    const { value: run, ms } = await timed(() => sendInProcess(reliabilityEnv(peers)));
    expect(run.code, JSON.stringify(run.json().results.map((r: { error: string | null }) => r.error))).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(statusesOf(run.json())).toEqual({ 1: 'sent', 2: 'sent' });
    const [message] = peers.sink.messages().filter((m) => m.envelope.to.includes('pi1@uni.test'));
    expect(message!.envelope.to).toEqual(['pi1@uni.test']);
    for (const line of headerLines(message!.raw)) expect(line.length).toBeLessThanOrEqual(998);
    expect(message!.raw.length).toBeLessThan(256 * 1024);
  });

  it('a 1 MB piemail of 200,000 junk pieces: the PI is mailed, and the digest stays readable and is sent once', async () => {
    await peers.addNotifications([piRow(1, { piemail: `${'Doe, '.repeat(200_000)}<pi1@uni.test>` })]);
    await addNight(peers, [], [1]);
    const { value: run, ms } = await timed(() => sendInProcess(reliabilityEnv(peers, { ERRORS_TO: OPS, SMTP_TIMEOUT_MS: '5000' })));
    expect(run.code).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(run.json().results[0]).toMatchObject({ status: 'sent', to: ['pi1@uni.test'] });
    const digests = peers.sink.messages().filter((m) => m.envelope.to.includes(OPS));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.raw.length).toBeLessThan(256 * 1024);
    expect((await simpleParser(digests[0]!.raw)).text).toMatch(/#1 /);
  });

  it('a 100 kB selection: never mailed, reported failed or invalid, and the rest of the run goes on', async () => {
    await peers.addNotifications([
      piRow(1, { selection: `GN-2026B-Q-1/${'science/'.repeat(12_800)}` }),
      piRow(2, { selection: `GN-2026B-Q-2/${'x'.repeat(100_000)}` }),
      piRow(3),
    ]);
    await addNight(peers, [], [1, 2, 3]);
    const { value: run, ms } = await timed(() => sendInProcess(reliabilityEnv(peers)));
    expect(run.code).toBe(1);
    expect(ms).toBeLessThan(10_000);
    const statuses = statusesOf(run.json());
    for (const id of [1, 2]) expect(['failed', 'invalid-selection']).toContain(statuses[id]);
    expect(statuses[3]).toBe('sent');
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2, 3]).values()]).toEqual([0, 0, 1]);
  });
});

describe('selections that try to change the URL', () => {
  /** The terms as the archive must receive them: `/`-separated, trimmed, empty ones dropped. */
  const termsOf = (selection: string) =>
    selection
      .split('/')
      .map((t) => t.trim())
      .filter((t) => t !== '');

  it.each([
    ['dot segments', 'GN-2026B-Q-1/../../../admin', 'invalid-selection'],
    ['a dot segment with spaces around it', 'GN-2026B-Q-1/ .. /science', 'invalid-selection'],
    ['encoded dot segments', 'GN-2026B-Q-1/%2e%2e/%2E%2e/science', 'invalid-selection'],
    ['a query string', 'GN-2026B-Q-1/science?format=json&limit=100000', 'invalid-selection'],
    ['a fragment', 'GN-2026B-Q-1/science#top', 'invalid-selection'],
    ['another host', '//evil.example/GN-2026B-Q-1', 'invalid-selection'],
    ['a full URL', 'http://evil.example:8080/GN-2026B-Q-1', 'invalid-selection'],
    ['user info', 'GN-2026B-Q-1/@evil.example', 'invalid-selection'],
    ['backslashes', 'GN-2026B-Q-1/..\\..\\admin', 'invalid-selection'],
    ['a space in a term', 'GN-2026B-Q-1/object=M 31', 'sent'],
    ['non-ASCII in a term', 'GN-2026B-Q-1/object=Ćelestial ☃ 東', 'sent'],
    ['a query in a value', 'GN-2026B-Q-1/object=M31?x=1#y', 'no-data'],
  ])("%s (%s): each term encoded on its own; the path stays the archive's", async (_case, selection, status) => {
    const object = selection.includes('object=') ? selection.slice(selection.indexOf('object=') + 7) : 'M 31';
    await peers.addNotifications([piRow(1, { selection })]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 2, NIGHT, { object: object.includes('?') ? 'M31' : object }));
    const run = await sendInProcess(reliabilityEnv(peers));
    const result = run.json().results[0];
    expect(result.status, result.error).toBe(status);

    const expected = termsOf(selection);
    // Every request reached the stand-in (so the host held), on one of the job's two pages, with one segment per term.
    if (status !== 'invalid-selection' || !expected.some((t) => t === '..')) expect(peers.archive.requests.length).toBeGreaterThan(0);
    for (const { path } of peers.archive.requests) {
      expect(path).toMatch(new RegExp(`^/(jsonsummary|summary/nolinks)/night=${NIGHT}/`));
      expect(path).not.toMatch(/[?#\s\\]|[^\x21-\x7e]/);
      const segments = path.replace(/^\/(jsonsummary|summary\/nolinks)\/night=\d{8}\//, '').split('/');
      expect(segments.map(decodeURIComponent)).toEqual(expected);
      for (const segment of segments) expect(['.', '..']).not.toContain(decodeURIComponent(segment));
    }
    if (status === 'sent') {
      const mail = await simpleParser(peers.sink.messages()[0]!.raw);
      const link = `${peers.archive.url}/searchform/night=${NIGHT}/${expected.map((t) => encodeURIComponent(t).replace(/%3D/g, '=')).join('/')}`;
      expect(mail.text).toContain(link);
    } else {
      expect(peers.sink.messages()).toHaveLength(0);
    }
  });
});

describe('a large report', () => {
  it('is printed whole when stdout is a pipe (cron, | jq): the process does not exit before it is written', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    // Labels of 100 kB each: a report of some 1 MB, far more than a pipe holds.
    await peers.addNotifications(ids.map((id) => piRow(id, { label: `${'Very long label '.repeat(6250)}#${id}` })));
    const run = await spawnYougotdata(['send', '--date', NIGHT, '--json'], reliabilityEnv(peers), { pauseStdoutMs: 1500 });
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(1_000_000);
    const report: Report = JSON.parse(run.stdout);
    expect(report.results.map((r) => r.id)).toEqual(ids);
  });
});
