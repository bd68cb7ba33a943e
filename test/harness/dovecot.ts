/**
 * A private Dovecot IMAP server (Debian's `dovecot-imapd`) on loopback: one user with a Maildir, its config, sockets,
 * state and log in a temp folder, run in the foreground as a child of the test and stopped after. The system's
 * Dovecot is never used. It stands in for the mailbox the bounce address delivers to.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { debianTool, waitForPort } from './tools.js';

/** The dovecot command, or null (skipped with a line saying what to install; CI fails instead). */
export const findDovecot = () => debianTool(['/usr/sbin/dovecot'], 'dovecot-imapd');

export interface PrivateDovecot {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `imap://user:password@127.0.0.1:port/INBOX`: the form IMAP_URL will take. */
  readonly url: string;
  /** The user's Maildir: messages can be put there, or read, without IMAP. */
  readonly maildir: string;
  /** Dovecot's log. */
  log(): string;
  stop(): Promise<void>;
}

/** The mail user's files belong to nobody: Dovecot will not serve mail as root. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;

/** Starts a private Dovecot; `dovecot` is findDovecot()'s answer. */
export async function startDovecot(dovecot: string, user = 'bounces', password = 'bounce-reader'): Promise<PrivateDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'ygd-dovecot-'));
  // Dovecot's own processes run as its users: they must reach the folders below.
  chmodSync(dir, 0o755);
  for (const folder of ['run', 'state', 'home']) mkdirSync(join(dir, folder));
  const home = join(dir, 'home', user);
  const maildir = join(home, 'Maildir');
  for (const folder of [home, maildir, ...['cur', 'new', 'tmp'].map((f) => join(maildir, f))]) mkdirSync(folder, { recursive: true });
  await promisify(execFile)('chown', ['-R', `${MAIL_UID}:${MAIL_GID}`, home]);
  const port = await freePort();
  const users = join(dir, 'users');
  writeFileSync(users, `${user}:{PLAIN}${password}:${MAIL_UID}:${MAIL_GID}::${home}::\n`);
  const logFile = join(dir, 'dovecot.log');
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    `base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${logFile}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${users}
}
userdb {
  driver = passwd-file
  args = ${users}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`,
  );
  const child: ChildProcess = spawn(dovecot, ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await waitForPort(port, 'Dovecot', () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}${log()}`);
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    maildir,
    log,
    stop,
  };
}

/** Runs `work` logged in to the server as the mailbox's owner, with imapflow. */
export async function asMailboxOwner<T>(server: PrivateDovecot, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user: server.user, pass: server.password },
    logger: false,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout();
  }
}

/** Every folder but INBOX deleted, and every message of INBOX: a mailbox as a test starts from. */
export function emptyMailbox(server: PrivateDovecot): Promise<void> {
  return asMailboxOwner(server, async (client) => {
    for (const folder of await client.list()) if (folder.path !== 'INBOX') await client.mailboxDelete(folder.path);
    const lock = await client.getMailboxLock('INBOX');
    try {
      await client.messageDelete('1:*');
    } finally {
      lock.release();
    }
  });
}
