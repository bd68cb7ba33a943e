/**
 * What the daily run tells of bounces, against the real peers: after `bounce` recorded a dead PI and a blocked
 * contact scientist, the next PI run's ERRORS_TO digest lists the dead address and, for IT, the block, and its
 * metrics file counts them by class; the run after that has nothing new to tell. A digest that cannot be sent leaves
 * its bounces to the next run's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import { BounceTokens } from '../../src/mail/bounce-token.js';
import { janeDoeRow, scienceFiles, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();
const BOUNCE = readFileSync(new URL('../fixtures/bounces/postfix-5.1.1-user-unknown.eml', import.meta.url), 'utf8');
const BOUNCES = { BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test', BOUNCE_SECRET: 'test-only secret: 8f1d2c3b4a5e6f7081928374' };
const tokens = new BounceTokens(BOUNCES.BOUNCE_ADDRESS as EmailAddress, BOUNCES.BOUNCE_SECRET);

/** Postfix's report rewritten: the contact scientist's copy (row 1, recipient 2) refused for our server's reputation. */
const blockedCs = BOUNCE.replaceAll(tokens.senderFor(1, 0), tokens.senderFor(1, 2))
  .replaceAll('jane.doe@uni.test', 'cs@gemini.test')
  .replace('Status: 5.1.1', 'Status: 5.7.1')
  .replace(
    /Diagnostic-Code: smtp; 550 5\.1\.1 <cs@gemini\.test>: Recipient address\r\n {4}rejected: User unknown/,
    'Diagnostic-Code: smtp; 550 5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org',
  )
  .replace('<20261207191448.7BCA520EDC2@relay.yougotdata.test>', '<20261207191449.8ABC@relay.yougotdata.test>');

const metricsFolder = () => mkdtempSync(join(tmpdir(), 'ygd-bounce-metrics-'));
const bouncesIn = (file: string) =>
  Object.fromEntries(
    [...readFileSync(file, 'utf8').matchAll(/^yougotdata_last_run_bounces\{mode="pi",class="([a-z-]+)"\} (\d+)$/gm)].map(([, c, n]) => [
      c,
      Number(n),
    ]),
  );

describe('bounces in the daily run', () => {
  it('the next run digests the new hard bounce and, for IT, the block; counts them in its metrics; the run after is quiet', async () => {
    await peers.addNotifications([{ ...janeDoeRow, ngoemail: 'ngo@office.test' }]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const folder = metricsFolder();
    const env = { ...peers.env, ...BOUNCES, ERRORS_TO: 'archive-team@gemini.test', METRICS_FILE: join(folder, 'yougotdata.prom') };
    const send = (night: string) => yougotdata(['send', '--date', night, '--json'], env);

    expect((await send('20261126')).code).toBe(0);
    expect(peers.sink.messages()).toHaveLength(3);
    for (const report of [BOUNCE, blockedCs]) {
      const run = await yougotdata(['bounce', '--json'], env, new Date(), Buffer.from(report));
      expect(run.json().messages[0]).toMatchObject({ outcome: 'recorded', matched: { by: 'token', sendId: 1 } });
    }

    expect((await send('20261127')).code).toBe(0);
    const digests = peers.sink.messages().filter((m) => m.envelope.to.includes('archive-team@gemini.test'));
    expect(digests).toHaveLength(1);
    const digest = await simpleParser((digests[0] as { raw: string }).raw);
    expect(digest.subject).toBe('yougotdata: PI run for night 20261127 needs attention');
    expect(digest.text).toContain('yougotdata PI run for night 20261127: bounces to see to.');
    expect(digest.text).toMatch(
      /^1 address\(es\) bounced since the last PI run: the address does not exist any more\.\n {2}jane\.doe@uni\.test \(#101\), .* UTC: "550 5\.1\.1 <jane\.doe@uni\.test>: Recipient address rejected: User unknown" \(5\.1\.1: the address does not exist; from 127\.0\.0\.1\)$/m,
    );
    expect(digest.text).toMatch(/^For IT: 1 receiving server\(s\) refused this server's mail since the last PI run/m);
    expect(digest.text).toMatch(/^ {2}cs@gemini\.test \(#101\), .*blocked using zen\.spamhaus\.org" \(5\.7\.1: /m);
    expect(bouncesIn(join(folder, 'yougotdata-pi.prom'))).toEqual({
      'dead-address': 1,
      'mailbox-full': 0,
      policy: 1,
      'spam-block': 0,
      expired: 0,
      other: 0,
    });

    expect((await send('20261128')).code).toBe(0);
    expect(peers.sink.messages().filter((m) => m.envelope.to.includes('archive-team@gemini.test'))).toHaveLength(1);
    expect(Object.values(bouncesIn(join(folder, 'yougotdata-pi.prom')))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a bounce whose digest could not be sent is told by the next run that can send one', async () => {
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const env = { ...peers.env, ...BOUNCES, ERRORS_TO: 'archive-team@gemini.test' };
    const send = (night: string) => yougotdata(['send', '--date', night, '--json'], env);
    const digestsTold = () =>
      peers.sink.messages().filter((m) => m.envelope.to.includes('archive-team@gemini.test') && m.raw.includes('jane.doe@uni.test (#101)'));

    expect((await send('20261126')).code).toBe(0);
    await yougotdata(['bounce'], env, new Date(), Buffer.from(BOUNCE));
    peers.sink.faults.rejectRecipient('archive-team@gemini.test', { code: 550, message: '5.2.2 mailbox full' }, 1);
    const refused = await send('20261127');
    expect(refused.stderr).toContain('the digest could not be sent');
    expect(digestsTold()).toHaveLength(0);

    expect((await send('20261128')).code).toBe(0);
    expect(digestsTold()).toHaveLength(1);
    expect((await send('20261129')).code).toBe(0);
    expect(digestsTold()).toHaveLength(1);
  });
});
