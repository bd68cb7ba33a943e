/**
 * The bounce mailbox over IMAP (imapflow), for `bounce --imap`: each message of the folder in IMAP_URL is handed to
 * the caller, which says whether it is done with (moved to IMAP_DONE_FOLDER) or is for a person (left where it is,
 * with a keyword so the next poll skips it). Nothing is ever deleted. A message is moved only after the caller has
 * recorded it, so a crash in between leaves it to be read again, which records nothing twice.
 */
import { ImapFlow } from 'imapflow';
import { ImapRefused, ImapUnavailable } from './failures.js';
import type { MessageHead } from './message-stream.js';

/** What IMAP_URL names: a server, a login and a folder. */
export interface ImapAddress {
  secure: boolean;
  host: string;
  port: number;
  user: string;
  password: string;
  folder: string;
}

/** Marks a message left for a person, so polls do not read it again and again. */
export const KEPT_KEYWORD = '$YougotdataKept';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** IMAP_URL read: `imaps://user:password@host[:port]/FOLDER` (default port 993, or 143 for `imap://`; folder INBOX). */
export function imapAddressOf(url: string): ImapAddress {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const folder = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'INBOX';
  return {
    secure,
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    folder,
  };
}

/** A message as the poll hands it over; `source` names it without the login. */
export interface MailboxMessage extends MessageHead {
  source: string;
}

export type Disposition = 'done' | 'for-a-person';

/** What imapflow's errors mean for the operator: a refusal to fix, or a server to try again later. */
function failureOf(error: unknown, address: ImapAddress, doing: string): Error {
  if (error instanceof ImapRefused || error instanceof ImapUnavailable) return error;
  const e = error as {
    authenticationFailed?: boolean;
    serverResponseCode?: string;
    responseText?: string;
    message?: string;
    code?: string;
  };
  const server = `${address.host}:${address.port}`;
  if (e.authenticationFailed) return new ImapRefused(`the IMAP server ${server} refused the login of ${address.user}: check IMAP_URL`);
  if (e.serverResponseCode === 'NONEXISTENT' || /does ?n[o']t exist|unknown mailbox|no such mailbox/i.test(e.responseText ?? '')) {
    return new ImapRefused(`the IMAP server ${server} has no folder ${JSON.stringify(address.folder)} (${doing}): check IMAP_URL`);
  }
  const why = e.responseText ?? e.message ?? String(error);
  return new ImapUnavailable(`the IMAP server ${server} failed while ${doing}: ${why}; try again later`);
}

export interface PollOptions {
  doneFolder: string;
  /** At most this much of a message is fetched. */
  limit: number;
  /** Read only (a dry run): nothing is moved, marked or created, whatever `handle` says. */
  readOnly: boolean;
}

/**
 * Hands each message of the folder not yet left for a person to `handle`, one at a time, and moves or marks it as
 * `handle` says. An error of `handle` (the database gone) stops the poll and is thrown as it is.
 */
export async function pollMailbox(
  address: ImapAddress,
  options: PollOptions,
  handle: (message: MailboxMessage) => Promise<Disposition>,
): Promise<void> {
  const client = new ImapFlow({
    host: address.host,
    port: address.port,
    secure: address.secure,
    // A password never crosses the network in the clear: STARTTLS is required except on this machine.
    doSTARTTLS: address.secure ? undefined : LOOPBACK.has(address.host) ? undefined : true,
    auth: { user: address.user, pass: address.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
  });
  // A dropped connection is reported by the command it breaks; without a listener it would crash the process.
  client.on('error', () => {});
  let doing = 'connecting';
  try {
    await client.connect();
    if (!options.readOnly) {
      doing = `creating the folder ${JSON.stringify(options.doneFolder)}`;
      const folders = await client.list();
      if (!folders.some((f) => f.path === options.doneFolder)) await client.mailboxCreate(options.doneFolder);
    }
    doing = `opening ${JSON.stringify(address.folder)}`;
    const lock = await client.getMailboxLock(address.folder, { readOnly: options.readOnly });
    try {
      const mailbox = client.mailbox === false ? null : client.mailbox;
      const keywords = mailbox?.permanentFlags === undefined || mailbox.permanentFlags.has('\\*');
      doing = `searching ${JSON.stringify(address.folder)}`;
      // What an earlier poll left for a person is skipped, where the server keeps keywords.
      const uids = (await client.search(keywords ? { unKeyword: KEPT_KEYWORD } : { all: true }, { uid: true })) || [];
      for (const uid of uids) {
        doing = `fetching message UID ${uid}`;
        const fetched = await client.fetchOne(String(uid), { uid: true, size: true, source: { maxLength: options.limit } }, { uid: true });
        // Gone since the search: another reader moved it.
        const message = fetched === false ? null : fetched;
        if (!message?.source) continue;
        const source = `imap://${address.host}:${address.port}/${encodeURIComponent(address.folder)};UID=${uid}`;
        const disposition = await handle({ bytes: message.source, size: message.size ?? message.source.length, source }).catch(
          (cause: unknown) => {
            throw new FromHandler('handling a message failed', { cause });
          },
        );
        if (options.readOnly) continue;
        if (disposition === 'done') {
          doing = `moving message UID ${uid} to ${JSON.stringify(options.doneFolder)}`;
          await client.messageMove(String(uid), options.doneFolder, { uid: true });
        } else if (keywords) {
          doing = `marking message UID ${uid}`;
          await client.messageFlagsAdd(String(uid), [KEPT_KEYWORD], { uid: true });
        }
      }
    } finally {
      lock.release();
    }
    await client.logout();
  } catch (error) {
    client.close();
    if (error instanceof FromHandler) throw error.cause;
    throw failureOf(error, address, doing);
  }
}

/** An error of the caller's `handle` (the database), passed through as it is. */
class FromHandler extends Error {}
