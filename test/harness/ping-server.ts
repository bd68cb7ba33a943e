import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the monitor received it. */
export interface RecordedPing {
  method: string;
  /** As received: path and query. */
  path: string;
  /** The path alone, e.g. `/ping/check-key/start`. */
  pathname: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: string;
  /** When its body had arrived, ms since the epoch (as the archive stand-in stamps its requests). */
  at: number;
}

/** A stand-in for healthchecks.io on a free port of 127.0.0.1, recording every request. */
export interface PingServer {
  /** The check's URL: `http://127.0.0.1:<port>/ping/check-key`. */
  url: string;
  origin: string;
  requests: RecordedPing[];
  close(): Promise<void>;
}

/**
 * Starts the stand-in; `answer` gives the status of the nth request (from 1), null to never answer it (a hung
 * monitor: the socket stays open until the client gives up or the server closes), or a promise of either, to answer
 * when the test says.
 */
export async function startPingServer(
  answer: (request: number, ping: RecordedPing) => number | null | Promise<number | null> = () => 200,
): Promise<PingServer> {
  const requests: RecordedPing[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://monitor');
      const ping: RecordedPing = {
        method: req.method ?? '',
        path: req.url ?? '',
        pathname: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(ping);
      const status = await answer(requests.length, ping);
      if (status === null || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'OK' : 'oops');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ping/check-key`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: one the system gave, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
