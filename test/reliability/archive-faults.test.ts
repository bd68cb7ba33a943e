import { describe, expect, it } from 'vitest';
import { usePeers } from '../harness/peers.js';
import {
  addNight,
  copiesPerNotification,
  idsWith,
  type Report,
  reliabilityEnv,
  sendInProcess,
  statusesOf,
  timed,
} from '../harness/reliability.js';

const peers = usePeers();

const searchesOf = (id: number) =>
  peers.archive.requests.filter((r) => r.path.startsWith('/jsonsummary') && r.path.includes(`GN-2026B-Q-${id}/`));

describe('archive faults', () => {
  it('at most ARCHIVE_CONCURRENCY requests in flight at the server, and that many at once: --concurrency too', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => i + 1);
    await addNight(peers, ids, []);
    peers.archive.setLatency(150);
    for (const [concurrency, args] of [
      [3, []],
      [2, ['--concurrency', '2']],
    ] as const) {
      peers.archive.resetStats();
      const run = await sendInProcess(reliabilityEnv(peers, { ARCHIVE_CONCURRENCY: '3', ARCHIVE_TIMEOUT_MS: '5000' }), ...args);
      expect(run.code).toBe(0);
      expect(peers.archive.stats.total).toBe(ids.length);
      // Workers (2 × the concurrency) overlap their searches; the client lets only `concurrency` of them out at once.
      expect(peers.archive.stats.peakInFlight, `--concurrency ${concurrency}`).toBeLessThanOrEqual(concurrency);
      expect(peers.archive.stats.peakInFlight, `--concurrency ${concurrency}`).toBeGreaterThanOrEqual(2);
    }
  });

  it('a search waiting for a free request slot is not timed: ARCHIVE_TIMEOUT_MS counts from when it goes out', async () => {
    // Four workers, two slots, answers after 700 ms. A search made to wait for a connection instead of a slot would
    // wait one answer (700 ms) and take another (700 ms): past the 1300 ms timeout, a failure and a retry.
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    await addNight(peers, ids, []);
    peers.archive.setLatency(700);
    const run = await sendInProcess(reliabilityEnv(peers, { ARCHIVE_CONCURRENCY: '2', ARCHIVE_TIMEOUT_MS: '1300', ARCHIVE_RETRIES: '0' }));
    expect(idsWith(run.json(), 'failed')).toEqual([]);
    expect(run.code).toBe(0);
    expect(idsWith(run.json(), 'no-data')).toEqual(ids);
    expect(peers.archive.stats.total).toBe(ids.length);
    expect(peers.archive.stats.peakInFlight).toBe(2);
  });

  it('a 503 then a 200 is retried and the message sent once; a rerun sends nothing more', async () => {
    await addNight(peers, [1, 2], [1, 2]);
    peers.archive.inject({ status: 503, match: 'GN-2026B-Q-1/' });
    const run = await sendInProcess(reliabilityEnv(peers));
    expect(run.code).toBe(0);
    expect(statusesOf(run.json())).toEqual({ 1: 'sent', 2: 'sent' });
    expect(searchesOf(1).map((r) => r.status)).toEqual([503, 200]);
    const rerun = await sendInProcess(reliabilityEnv(peers));
    expect(rerun.code).toBe(0);
    expect(statusesOf(rerun.json())).toEqual({ 1: 'already-sent', 2: 'already-sent' });
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2]).values()]).toEqual([1, 1]);
  });

  it('a hang times out after ARCHIVE_TIMEOUT_MS on each attempt, is failed, and the rest of the run is unaffected', async () => {
    await addNight(peers, [1, 2, 3, 4], [1, 2, 3, 4]);
    peers.archive.inject({ hang: true, times: Infinity, match: 'GN-2026B-Q-2/' });
    const { value: run, ms } = await timed(() =>
      sendInProcess(reliabilityEnv(peers, { ARCHIVE_TIMEOUT_MS: '1000', ARCHIVE_RETRIES: '1' })),
    );
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(statusesOf(report)).toEqual({ 1: 'sent', 2: 'failed', 3: 'sent', 4: 'sent' });
    const hung = report.results.find((r) => r.id === 2)!;
    expect(hung.error).toContain('no answer within 1000 ms');
    expect(hung.error).toContain('after 2 attempts');
    // Two attempts, both unanswered (counted at the server), each ended by the timeout: never an open-ended wait.
    // The time only widely: two seconds of timeouts and a backoff, on a machine that may be busy.
    expect(searchesOf(2).map((r) => r.status)).toEqual([0, 0]);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(30_000);
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2, 3, 4]).values()]).toEqual([1, 0, 1, 1]);
  });

  it.each([
    ['an HTML page instead of JSON', { html: true }, 'not JSON'],
    ['a body cut off half way', { truncate: true }, 'cut off'],
    ['a 500 on every attempt', { status: 500 }, 'HTTP 500'],
  ])('%s is failed, never no-data, and nothing is sent for it', async (_case, fault, error) => {
    await addNight(peers, [1, 2], [1, 2]);
    peers.archive.inject({ ...fault, times: Infinity, match: 'GN-2026B-Q-1/' });
    const run = await sendInProcess(reliabilityEnv(peers));
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(statusesOf(report)).toEqual({ 1: 'failed', 2: 'sent' });
    expect(report.results[0]!.error).toContain(error);
    expect(report.totals['no-data']).toBeUndefined();
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2]).values()]).toEqual([0, 1]);
  });

  it('a 429 with Retry-After is waited out as told, without holding up the other notifications, then sent once', async () => {
    await addNight(peers, [1, 2, 3], [1, 2, 3]);
    peers.archive.inject({ status: 429, retryAfterSeconds: 2, match: 'GN-2026B-Q-1/' });
    const run = await sendInProcess(reliabilityEnv(peers, { ARCHIVE_CONCURRENCY: '1' }));
    expect(run.code).toBe(0);
    expect(statusesOf(run.json())).toEqual({ 1: 'sent', 2: 'sent', 3: 'sent' });
    const [refused, answered] = searchesOf(1);
    expect([refused?.status, answered?.status]).toEqual([429, 200]);
    expect(answered!.at - refused!.at).toBeGreaterThanOrEqual(1950);
    // With one request slot, the others were searched while notification 1 waited.
    for (const id of [2, 3]) expect(searchesOf(id)[0]!.at).toBeLessThan(answered!.at);
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2, 3]).values()]).toEqual([1, 1, 1]);
  });

  it('connection refused: every notification failed (never no-data), exit 1, nothing sent; the rerun sends them all', async () => {
    await addNight(peers, [1, 2, 3], [1, 2]);
    const down = await sendInProcess(reliabilityEnv(peers, { ARCHIVE_URL: 'http://127.0.0.1:9', ARCHIVE_RETRIES: '1' }));
    expect(down.code).toBe(1);
    const report: Report = down.json();
    expect(statusesOf(report)).toEqual({ 1: 'failed', 2: 'failed', 3: 'failed' });
    for (const result of report.results) expect(result.error).toMatch(/ECONNREFUSED/);
    expect(peers.sink.messages()).toHaveLength(0);
    const again = await sendInProcess(reliabilityEnv(peers));
    expect(again.code).toBe(0);
    expect(statusesOf(again.json())).toEqual({ 1: 'sent', 2: 'sent', 3: 'no-data' });
    expect([...copiesPerNotification(peers.sink.messages(), [1, 2, 3]).values()]).toEqual([1, 1, 0]);
  });

  it('after a run with every kind of archive fault, a clean rerun sends exactly the ones that failed', async () => {
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    await addNight(peers, ids, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const on = (id: number) => `GN-2026B-Q-${id}/`;
    peers.archive.inject([
      { status: 502, match: on(1) }, // recovers
      { truncate: true, match: on(2) }, // recovers
      { status: 429, retryAfterSeconds: 1, match: on(3) }, // recovers
      { hang: true, times: 3, match: on(4) }, // every attempt
      { html: true, times: 3, match: on(5) }, // every attempt (not JSON: retried, like a 503)
      { truncate: true, times: 3, match: on(6) }, // every attempt
      { status: 503, times: 3, match: on(7) }, // every attempt
      { status: 500, times: 3, match: on(10) }, // no data behind it, but that is not known
    ]);
    const env = reliabilityEnv(peers);
    const first = await sendInProcess(env);
    expect(first.code).toBe(1);
    const failed = idsWith(first.json(), 'failed');
    expect(failed).toEqual([4, 5, 6, 7, 10]);
    expect(idsWith(first.json(), 'sent')).toEqual([1, 2, 3, 8, 9]);
    const before = copiesPerNotification(peers.sink.messages(), ids);

    const rerun = await sendInProcess(env);
    expect(rerun.code).toBe(0);
    const report: Report = rerun.json();
    expect(idsWith(report, 'sent')).toEqual([4, 5, 6, 7]);
    expect(idsWith(report, 'already-sent')).toEqual([1, 2, 3, 8, 9]);
    expect(idsWith(report, 'no-data')).toEqual([10]);
    const after = copiesPerNotification(peers.sink.messages(), ids);
    for (const id of ids) expect(after.get(id), `notification ${id}`).toBe(id === 10 ? 0 : 1);
    expect([...before.values()].reduce((a, b) => a + b)).toBe(5);
  });
});
