/**
 * The private Dovecot the bounce reader will read through IMAP: imapflow logs in, appends a bounce, lists the
 * folders, and moves the message to a "done" folder, as `bounce --imap` will; the Maildir on disk agrees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDovecot, type PrivateDovecot, startDovecot } from './dovecot.js';

const DOVECOT = findDovecot();
const BOUNCE = readFileSync(new URL('../fixtures/bounces/postfix-5.1.1-user-unknown.eml', import.meta.url));

let server: PrivateDovecot;
const client = (password = server.password) =>
  new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user: server.user, pass: password }, logger: false });

describe.skipIf(!DOVECOT)('a private Dovecot', () => {
  beforeAll(async () => {
    server = await startDovecot(DOVECOT as string);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets imapflow log in, append, list and move a message between folders', async () => {
    const imap = client();
    await imap.connect();
    try {
      const appended = await imap.append('INBOX', BOUNCE, ['\\Recent']);
      expect(appended ? appended.uid : 0).toBeGreaterThan(0);
      await imap.mailboxCreate('Processed');
      const folders = (await imap.list()).map((folder) => folder.path).sort();
      expect(folders).toEqual(['INBOX', 'Processed']);

      const lock = await imap.getMailboxLock('INBOX');
      try {
        const [message] = await imap.fetchAll('1:*', { envelope: true, source: true });
        expect(message?.envelope?.subject).toBe('Undelivered Mail Returned to Sender');
        expect(message?.envelope?.to?.[0]?.address).toBe('fitsdata-bounces+1-0-4881184a4ce0b72a@gemini.test');
        expect(message?.source?.equals(BOUNCE)).toBe(true);
        const moved = await imap.messageMove('1:*', 'Processed');
        expect(moved ? moved.uidMap?.size : 0).toBe(1);
      } finally {
        lock.release();
      }
      expect(await imap.status('INBOX', { messages: true })).toMatchObject({ messages: 0 });
      expect(await imap.status('Processed', { messages: true })).toMatchObject({ messages: 1 });
    } finally {
      await imap.logout();
    }
    // Dovecot's Maildir++ layout: the moved message is one file under .Processed, and the inbox holds none.
    const files = (folder: string) =>
      ['new', 'cur'].flatMap((sub) => readdirSync(join(folder, sub)).map((name) => join(folder, sub, name)));
    expect(files(server.maildir)).toEqual([]);
    const moved = files(join(server.maildir, '.Processed'));
    expect(moved).toHaveLength(1);
    // Dovecot keeps Maildir files with bare LF line ends.
    expect(readFileSync(moved[0] as string, 'utf8')).toBe(BOUNCE.toString('utf8').replace(/\r\n/g, '\n'));
  });

  it('refuses a wrong password', async () => {
    const imap = client('not the password');
    await expect(imap.connect()).rejects.toMatchObject({ authenticationFailed: true });
    expect(server.log()).toMatch(/auth|Disconnected/i);
  });
});
