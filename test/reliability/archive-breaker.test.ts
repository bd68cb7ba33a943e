import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { scienceFiles, usePeers } from '../harness/peers.js';
import {
  addNight,
  copiesPerNotification,
  idsWith,
  NIGHT,
  piRow,
  type Report,
  reliabilityEnv,
  sendInProcess,
  timed,
} from '../harness/reliability.js';

/**
 * The archive down or hung for a whole run: after ARCHIVE_MAX_FAILURES notifications in a row fail for a transient
 * cause, the run stops asking, fails the rest as not tried, says so once in the digest and exits 75; the archive
 * back, a rerun sends everything exactly once. Bounded by what can be counted: requests at the server.
 */

const peers = usePeers();

const OPS = 'ops@gemini.test';
const ROWS = 215;
const IDS = Array.from({ length: ROWS }, (_, i) => i + 1);
/** Every fifth notification has data. */
const WITH_DATA = IDS.filter((id) => id % 5 === 0);
const MAX_FAILURES = 10;
const CONCURRENCY = 4;
const RETRIES = 1;
/**
 * When the breaker opens, the notifications that ever asked are the MAX_FAILURES that failed plus those in progress
 * beside the one that tripped it (at most workers − 1, workers = 2 × ARCHIVE_CONCURRENCY); each makes every attempt.
 */
const REQUEST_BOUND = (MAX_FAILURES + 2 * CONCURRENCY - 1) * (1 + RETRIES);

const digests = () => peers.sink.messages().filter((m) => m.envelope.to.includes(OPS));
const notices = () => peers.sink.messages().filter((m) => !m.envelope.to.includes(OPS));
const occurrences = (text: string, part: string) => text.split(part).length - 1;
const searches = (standIn = peers.archive) => standIn.requests.filter((r) => r.path.startsWith('/jsonsummary'));

const downEnv = (extra: Record<string, string> = {}) =>
  reliabilityEnv(peers, {
    ARCHIVE_TIMEOUT_MS: '1000',
    ARCHIVE_RETRIES: String(RETRIES),
    ARCHIVE_CONCURRENCY: String(CONCURRENCY),
    ARCHIVE_MAX_FAILURES: String(MAX_FAILURES),
    ERRORS_TO: OPS,
    ...extra,
  });

/** The digest of the run, parsed: exactly one was sent. */
async function digestText(): Promise<string> {
  expect(digests()).toHaveLength(1);
  return (await simpleParser(digests()[0]!.raw)).text ?? '';
}

/**
 * What every tripped run shows: exit 75, every row failed (never no-data), most not tried with the breaker's reason,
 * no notice sent, the reason once in the digest.
 */
async function expectTripped(run: { code: number; json<T>(): T }, server: string, cause: RegExp): Promise<Report> {
  expect(run.code).toBe(75);
  const report: Report = run.json();
  expect(report.results.map((r) => r.id)).toEqual(IDS);
  expect(report.totals).toEqual({ failed: ROWS });
  const notTried = report.results.filter((r) => r.error?.startsWith(`not tried: ${server} is unavailable (`));
  expect(notTried.length).toBeGreaterThanOrEqual(ROWS - (MAX_FAILURES + 2 * CONCURRENCY - 1));
  for (const result of notTried) expect(result.error).toMatch(cause);
  const tried = report.results.filter((r) => !notTried.includes(r));
  for (const result of tried) expect(result.error).toMatch(cause);
  expect(notices()).toHaveLength(0);
  const digest = await digestText();
  // The reason once, and one paragraph for every notification not tried, however many.
  expect(occurrences(digest, `${server} is unavailable`), digest).toBe(1);
  expect(digest).toContain(`The run stopped early: ${server} is unavailable (`);
  expect(occurrences(digest, 'not tried'), digest).toBe(1);
  expect(digest).toContain(`${notTried.length} notification(s) not tried once the run stopped.`);
  return report;
}

/** The archive back: a rerun sends every notification with data exactly once, and nothing else. */
async function expectRerunComplete(extra: Record<string, string> = {}): Promise<void> {
  const rerun = await sendInProcess(downEnv(extra));
  expect(rerun.code, rerun.stderr).toBe(0);
  const report: Report = rerun.json();
  expect(idsWith(report, 'sent')).toEqual(WITH_DATA);
  expect(report.totals).toEqual({ sent: WITH_DATA.length, 'no-data': ROWS - WITH_DATA.length });
  const copies = copiesPerNotification(notices(), IDS);
  for (const id of IDS) expect(copies.get(id), `notification ${id}`).toBe(WITH_DATA.includes(id) ? 1 : 0);
}

describe('the archive breaker', () => {
  it(`a hung archive: ${ROWS} rows end in seconds, each failed, most not tried; exit 75; the archive back, a rerun sends each once`, async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.archive.inject({ hang: true, times: Infinity });
    const { value: run, ms } = await timed(() => sendInProcess(downEnv()));
    const report = await expectTripped(run, 'the archive', /no answer within 1000 ms/);
    expect(report.totals['no-data']).toBeUndefined();
    const requests = peers.archive.stats.total;
    expect(requests).toBeGreaterThanOrEqual(MAX_FAILURES * (1 + RETRIES));
    expect(requests).toBeLessThanOrEqual(REQUEST_BOUND);
    // ~11 s here (the timeout, a backoff, the timeout, for 17 notifications through 4 request slots); never minutes.
    // The test's own timeout is wider still, so this bound, not the runner, says what went wrong.
    expect(ms).toBeLessThan(60_000);
    console.log(`hung archive: ${ROWS} rows, ${(ms / 1000).toFixed(1)} s, ${requests} requests (bound ${REQUEST_BOUND})`);

    peers.archive.clear();
    peers.archive.resetStats();
    for (const id of WITH_DATA) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 2, NIGHT));
    await expectRerunComplete();
  }, 90_000);

  it('an archive answering 503 to everything: the same, in far fewer requests than rows', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.archive.inject({ status: 503, times: Infinity });
    const run = await sendInProcess(downEnv());
    await expectTripped(run, 'the archive', /HTTP 503 from the archive/);
    expect(peers.archive.stats.total).toBeLessThanOrEqual(REQUEST_BOUND);
    expect(searches().every((r) => r.status === 503)).toBe(true);

    peers.archive.clear();
    peers.archive.resetStats();
    for (const id of WITH_DATA) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 2, NIGHT));
    await expectRerunComplete();
  });

  it('an archive refusing connections (a closed port): the same; the archive back, the rerun sends each once', async () => {
    await addNight(peers, IDS, WITH_DATA);
    const run = await sendInProcess(downEnv({ ARCHIVE_URL: 'http://127.0.0.1:9' }));
    await expectTripped(run, 'the archive', /ECONNREFUSED/);
    expect(peers.archive.stats.total).toBe(0);
    await expectRerunComplete();
  });

  it('CHECK mode: the summit FITS server hung; its own name in every reason; the rerun sends each once', async () => {
    await peers.addNotifications(IDS.map((id) => piRow(id, { csemail: `cs${id}@gemini.test` })));
    peers.summit.inject({ hang: true, times: Infinity });
    const run = await sendInProcess(downEnv(), '--check');
    await expectTripped(run, 'the summit FITS server', /no answer within 1000 ms/);
    expect(peers.summit.stats.total).toBeLessThanOrEqual(REQUEST_BOUND);
    expect(peers.archive.stats.total).toBe(0);

    peers.summit.clear();
    for (const id of WITH_DATA) peers.summit.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 1, NIGHT, { qaState: 'CHECK' }));
    const rerun = await sendInProcess(downEnv(), '--check');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(idsWith(rerun.json(), 'sent')).toEqual(WITH_DATA);
    const copies = new Map<string, number>();
    for (const message of notices()) for (const to of message.envelope.to) copies.set(to, (copies.get(to) ?? 0) + 1);
    for (const id of IDS) expect(copies.get(`cs${id}@gemini.test`) ?? 0, `notification ${id}`).toBe(WITH_DATA.includes(id) ? 1 : 0);
  }, 90_000);

  it('with look-back nights: one nightrange= request per notification; a range the server failed fails all its nights, tonight is not asked alone', async () => {
    const ids = IDS.slice(0, 40);
    await addNight(peers, ids, ids);
    peers.archive.inject({ status: 503, times: Infinity });
    const run = await sendInProcess(downEnv({ LOOKBACK_NIGHTS: '3' }));
    expect(run.code).toBe(75);
    const report: Report = run.json();
    const asked = new Map<number, number>();
    for (const request of searches()) {
      expect(request.path).toContain('/nightrange=20261123-20261126/');
      const id = Number(/GN-2026B-Q-(\d+)\//.exec(request.path)![1]);
      asked.set(id, (asked.get(id) ?? 0) + 1);
    }
    expect(asked.size).toBeGreaterThanOrEqual(MAX_FAILURES);
    expect(asked.size).toBeLessThanOrEqual(MAX_FAILURES + 2 * CONCURRENCY - 1);
    for (const [id, requests] of asked) expect(requests, `requests for notification ${id}`).toBe(1 + RETRIES);
    for (const id of ids) {
      const results = report.results.filter((r) => r.id === id);
      if (asked.has(id)) {
        expect(results.map((r) => r.night)).toEqual(['20261126', '20261125', '20261124', '20261123']);
        for (const result of results) expect(result.error).toMatch(/^archive search failed: HTTP 503 from the archive/);
      } else {
        expect(results.map((r) => r.night)).toEqual([NIGHT]);
        expect(results[0]!.error).toMatch(/^not tried: the archive is unavailable \(HTTP 503/);
      }
      for (const result of results) expect(result.status).toBe('failed');
    }
  });

  it('an answer resets the count: failures between answers, more of them than ARCHIVE_MAX_FAILURES, never open it', async () => {
    // Every third notification fails every attempt. With two workers (ARCHIVE_CONCURRENCY 1), at most two failures
    // can settle between answers, so a breaker that counted failures without resetting would open after three.
    const ids = IDS.slice(0, 30);
    const failing = ids.filter((id) => id % 3 === 0);
    await addNight(peers, ids, ids);
    peers.archive.inject(failing.map((id) => ({ status: 503, times: Infinity, match: `GN-2026B-Q-${id}/` })));
    const run = await sendInProcess(downEnv({ ARCHIVE_CONCURRENCY: '1', ARCHIVE_RETRIES: '0', ARCHIVE_MAX_FAILURES: '3' }));
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(idsWith(report, 'failed')).toEqual(failing);
    expect(idsWith(report, 'sent')).toEqual(ids.filter((id) => !failing.includes(id)));
    for (const result of report.results.filter((r) => r.status === 'failed')) expect(result.error).toContain('HTTP 503 from the archive');
    expect(report.results.some((r) => r.error?.includes('not tried'))).toBe(false);
    // Each failing notification was asked: nothing was skipped.
    for (const id of failing) expect(searches().filter((r) => r.path.includes(`GN-2026B-Q-${id}/`))).toHaveLength(1);
  });

  it('an HTML maintenance page with a 200 for every search: retried and counted like a 503, exit 75; the archive back, each sent once', async () => {
    await addNight(peers, IDS, WITH_DATA);
    peers.archive.inject({ html: true, times: Infinity });
    const run = await sendInProcess(downEnv());
    await expectTripped(run, 'the archive', /the answer is not JSON \(it starts "<!DOCTYPE html>/);
    const requests = peers.archive.stats.total;
    expect(requests).toBeGreaterThanOrEqual(MAX_FAILURES * (1 + RETRIES));
    expect(requests).toBeLessThanOrEqual(REQUEST_BOUND);
    expect(searches().every((r) => r.status === 200)).toBe(true);
    console.log(`maintenance page: ${ROWS} rows, ${requests} requests (bound ${REQUEST_BOUND}), exit ${run.code}`);

    peers.archive.clear();
    peers.archive.resetStats();
    for (const id of WITH_DATA) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 2, NIGHT));
    await expectRerunComplete();
  });

  it("a list with a malformed file is the archive's own answer: not retried, not counted, every row asked once", async () => {
    const ids = IDS.slice(0, 12);
    await addNight(peers, ids, ids);
    // An exposure time in words, for every notification: the archive answered, so the breaker stays closed.
    peers.archive.addEntries(ids.map((id) => ({ ...scienceFiles(`GN-2026B-Q-${id}`, 1, NIGHT)[0], exposure_time: 'long' })));
    const run = await sendInProcess(downEnv({ ARCHIVE_MAX_FAILURES: '3' }));
    expect(run.code).toBe(1);
    const report: Report = run.json();
    expect(idsWith(report, 'failed')).toEqual(ids);
    for (const result of report.results) expect(result.error).toContain('is malformed');
    expect(searches()).toHaveLength(ids.length);
  });
});
