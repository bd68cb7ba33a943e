import { afterEach, describe, expect, it } from 'vitest';
import { healthcheck, type PingFailure } from '../../src/monitoring/healthcheck.js';
import { closedPort, type PingServer, startPingServer } from '../harness/ping-server.js';
import { problem, RUN_ID, runSummary } from '../harness/run-summary.js';

const servers: PingServer[] = [];
/** A stand-in monitor on a free port that records every request; `answer` decides each reply (null: never answers). */
async function monitor(answer?: (request: number) => number | null) {
  const server = await startPingServer(answer);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function warnings() {
  const seen: { fields: PingFailure; message: string }[] = [];
  return { seen, warn: (fields: PingFailure, message: string) => seen.push({ fields, message }) };
}

const FAST = { attemptTimeoutMs: 300, retryDelayMs: 50 };

describe('healthcheck pings a real HTTP server', () => {
  it.each([
    [0, ''],
    [1, '/1'],
    [75, '/75'],
  ])('exit %i: /start, then the end ping%s with the summary, the same rid on both', async (exitCode, suffix) => {
    const server = await monitor();
    const { seen, warn } = warnings();
    const ping = healthcheck(server.url, { runId: RUN_ID, warn });
    await ping.start();
    const problems = exitCode === 0 ? [] : [problem('#17 GN-2026B-Q-101 20261125 failed: archive search failed: HTTP 503')];
    await ping.finish(runSummary({ exitCode, problems }));

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /ping/check-key/start?rid=${RUN_ID}`,
      `POST /ping/check-key${suffix}?rid=${RUN_ID}`,
    ]);
    const [start, end] = server.requests;
    expect(start?.body).toBe('');
    expect(end?.contentType).toBe('text/plain; charset=utf-8');
    expect(end?.body).toMatch(new RegExp(`^yougotdata send, PI mode, night 20261126: exit code ${exitCode}\n`));
    expect(end?.body).toContain('sent 3, dry-run 0, no-data 10');
    if (exitCode !== 0) expect(end?.body).toContain('1 problem:\n#17 GN-2026B-Q-101');
    expect(seen).toEqual([]);
  });

  it("keeps the check's query and a trailing slash right on the wire", async () => {
    const server = await monitor();
    const ping = healthcheck(`${server.url}/?create=1`, { runId: RUN_ID, warn: () => {} });
    await ping.start();
    await ping.finish(runSummary({ exitCode: 2 }));
    expect(server.requests.map((r) => r.path)).toEqual([
      `/ping/check-key/start?create=1&rid=${RUN_ID}`,
      `/ping/check-key/2?create=1&rid=${RUN_ID}`,
    ]);
  });

  it('retries once after a 500 and is content with the 200', async () => {
    const server = await monitor((n) => (n === 1 ? 500 : 200));
    const { seen, warn } = warnings();
    await healthcheck(server.url, { runId: RUN_ID, warn, ...FAST }).finish(runSummary());
    expect(server.requests.map((r) => r.path)).toEqual([`/ping/check-key?rid=${RUN_ID}`, `/ping/check-key?rid=${RUN_ID}`]);
    expect(server.requests[1]?.body).toBe(server.requests[0]?.body);
    expect(seen).toEqual([]);
  });

  it('warns after two 5xx answers and no more attempts', async () => {
    const server = await monitor(() => 503);
    const { seen, warn } = warnings();
    await healthcheck(server.url, { runId: RUN_ID, warn, ...FAST }).start();
    expect(server.requests).toHaveLength(2);
    expect(seen).toEqual([
      { fields: { url: server.origin, attempt: 2 }, message: 'healthcheck start ping failed after 2 attempts: HTTP 503; the run goes on' },
    ]);
  });

  it('does not retry a 404: the URL is wrong, and will be wrong again', async () => {
    const server = await monitor(() => 404);
    const { seen, warn } = warnings();
    await healthcheck(server.url, { runId: RUN_ID, warn, ...FAST }).finish(runSummary({ exitCode: 1 }));
    expect(server.requests).toHaveLength(1);
    expect(seen.map((w) => w.message)).toEqual([
      'healthcheck end ping failed after 1 attempt: HTTP 404 (is the check URL right?); the run goes on',
    ]);
  });

  it('gives up on a server that never answers after one attempt: a silent monitor is down, and a retry only waits again', async () => {
    const server = await monitor(() => null);
    const { seen, warn } = warnings();
    const began = performance.now();
    await healthcheck(server.url, { runId: RUN_ID, warn, ...FAST }).finish(runSummary({ exitCode: 1 }));
    const took = performance.now() - began;
    expect(server.requests).toHaveLength(1);
    // One attempt of 300 ms, with room for a busy machine.
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(1_500);
    expect(seen).toEqual([
      {
        fields: { url: server.origin, attempt: 1 },
        message: 'healthcheck end ping failed after 1 attempt: no answer within 300 ms; the run goes on',
      },
    ]);
  });

  it('holds a run up for about two seconds a ping with the default timeouts', async () => {
    const server = await monitor(() => null);
    const { seen, warn } = warnings();
    const began = performance.now();
    await healthcheck(server.url, { runId: RUN_ID, warn }).start();
    const took = performance.now() - began;
    expect(took).toBeGreaterThanOrEqual(2_000);
    expect(took).toBeLessThan(3_500);
    expect(seen).toHaveLength(1);
  });

  it('a first attempt answered 503, then silence: two attempts, the second ends it', async () => {
    const server = await monitor((n) => (n === 1 ? 503 : null));
    const { seen, warn } = warnings();
    await healthcheck(server.url, { runId: RUN_ID, warn, ...FAST }).start();
    expect(server.requests).toHaveLength(2);
    expect(seen.map((w) => w.message)).toEqual([
      'healthcheck start ping failed after 2 attempts: no answer within 300 ms; the run goes on',
    ]);
  });

  it('warns when the port refuses the connection, after one retry, and never throws', async () => {
    const port = await closedPort();
    const { seen, warn } = warnings();
    const ping = healthcheck(`http://127.0.0.1:${port}/ping/check-key`, { runId: RUN_ID, warn, ...FAST });
    await expect(ping.start()).resolves.toBeUndefined();
    await expect(ping.finish(runSummary({ exitCode: 75 }))).resolves.toBeUndefined();
    expect(seen.map((w) => w.fields)).toEqual([
      { url: `http://127.0.0.1:${port}`, attempt: 2 },
      { url: `http://127.0.0.1:${port}`, attempt: 2 },
    ]);
    expect(seen[0]?.message).toMatch(/^healthcheck start ping failed after 2 attempts: .*ECONNREFUSED.*; the run goes on$/);
    expect(seen[1]?.message).toMatch(/^healthcheck end ping failed/);
  });

  it('warns when the host name does not resolve', async () => {
    const { seen, warn } = warnings();
    await healthcheck('http://monitor.invalid/ping/x', { runId: RUN_ID, warn, ...FAST }).start();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.message).toMatch(/^healthcheck start ping failed after 2 attempts: /);
  });

  it('never throws when the warning itself throws', async () => {
    const port = await closedPort();
    const ping = healthcheck(`http://127.0.0.1:${port}/x`, {
      runId: RUN_ID,
      warn: () => {
        throw new Error('logger gone');
      },
      ...FAST,
    });
    await expect(ping.finish(runSummary())).resolves.toBeUndefined();
  });

  it('sends nothing without a URL (no monitor, or a dry run)', async () => {
    const { seen, warn } = warnings();
    const ping = healthcheck(undefined, { runId: RUN_ID, warn });
    await ping.start();
    await ping.finish(runSummary({ exitCode: 1 }));
    expect(seen).toEqual([]);
  });

  it('keeps the check key out of the warning: only the origin is shown', async () => {
    const server = await monitor(() => 500);
    const { seen, warn } = warnings();
    await healthcheck(server.url, { runId: RUN_ID, warn, ...FAST }).start();
    expect(JSON.stringify(seen)).not.toContain('check-key');
  });
});
