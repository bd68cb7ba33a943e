/**
 * `send` with HEALTHCHECK_URL against a real HTTP server standing in for healthchecks.io: which requests a run makes,
 * in which order, with which rid and body, and what a broken or hung monitor costs the run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../src/db/run-lock.js';
import { STATUSES } from '../../src/domain/result.js';
import { PING_BODY_LIMIT_BYTES } from '../../src/monitoring/healthcheck.js';
import { janeDoeRow, NIGHT, scienceFiles, spawnYougotdata, usePeers, yougotdata } from '../harness/peers.js';
import { closedPort, type PingServer, type RecordedPing, startPingServer } from '../harness/ping-server.js';
import { piRow, timed } from '../harness/reliability.js';

const peers = usePeers();

const servers: PingServer[] = [];
async function monitor(answer?: (request: number) => number | null): Promise<PingServer> {
  const server = await startPingServer(answer);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sendArgs = ['send', '--date', NIGHT];
const withMonitor = (url: string, extra: Record<string, string> = {}) => ({ ...peers.env, HEALTHCHECK_URL: url, ...extra });

/** The start ping and the end ping at `suffix` ('' for exit 0), in that order, POSTed, with one rid; returns the end. */
function expectPair(requests: readonly RecordedPing[], suffix: string): RecordedPing {
  expect(requests.map((r) => `${r.method} ${r.pathname}`)).toEqual(['POST /ping/check-key/start', `POST /ping/check-key${suffix}`]);
  const [start, end] = requests as [RecordedPing, RecordedPing];
  expect(start.query.rid).toMatch(UUID);
  expect(end.query).toEqual({ rid: start.query.rid });
  expect(start.body).toBe('');
  expect(end.contentType).toBe('text/plain; charset=utf-8');
  return end;
}

/** Warnings the run logged about the monitor, one per ping that failed for good. */
const pingWarnings = (stderr: string) => stderr.split('\n').filter((line) => /healthcheck (start|end) ping failed/.test(line));

describe('send pings the monitor', () => {
  it('exit 0: /start as the run begins, the bare URL after the last message, the summary as its body', async () => {
    await peers.addNotifications([janeDoeRow, piRow(102)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const server = await monitor();
    const run = await spawnYougotdata(sendArgs, withMonitor(server.url));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const end = expectPair(server.requests, '');
    const [start] = server.requests as [RecordedPing];
    const searches = peers.archive.requests.map((r) => r.at);
    // The start ping goes out as the work begins, without holding it up: it may arrive just after the first search.
    expect(start.at).toBeLessThanOrEqual(Math.max(...searches));
    expect(end.at).toBeGreaterThanOrEqual(Math.max(...searches));
    expect(end.at).toBeGreaterThanOrEqual(peers.sink.messages()[0]?.created.getTime() ?? Number.POSITIVE_INFINITY);
    const lines = end.body.split('\n');
    expect(lines[0]).toBe('yougotdata send, PI mode, night 20261126: exit code 0');
    expect(lines[1]).toMatch(new RegExp(`^run ${start.query.rid}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d to .* UTC \\(\\d+ s\\)$`));
    expect(lines[2]).toBe('sent 1, dry-run 0, no-data 1, already-sent 0, invalid-selection 0, no-recipients 0, failed 0, unknown 0');
    expect(lines[3]).toBe('1 message sent, 2 archive requests');
    expect(lines.slice(4)).toEqual(['', '1 problem:', '#101 20261126 sent: 1 piece rejected', '']);
  });

  /** Notification 2's PI (a name, an address and a piece that is none) refused by the mail server: exit 1. */
  async function refusedPi() {
    await peers.addNotifications([piRow(1), piRow(2, { piemail: '"Jane Two" <pi2@uni.test>, Dr. Two (away)' })]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-1', 1), ...scienceFiles('GN-2026B-Q-2', 1)]);
    peers.sink.faults.rejectRecipient('pi2@uni.test', { code: 550, message: 'no such user' });
  }

  it('exit 1: the end ping at /1, naming the failed notification by id, status and counts: no address, name or reply', async () => {
    await refusedPi();
    const server = await monitor();
    const run = await spawnYougotdata(sendArgs, withMonitor(server.url));
    expect(run.code).toBe(1);
    const end = expectPair(server.requests, '/1');
    expect(end.body).toMatch(/^yougotdata send, PI mode, night 20261126: exit code 1\n/);
    expect(end.body).toContain(
      '\nsent 1, dry-run 0, no-data 0, already-sent 0, invalid-selection 0, no-recipients 0, failed 1, unknown 0\n',
    );
    expect(end.body).toContain('\n1 message sent, 2 archive requests\n');
    expect(end.body).toMatch(/\n1 problem:\n#2 20261126 failed: 1 recipient refused, \d+ pieces? rejected\n$/);
    expect(end.body).not.toMatch(/@|Jane|Two|550|no such user|GN-2026B/);
  });

  it('HEALTHCHECK_DETAILS=full: the same problem with the selection, the addresses and the reply', async () => {
    await refusedPi();
    const server = await monitor();
    const run = await spawnYougotdata(sendArgs, withMonitor(server.url, { HEALTHCHECK_DETAILS: 'full' }));
    expect(run.code).toBe(1);
    const end = expectPair(server.requests, '/1');
    expect(end.body).toMatch(/\n1 problem:\n#2 GN-2026B-Q-2\/science 20261126 failed: .*pi2@uni\.test.*550 no such user/);
  });

  it('HEALTHCHECK_DETAILS of another value: exit 2 at start, naming it; nothing pinged', async () => {
    const server = await monitor();
    const run = await spawnYougotdata(sendArgs, withMonitor(server.url, { HEALTHCHECK_DETAILS: 'everything' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('yougotdata: configuration: HEALTHCHECK_DETAILS must be brief or full\n');
    expect(server.requests).toEqual([]);
  });

  it('exit 75, the run lock held by another session: /start then /75, the kind of error; nothing searched', async () => {
    await peers.addNotifications([piRow(1)]);
    const lock = await acquireRunLock(peers.db.url, 'pi', 'yougotdata send pi by hand');
    try {
      const server = await monitor();
      const run = await spawnYougotdata(sendArgs, withMonitor(server.url));
      expect(run.code).toBe(75);
      const end = expectPair(server.requests, '/75');
      expect(end.body).toMatch(/^yougotdata send, PI mode, night 20261126: exit code 75\n/);
      expect(end.body).toContain('\nsent 0, dry-run 0, no-data 0,');
      expect(end.body).toMatch(/\n1 problem:\nthe run ended on a fatal error \(locked\)\n$/);
      expect(peers.archive.requests).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it.each([
    ['brief', /\n1 problem:\nthe run ended on a fatal error \(database-unavailable\)\n$/],
    ['full', /\n1 problem:\ncannot reach the database: connect ECONNREFUSED .*; try again later\n$/],
  ])('exit 75, the database unreachable: /start then /75, the kind of error (HEALTHCHECK_DETAILS=%s)', async (details, problem) => {
    const server = await monitor();
    const url = `postgres://yougotdata:s3cret-pw@127.0.0.1:${await closedPort()}/fits`;
    const run = await spawnYougotdata(sendArgs, withMonitor(server.url, { DATABASE_URL: url, HEALTHCHECK_DETAILS: details }));
    expect(run.code).toBe(75);
    const end = expectPair(server.requests, '/75');
    expect(end.body).toMatch(problem);
    expect(end.body).not.toContain('s3cret-pw');
  });

  it('keeps the end body within 10 KB with 3000 failing notifications: the first problems, then how many more', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => i + 1);
    await peers.addNotifications(ids.map((id) => piRow(id)));
    // Each answer holds a file of another program: every notification fails, none for a transient cause.
    peers.archive.inject({ match: '/jsonsummary/', extraPrograms: ['GN-2026B-Q-9999'], times: Number.POSITIVE_INFINITY });
    const server = await monitor();
    const run = await yougotdata([...sendArgs, '--json'], withMonitor(server.url, { ARCHIVE_CONCURRENCY: '16' }));
    expect(run.code).toBe(1);
    expect(run.json().totals).toEqual({ failed: 3000 });
    const end = expectPair(server.requests, '/1');
    expect(Buffer.byteLength(end.body)).toBeLessThanOrEqual(PING_BODY_LIMIT_BYTES);
    expect(Buffer.byteLength(end.body)).toBeGreaterThan(PING_BODY_LIMIT_BYTES - 200);
    const lines = end.body.trimEnd().split('\n');
    expect(lines[2]).toBe(STATUSES.map((status) => `${status} ${status === 'failed' ? 3000 : 0}`).join(', '));
    expect(lines[5]).toBe('3000 problems:');
    const shown = lines.filter((line) => /^#\d+ /.test(line));
    expect(shown[0]).toBe('#1 20261126 failed');
    expect(lines.at(-1)).toBe(`… and ${3000 - shown.length} more`);
  }, 120_000);

  it('a dry run pings nothing', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1));
    const server = await monitor();
    const run = await spawnYougotdata([...sendArgs, '--dry-run'], withMonitor(server.url));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dry-run');
    expect(server.requests).toEqual([]);
  });
});

describe('a monitor that fails never changes how the run ends', () => {
  it('nothing listening on its port: a warning per ping on stderr, exit 0, the messages sent', async () => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1));
    const port = await closedPort();
    const { value: run, ms } = await timed(() => spawnYougotdata(sendArgs, withMonitor(`http://127.0.0.1:${port}/ping/check-key`)));
    expect(run.code).toBe(0);
    expect(peers.sink.messages()).toHaveLength(1);
    const warnings = pingWarnings(run.stderr);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/WARN {2}healthcheck start ping failed after 2 attempts: .*ECONNREFUSED.*; the run goes on/);
    expect(warnings[1]).toMatch(/WARN {2}healthcheck end ping failed after 2 attempts: .*ECONNREFUSED/);
    expect(run.stderr.trim().split('\n')).toEqual(warnings);
    expect(ms).toBeLessThan(15_000);
  });

  it('a monitor that never answers: one attempt per ping, a warning each, exit 1 kept, the run held up about 4 s at most', async () => {
    await peers.addNotifications([piRow(1), { id: 2, selection: '' }]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1));
    const quick = await monitor();
    const baseline = await timed(() => spawnYougotdata(sendArgs, withMonitor(quick.url)));
    expect(baseline.value.code).toBe(1);
    await peers.reset();
    await peers.addNotifications([piRow(1), { id: 2, selection: '' }]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1));

    const hung = await monitor(() => null);
    const { value: run, ms } = await timed(() => spawnYougotdata(sendArgs, withMonitor(hung.url)));
    expect(run.code).toBe(1);
    expect(peers.sink.messages()).toHaveLength(1);
    expect(hung.requests.map((r) => r.pathname)).toEqual(['/ping/check-key/start', '/ping/check-key/1']);
    expect(pingWarnings(run.stderr)).toEqual([
      expect.stringMatching(/healthcheck start ping failed after 1 attempt: no answer within 2000 ms; the run goes on/),
      expect.stringMatching(/healthcheck end ping failed after 1 attempt: no answer within 2000 ms; the run goes on/),
    ]);
    // A ping that gets no answer in 2 s is not tried again. The start ping runs beside the work, so a run shorter than
    // it (as here) waits for both: 4 s at most, less the run's own time. 8 s here would be the old two attempts each.
    const extra = ms - baseline.ms;
    console.log(`a hung monitor: the run took ${Math.round(ms)} ms, ${Math.round(extra)} ms more than with one that answers`);
    expect(extra).toBeLessThan(6_000);
  }, 60_000);

  it.each([
    ['not a URL', () => 'hc-ping.com/x'],
    ['an ftp URL at the monitor', (server: PingServer) => server.url.replace(/^http:/, 'ftp:')],
  ])('a malformed HEALTHCHECK_URL (%s) is exit 2 at start, one line, nothing sent', async (_what, url) => {
    await peers.addNotifications([piRow(1)]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 1));
    const server = await monitor();
    const run = await spawnYougotdata([...sendArgs, '--json'], withMonitor(url(server)));
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^yougotdata: configuration: HEALTHCHECK_URL must be/)]);
    expect(run.json()).toMatchObject({ error: { kind: 'configuration' }, exitCode: 2 });
    expect(server.requests).toEqual([]);
    expect(peers.archive.requests).toEqual([]);
    expect(peers.sink.messages()).toEqual([]);
  });
});
