import type net from 'node:net';

/** Starts listening; resolves with the bound port (port 0 picks a free one). */
export function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('not listening on TCP'));
      resolve(address.port);
    });
  });
}

/** An IPv6 literal needs brackets inside a URL. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
