/**
 * `bounce --imap` against a private Dovecot and a real PostgreSQL: what is recorded is moved to IMAP_DONE_FOLDER, the
 * rest left for a person, nothing deleted; a second poll and a crash between recording and moving record nothing
 * twice; a dry run touches nothing.
 */
import { readFileSync } from 'node:fs';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asMailboxOwner, emptyMailbox, findDovecot, type PrivateDovecot, startDovecot } from '../harness/dovecot.js';
import { janeDoeRow, scienceFiles, sendInProcess, usePeers, yougotdata } from '../harness/peers.js';

const DOVECOT = findDovecot();
const peers = usePeers();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url));
const BOUNCES = { BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.test', BOUNCE_SECRET: 'test-only secret: 8f1d2c3b4a5e6f7081928374' };

let server: PrivateDovecot;
const env = () => ({ ...peers.env, ...BOUNCES, IMAP_URL: server.url, IMAP_DONE_FOLDER: 'Read by yougotdata' });

const asOwner = <T>(work: (client: ImapFlow) => Promise<T>) => asMailboxOwner(server, work);

/** Each folder's message subjects. */
const folders = () =>
  asOwner(async (client) => {
    const result: Record<string, string[]> = {};
    for (const folder of await client.list()) {
      const status = await client.status(folder.path, { messages: true });
      if (status === false || !status.messages) {
        result[folder.path] = [];
        continue;
      }
      const lock = await client.getMailboxLock(folder.path);
      try {
        result[folder.path] = (await client.fetchAll('1:*', { envelope: true })).map((m) => m.envelope?.subject ?? '');
      } finally {
        lock.release();
      }
    }
    return result;
  });

const rows = async (table: string) => Number((await peers.db.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

describe.skipIf(!DOVECOT)('bounce --imap', () => {
  beforeAll(async () => {
    server = await startDovecot(DOVECOT as string);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    await emptyMailbox(server);
    await asOwner(async (client) => {
      await client.append('INBOX', fixture('postfix-5.1.1-user-unknown.eml'));
      await client.append('INBOX', fixture('postfix-three-recipients.eml'));
      await client.append('INBOX', fixture('not-a-bounce.eml'));
    });
    await peers.addNotifications([janeDoeRow]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    expect((await sendInProcess({ ...peers.env, ...BOUNCES })).code).toBe(0);
  });

  it('moves what it recorded, leaves the rest for a person, deletes nothing; a second poll adds nothing', async () => {
    const run = await yougotdata(['bounce', '--imap', '--json'], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.json().messages.map((m: { kind: string; outcome: string; matched: unknown }) => [m.kind, m.outcome, m.matched])).toEqual([
      ['bounce', 'recorded', { by: 'token', sendId: 1 }],
      ['bounce', 'kept', null],
      ['not-a-bounce', 'kept', null],
    ]);
    expect(await folders()).toEqual({
      INBOX: ['Undelivered Mail Returned to Sender', 'Re: New data for GN-2026B-Q-111'],
      'Read by yougotdata': ['Undelivered Mail Returned to Sender'],
    });
    expect([await rows('yougotdata_report'), await rows('yougotdata_delivery_event')]).toEqual([3, 1]);

    const again = await yougotdata(['bounce', '--imap', '--json'], env());
    expect(again.code).toBe(0);
    expect(again.json()).toEqual({ messages: [], totals: {} });
    expect([await rows('yougotdata_report'), await rows('yougotdata_delivery_event')]).toEqual([3, 1]);
  });

  it('a crash after recording, before moving: the next poll finds it recorded, moves it, and adds nothing', async () => {
    const piped = await yougotdata(['bounce'], env(), new Date(), fixture('postfix-5.1.1-user-unknown.eml'));
    expect(piped.code).toBe(0);
    const run = await yougotdata(['bounce', '--imap', '--json'], env());
    expect(run.json().messages[0]).toMatchObject({ outcome: 'already-recorded', report: 1, kept: false });
    expect((await folders())['Read by yougotdata']).toEqual(['Undelivered Mail Returned to Sender']);
    expect([await rows('yougotdata_report'), await rows('yougotdata_delivery_event')]).toEqual([3, 1]);
  });

  it('--dry-run reads the mailbox and touches nothing, here or in the database', async () => {
    const run = await yougotdata(['bounce', '--imap', '--dry-run'], { ...env(), DATABASE_URL: '' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^3 messages read: bounce 2, not-a-bounce 1; not-recorded 3\.$/m);
    expect(Object.keys(await folders())).toEqual(['INBOX']);
    expect((await folders()).INBOX).toHaveLength(3);
  });

  it('exit 2 for a refused login or no IMAP_URL, 75 for a server that is not there; the password never shown', async () => {
    const wrong = await yougotdata(['bounce', '--imap'], { ...env(), IMAP_URL: server.url.replace(server.password, 'n0t-the-Passw0rd') });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('refused the login of bounces: check IMAP_URL');
    expect(wrong.stderr).not.toContain('n0t-the-Passw0rd');
    const none = await yougotdata(['bounce', '--imap', '--json'], { ...env(), IMAP_URL: '' });
    expect(none.code).toBe(2);
    expect(none.json()).toMatchObject({ error: { kind: 'configuration', message: expect.stringContaining('IMAP_URL is required') } });
    const down = await yougotdata(['bounce', '--imap'], { ...env(), IMAP_URL: 'imap://bounces:secret-pw@127.0.0.1:9/INBOX' });
    expect(down.code).toBe(75);
    expect(down.stderr).toMatch(/the IMAP server 127\.0\.0\.1:9 failed while connecting: .*; try again later/);
    expect(down.stderr).not.toContain('secret-pw');
    expect(await rows('yougotdata_report')).toBe(0);
  });

  it('--imap with a FILE, or a done folder that is the folder read, is for a person to fix', async () => {
    const same = await yougotdata(['bounce', '--imap'], { ...env(), IMAP_DONE_FOLDER: 'INBOX' });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('IMAP_DONE_FOLDER must not be the folder IMAP_URL reads (INBOX)');
    const run = await yougotdata(['bounce', '--imap', 'some.eml'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--imap reads the mailbox in IMAP_URL: give it no FILE or MAILDIR');
  });
});
