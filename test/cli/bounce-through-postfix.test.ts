/**
 * The whole loop through a real relay: `send` hands Jane Doe's notice to a private Postfix, the far side refuses the
 * PI with 550 5.1.1, Postfix writes its RFC 3464 bounce to the PI's token address, and delivers it, as the README's
 * aliases line does, to `yougotdata bounce` on stdin (run by local(8) as nobody, with RECIPIENT and EXTENSION set).
 * While the database cannot be reached the command exits 75 and Postfix keeps the bounce; then it is recorded, and
 * `why` and `audit` show it. The transport-pipe form of docs/sending.md does the same.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../../src/sink/index.js';
import { type AnyUserInstall, installForAnyUser } from '../harness/any-user-install.js';
import { janeDoeRow, NIGHT, scienceFiles, sendInProcess, usePeers, yougotdata } from '../harness/peers.js';
import { findPostfix, type PrivatePostfix, startPostfix } from '../harness/postfix.js';

const POSTFIX = findPostfix();
const peers = usePeers();
// local(8) and pipe(8) run the command as nobody.
let install: AnyUserInstall | undefined;
beforeAll(() => {
  if (POSTFIX) install = installForAnyUser();
});
afterAll(() => install?.remove());
const cli = () => install?.cli ?? 'dist/cli.js';
const BOUNCES = { BOUNCE_ADDRESS: 'fitsdata-bounces@bounces.gemini.test', BOUNCE_SECRET: 'test-only secret: 8f1d2c3b4a5e6f7081928374' };

let internet: MailSink | undefined;
let postfix: PrivatePostfix | undefined;
afterEach(async () => {
  await postfix?.stop();
  await internet?.close();
});

/** The settings file the piped command reads (`bounce --settings`), written as a test goes; null: not yet there. */
function settingsFile(databaseUrl: string | null): { path: string; point(url: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ygd-bounce-env-'));
  chmodSync(dir, 0o755);
  const path = join(dir, 'yougotdata.env');
  const point = (url: string) => {
    writeFileSync(path, `DATABASE_URL=${url}\nBOUNCE_ADDRESS=${BOUNCES.BOUNCE_ADDRESS}\nBOUNCE_SECRET="${BOUNCES.BOUNCE_SECRET}"\n`);
    chmodSync(path, 0o644);
  };
  if (databaseUrl !== null) point(databaseUrl);
  return { path, point };
}

/** Sends #101's notice through Postfix, the far side refusing the PI. */
async function sendThrough(relay: PrivatePostfix) {
  await peers.addNotifications([janeDoeRow]);
  peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
  const run = await sendInProcess({ ...peers.env, ...BOUNCES, SMTP_URL: relay.smtpUrl });
  expect(run.code, run.stderr).toBe(0);
}

async function waitFor(test: () => boolean, what: string, relay: PrivatePostfix) {
  for (let i = 0; i < 200 && !test(); i += 1) await sleep(100);
  if (!test()) throw new Error(`${what} did not happen:\n${relay.log()}`);
}

const rows = async (sql: string) => (await peers.db.pool.query(sql)).rows;

describe.skipIf(!POSTFIX)('bounces through a private Postfix, piped to yougotdata bounce', () => {
  it('an aliases pipe: kept queued while the database is down (75), then recorded once; why and audit show the dead PI', async () => {
    internet = await startMailSink({ dsn: true });
    internet.faults.rejectRecipient('jane.doe@uni.test', {
      code: 550,
      message: '5.1.1 <jane.doe@uni.test>: Recipient address rejected: User unknown',
    });
    const settings = settingsFile('postgres://postgres@127.0.0.1:9/down');
    postfix = await startPostfix(POSTFIX as string, {
      relayPort: internet.smtpPort,
      aliases: {
        domain: 'bounces.gemini.test',
        lines: [`fitsdata-bounces: "|${process.execPath} ${cli()} bounce --settings ${settings.path}"`],
      },
    });
    const relay = postfix;
    await sendThrough(relay);

    // The database down: the command says so, exits 75, and Postfix keeps the bounce to try again.
    await waitFor(
      () => /to=<fitsdata-bounces\+1-0-[0-9a-f]{16}@bounces\.gemini\.test>.*status=deferred/.test(relay.log()),
      'a deferral',
      relay,
    );
    expect(relay.log()).toMatch(/status=deferred \(temporary failure\. Command output: yougotdata: cannot reach the database/);
    expect(await rows('SELECT count(*)::int AS n FROM yougotdata_report')).toEqual([{ n: 0 }]);

    settings.point(peers.db.url);
    await relay.drained();
    expect(relay.log()).toMatch(/to=<fitsdata-bounces\+1-0-[0-9a-f]{16}@bounces\.gemini\.test>.*status=sent \(delivered to command/);
    expect(await rows('SELECT kind, matched_by, send_id, source, kept FROM yougotdata_report')).toEqual([
      { kind: 'bounce', matched_by: 'token', send_id: '1', source: 'stdin', kept: false },
    ]);
    expect(await rows('SELECT address, action, status, class, hard, remote_mta FROM yougotdata_delivery_event')).toEqual([
      { address: 'jane.doe@uni.test', action: 'failed', status: '5.1.1', class: 'dead-address', hard: true, remote_mta: '127.0.0.1' },
    ]);

    const why = await yougotdata(['why', 'jane.doe@uni.test', '--date', NIGHT], peers.env);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toMatch(
      /^Verdict: Sent at \d\d:\d\d:\d\d UTC on \d{4}-\d\d-\d\d to jane\.doe@uni\.test, ngo@office\.test, cs@gemini\.test; then jane\.doe@uni\.test bounced at .*: "550 5\.1\.1 <jane\.doe@uni\.test>: Recipient address rejected: User unknown" \(5\.1\.1: the address does not exist; from 127\.0\.0\.1\)\.$/m,
    );
    expect(why.stdout).toMatch(
      /^Next: Correct or remove the PI email address jane\.doe@uni\.test \(it bounces\) in the observing database's contact details for program GN-2026B-Q-101/m,
    );
    expect(why.stdout).toMatch(
      /^ {2}jane\.doe@uni\.test {2}bounced at .*, matched by token to message 1; bouncing: a dead address and no delivery has gone through since$/m,
    );
    expect(why.stdout).toMatch(/^ {2}ngo@office\.test {4}no report has come back$/m);
    expect(why.stdout).toMatch(/^ {4}relay: 250 2\.0\.0 Ok: queued as [0-9A-Z]+ \(jane\.doe@uni\.test\)$/m);

    const audit = await yougotdata(['audit'], { ...peers.env, ...BOUNCES });
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain('Addresses that bounce: the mail server takes the mail, and it comes back (1):');
    expect(audit.stdout).toMatch(
      /^ {6}jane\.doe@uni\.test bounces: a dead address and no delivery has gone through since; the latest report, on \d{4}-\d\d-\d\d, said "550 5\.1\.1/m,
    );
    expect(audit.stdout).toMatch(
      /^ {6}Fix: Correct the PI email address jane\.doe@uni\.test in the observing database's contact details for program GN-2026B-Q-101/m,
    );
  });

  it('a Postfix transport pipe (flags DRO): kept queued while its settings file is missing (75), then the token from Delivered-To, recorded', async () => {
    internet = await startMailSink({ dsn: true });
    internet.faults.rejectRecipient('jane.doe@uni.test', { code: 550, message: '5.1.1 <jane.doe@uni.test>: User unknown' });
    const settings = settingsFile(null);
    postfix = await startPostfix(POSTFIX as string, {
      relayPort: internet.smtpPort,
      pipe: { domain: 'bounces.gemini.test', argv: [process.execPath, cli(), 'bounce', '--settings', settings.path] },
    });
    const relay = postfix;
    await sendThrough(relay);
    await waitFor(() => /status=deferred.*--settings cannot read/.test(relay.log()), 'a deferral', relay);
    settings.point(peers.db.url);
    await relay.drained();
    expect(await rows('SELECT matched_by, send_id FROM yougotdata_report')).toEqual([{ matched_by: 'token', send_id: '1' }]);
    expect(await rows('SELECT address, hard FROM yougotdata_delivery_event')).toEqual([{ address: 'jane.doe@uni.test', hard: true }]);
  });
});
