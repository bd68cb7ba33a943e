/**
 * The IMAP adapter against a private Dovecot: every message handed over once, moved or marked as the caller says,
 * nothing deleted; a folder deleted mid-poll, a refused login and a server that is not there, each told apart.
 */
import { readFileSync } from 'node:fs';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImapRefused, ImapUnavailable } from '../../src/mailbox/failures.js';
import { imapAddressOf, KEPT_KEYWORD, type MailboxMessage, pollMailbox } from '../../src/mailbox/imap-mailbox.js';
import { asMailboxOwner, emptyMailbox, findDovecot, type PrivateDovecot, startDovecot } from '../harness/dovecot.js';

const DOVECOT = findDovecot();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url));

let server: PrivateDovecot;
const asOwner = <T>(work: (client: ImapFlow) => Promise<T>) => asMailboxOwner(server, work);

/** Each folder's messages: their Subject and keywords. */
const contents = () =>
  asOwner(async (client) => {
    const result: Record<string, { subject: string | undefined; kept: boolean }[]> = {};
    for (const folder of await client.list()) {
      const lock = await client.getMailboxLock(folder.path);
      try {
        const messages = (await client.fetchAll('1:*', { envelope: true, flags: true }).catch(() => [])) ?? [];
        result[folder.path] = messages.map((m) => ({ subject: m.envelope?.subject, kept: m.flags?.has(KEPT_KEYWORD) ?? false }));
      } finally {
        lock.release();
      }
    }
    return result;
  });

const options = { doneFolder: 'Processed', limit: 10 * 1024 * 1024, readOnly: false };

describe.skipIf(!DOVECOT)('polling an IMAP mailbox', () => {
  beforeAll(async () => {
    server = await startDovecot(DOVECOT as string);
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => emptyMailbox(server));

  it('reads IMAP_URL: the folder, the port for imap and imaps, a password with escapes', () => {
    expect(imapAddressOf('imaps://fitsdata-bounces:p%40ss%2Fw@imap.gemini.edu/Bounces%2FRead')).toEqual({
      secure: true,
      host: 'imap.gemini.edu',
      port: 993,
      user: 'fitsdata-bounces',
      password: 'p@ss/w',
      folder: 'Bounces/Read',
    });
    expect(imapAddressOf('imap://u:p@127.0.0.1')).toMatchObject({ secure: false, port: 143, folder: 'INBOX' });
  });

  it('hands over each message once: done moves it, for-a-person marks it, and the next poll skips what was left', async () => {
    await asOwner(async (client) => {
      await client.append('INBOX', fixture('postfix-5.1.1-user-unknown.eml'));
      await client.append('INBOX', fixture('vacation-rfc3834.eml'));
    });
    const seen: MailboxMessage[] = [];
    await pollMailbox(imapAddressOf(server.url), options, async (message) => {
      seen.push(message);
      return seen.length === 1 ? 'done' : 'for-a-person';
    });
    expect(seen.map((m) => m.source)).toEqual([
      `imap://127.0.0.1:${server.port}/INBOX;UID=1`,
      `imap://127.0.0.1:${server.port}/INBOX;UID=2`,
    ]);
    // IMAP gives CRLF line ends whatever the Maildir keeps: the bytes are the message's.
    expect(seen[0]?.bytes.toString()).toBe(fixture('postfix-5.1.1-user-unknown.eml').toString());
    expect(await contents()).toEqual({
      INBOX: [{ subject: 'Away until 14 December', kept: true }],
      Processed: [{ subject: 'Undelivered Mail Returned to Sender', kept: false }],
    });
    let handedOver = 0;
    await pollMailbox(imapAddressOf(server.url), options, async () => {
      handedOver += 1;
      return 'done';
    });
    expect(handedOver).toBe(0);
    expect((await contents()).INBOX).toEqual([{ subject: 'Away until 14 December', kept: true }]);
  });

  it('fetches only the head of a large message, and says its size', async () => {
    const big = Buffer.concat([fixture('postfix-5.1.1-user-unknown.eml'), Buffer.alloc(3 * 1024 * 1024, 'x\r\n')]);
    await asOwner((client) => client.append('INBOX', big));
    const sizes: [number, number][] = [];
    await pollMailbox(imapAddressOf(server.url), { ...options, limit: 1024 * 1024 }, async (message) => {
      sizes.push([message.bytes.length, message.size]);
      return 'for-a-person';
    });
    expect(sizes).toEqual([[1024 * 1024, big.length]]);
  });

  it('read only: nothing is moved, marked or created', async () => {
    await asOwner((client) => client.append('INBOX', fixture('qmail.eml')));
    const read: string[] = [];
    await pollMailbox(imapAddressOf(server.url), { ...options, readOnly: true }, async (message) => {
      read.push(message.source);
      return 'done';
    });
    expect(read).toHaveLength(1);
    expect(await contents()).toEqual({ INBOX: [{ subject: 'failure notice', kept: false }] });
  });

  it('a folder deleted mid-poll: the poll stops with a line to try again later, and what was handed over stays handed over', async () => {
    await asOwner(async (client) => {
      await client.mailboxCreate('Bounces');
      for (const name of ['qmail.eml', 'yahoo.eml', 'exim-without-dsn.eml']) await client.append('Bounces', fixture(name));
    });
    const handled: string[] = [];
    const poll = pollMailbox(imapAddressOf(server.url.replace(/INBOX$/, 'Bounces')), options, async (message) => {
      handled.push(message.source);
      if (handled.length === 1) await asOwner((client) => client.mailboxDelete('Bounces'));
      return 'done';
    });
    await expect(poll).rejects.toBeInstanceOf(ImapUnavailable);
    await expect(poll).rejects.toThrow(new RegExp(`^the IMAP server 127\\.0\\.0\\.1:${server.port} failed while .*; try again later$`));
    expect(handled).toHaveLength(1);
  });

  it('an error of the caller stops the poll and comes out as it is, the message left in place', async () => {
    await asOwner((client) => client.append('INBOX', fixture('qmail.eml')));
    const database = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    await expect(
      pollMailbox(imapAddressOf(server.url), options, async () => {
        throw database;
      }),
    ).rejects.toBe(database);
    expect(await contents()).toMatchObject({ INBOX: [{ subject: 'failure notice', kept: false }] });
  });

  it('a refused login and a folder that does not exist are for a person to fix; no server is for later', async () => {
    const wrong = imapAddressOf(server.url.replace(`:${server.password}@`, ':not-the-password@'));
    await expect(pollMailbox(wrong, options, async () => 'done')).rejects.toThrow(
      new ImapRefused(`the IMAP server 127.0.0.1:${server.port} refused the login of bounces: check IMAP_URL`),
    );
    const nowhere = imapAddressOf(server.url.replace(/INBOX$/, 'Nowhere'));
    await expect(pollMailbox(nowhere, options, async () => 'done')).rejects.toBeInstanceOf(ImapRefused);
    const down = imapAddressOf('imap://u:p@127.0.0.1:9/INBOX');
    await expect(pollMailbox(down, options, async () => 'done')).rejects.toBeInstanceOf(ImapUnavailable);
  });
});
