/**
 * A private Postfix (Debian's `postfix`) on loopback, between the job and the mail sink playing "the internet": its
 * own config, queue and data folders in a temp folder, its own port, started with `postfix -c DIR start` and stopped
 * after; the system's Postfix is never used. It relays everything, the bounces it writes included, to one host and
 * port; mail for `pipe.domain` instead goes to a command through a `pipe` transport, as a site's transport map would
 * hand a bounce to `yougotdata bounce`, and mail for `aliases.domain` is delivered locally through an aliases file,
 * whose `|command` lines local(8) runs as an `/etc/aliases` line does (docs/sending.md#receiving-bounces).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { debianTool, waitForPort } from './tools.js';

const run = promisify(execFile);

/** The postfix command, or null (skipped with a line saying what to install; CI fails instead). */
export const findPostfix = () => debianTool(['/usr/sbin/postfix'], 'postfix');

export interface PostfixOptions {
  /** Where everything is relayed: the mail sink's SMTP port on 127.0.0.1. */
  relayPort: number;
  /** Mail for this domain goes to `argv` (run as `user`, the message on stdin) instead of the relay. */
  pipe?: { domain: string; argv: readonly string[]; user?: string };
  /**
   * Mail for this domain is delivered by local(8) through these aliases (`name: "|command"` lines), with `+`
   * sub-addressing; commands run as nobody (the aliases file is root's), with RECIPIENT, EXTENSION and the rest set.
   */
  aliases?: { domain: string; lines: readonly string[] };
}

export interface PrivatePostfix {
  /** smtp://127.0.0.1:port: where the job submits. */
  readonly smtpUrl: string;
  readonly port: number;
  readonly dir: string;
  /** The instance's log (maillog_file): each delivery, bounce and refusal. */
  log(): string;
  /** Waits until the queue is empty: everything delivered or bounced, and the bounces delivered too. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The services a relay needs, none chrooted (the instance's folders are not laid out for a chroot). */
const services = (port: number) => `127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
local     unix  -       n       n       -       -       local
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

/** Starts a private Postfix; `postfix` is findPostfix()'s answer. */
export async function startPostfix(postfix: string, options: PostfixOptions): Promise<PrivatePostfix> {
  const dir = mkdtempSync(join(tmpdir(), 'ygd-postfix-'));
  // Postfix's daemons run as the postfix user: they must reach the folders below.
  chmodSync(dir, 0o755);
  const config = join(dir, 'etc');
  mkdirSync(config);
  const port = await freePort();
  const { pipe, aliases } = options;
  const aliasFile = join(dir, 'aliases');
  const main = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    maillog_file: join(dir, 'maillog'),
    // Postfix refuses a log file outside these folders (default /var and /dev/stdout).
    maillog_file_prefixes: dir,
    myhostname: 'relay.yougotdata.test',
    mydomain: 'yougotdata.test',
    myorigin: '$myhostname',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    mydestination: aliases ? aliases.domain : '',
    local_recipient_maps: '',
    alias_maps: aliases ? `hash:${aliasFile}` : '',
    alias_database: aliases ? `hash:${aliasFile}` : '',
    recipient_delimiter: '+',
    default_privs: 'nobody',
    relay_domains: pipe ? pipe.domain : '',
    smtpd_relay_restrictions: 'permit_mynetworks, reject',
    relayhost: `[127.0.0.1]:${options.relayPort}`,
    smtp_dns_support_level: 'disabled',
    transport_maps: pipe ? `inline:{ ${pipe.domain}=bouncepipe: }` : '',
    // One message per recipient to the command, as an aliases pipe gets it.
    ...(pipe && { bouncepipe_destination_recipient_limit: '1' }),
    smtpd_tls_security_level: 'none',
    smtp_tls_security_level: 'none',
    biff: 'no',
    // Nothing waits: a refused recipient is bounced at once, and a sink that is down is retried soon.
    minimal_backoff_time: '1s',
    maximal_backoff_time: '2s',
    queue_run_delay: '1s',
    smtp_connect_timeout: '5s',
  };
  writeFileSync(
    join(config, 'main.cf'),
    Object.entries(main)
      .map(([key, value]) => `${key} = ${value}`)
      .join('\n')
      .concat('\n'),
  );
  // pipe(8): flags R adds Return-Path, O the Original-Recipient; F and D the From_ and Delivered-To lines.
  const pipeService = pipe ? `bouncepipe unix - n n - - pipe\n  flags=DRO user=${pipe.user ?? 'nobody'} argv=${pipe.argv.join(' ')}\n` : '';
  writeFileSync(join(config, 'master.cf'), services(port) + pipeService);
  const postfixAt = (args: string[]) => run(postfix, ['-c', config, ...args], { env: { PATH: process.env.PATH ?? '' } });
  // `postfix check` (run by start) makes the queue's subfolders; the data folder is the postfix user's.
  mkdirSync(main.queue_directory);
  mkdirSync(main.data_directory);
  if (aliases) {
    writeFileSync(aliasFile, `${aliases.lines.join('\n')}\n`);
    await run('/usr/sbin/postalias', ['-c', config, aliasFile], { env: { PATH: process.env.PATH ?? '' } });
  }
  await run('chown', ['postfix', main.data_directory]);
  await postfixAt(['start']);
  await waitForPort(port, 'Postfix');
  const log = () => {
    try {
      return readFileSync(main.maillog_file, 'utf8');
    } catch {
      return '';
    }
  };
  let stopped: Promise<void> | undefined;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    port,
    dir,
    log,
    async drained(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      const env = { PATH: process.env.PATH ?? '' };
      for (let round = 1; ; round += 1) {
        const { stdout } = await run('/usr/sbin/postqueue', ['-c', config, '-j'], { env });
        if (stdout.trim() === '') return;
        if (Date.now() > deadline) throw new Error(`Postfix's queue is not empty after ${timeoutMs} ms:\n${stdout}\n${log()}`);
        // A message deferred while the queue manager scanned it ("skipped, still being delivered") can wait in the
        // queue past any backoff: a flush every two seconds has it tried again, as the next queue run would.
        if (round % 10 === 0) await run('/usr/sbin/postqueue', ['-c', config, '-f'], { env });
        await sleep(200);
      }
    },
    stop: () =>
      (stopped ??= (async () => {
        const master = masterPid(main.queue_directory);
        await postfixAt(['stop']).catch(() => {});
        // `postfix stop` returns before the master has gone; never leave one behind.
        for (let i = 0; master && alive(master) && i < 50; i += 1) await sleep(100);
        if (master && alive(master)) process.kill(master, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

function masterPid(queue: string): number | null {
  try {
    return Number.parseInt(readFileSync(join(queue, 'pid', 'master.pid'), 'utf8').trim(), 10) || null;
  } catch {
    return null;
  }
}

/** Running, not a zombie: the master detaches, and in a container nobody may reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
