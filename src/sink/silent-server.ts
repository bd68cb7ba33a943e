import net from 'node:net';
import { listen, urlHost } from './listen.js';

/** A TCP server that accepts connections and never says a word: an SMTP peer that hangs before its greeting. */
export interface SilentSmtpServer {
  readonly port: number;
  /** smtp://host:port */
  readonly url: string;
  /** Connections accepted since start. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startSilentSmtpServer(options: { port?: number; host?: string } = {}): Promise<SilentSmtpServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {}); // a client giving up mid-wait is the expected outcome
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, options.port ?? 0, host);
  return {
    port,
    url: `smtp://${urlHost(host)}:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
