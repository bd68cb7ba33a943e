import net from 'node:net';

/**
 * A TCP proxy between the job and one of its peers (PostgreSQL, the mail sink), so a test can lose
 * the connection at a moment of its choosing: `cut()` destroys every open connection, `refuse` answers
 * new ones with a reset, `blackhole` accepts them and never says a word.
 */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

/** One client connection and its upstream twin. */
export interface ProxiedConnection {
  readonly id: number;
  readonly client: net.Socket;
  /** Ends both sides after what was written has been flushed (a server closing an idle connection). */
  end(): void;
  /** Destroys both sides at once (a network cut). */
  destroy(): void;
}

export interface ProxyHooks {
  /** Sees every chunk from the client before it is forwarded as it is. */
  fromClient?(connection: ProxiedConnection, chunk: Buffer): void;
  /**
   * Called for every chunk from the server, in order: the returned promise (or value) is what to forward.
   * Chunks of one connection are forwarded in order, each after the previous one's promise settles.
   */
  fromServer?(connection: ProxiedConnection, chunk: Buffer): Buffer | null | Promise<Buffer | null>;
}

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  mode: ProxyMode;
  /** Connections accepted since start (in any mode). */
  readonly accepted: number;
  /** Destroys every open connection; the mode decides what happens to the next ones. */
  cut(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, hooks: ProxyHooks = {}): Promise<TcpProxy> {
  const connections = new Set<ProxiedConnection>();
  let accepted = 0;
  let mode: ProxyMode = 'forward';
  const server = net.createServer((client) => {
    accepted += 1;
    client.on('error', () => {});
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = mode === 'blackhole' ? undefined : net.connect(target.port, target.host);
    const connection: ProxiedConnection = {
      id: accepted,
      client,
      end() {
        client.end();
        upstream?.end();
      },
      destroy() {
        client.destroy();
        upstream?.destroy();
      },
    };
    connections.add(connection);
    client.on('close', () => {
      connections.delete(connection);
      upstream?.destroy();
    });
    if (!upstream) return;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.end());
    client.on('data', (chunk: Buffer) => {
      hooks.fromClient?.(connection, chunk);
      if (!upstream.destroyed) upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
    let queue: Promise<unknown> = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      queue = queue
        .then(async () => {
          const out = hooks.fromServer ? await hooks.fromServer(connection, chunk) : chunk;
          if (out && out.length > 0 && !client.destroyed) client.write(out);
        })
        .catch(() => connection.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return mode;
    },
    set mode(next: ProxyMode) {
      mode = next;
    },
    get accepted() {
      return accepted;
    },
    cut() {
      const count = connections.size;
      for (const connection of connections) connection.destroy();
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of connections) connection.destroy();
      }),
  };
}

/** `postgres://…@host:port/db` with host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = proxy.host;
  parsed.port = String(proxy.port);
  return parsed.toString();
}

/** A proxy in front of an HTTP peer that can hold its answers back: while held, nothing from the peer reaches the client. */
export interface Gate {
  /** The peer's URL, through the gate. */
  readonly url: string;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startGate(peerUrl: string): Promise<Gate> {
  const peer = new URL(peerUrl);
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const proxy = await startTcpProxy(
    { host: peer.hostname, port: Number(peer.port) },
    {
      fromServer: async (_connection, chunk) => {
        await gate;
        return chunk;
      },
    },
  );
  const release = () => {
    open();
    gate = Promise.resolve();
  };
  return {
    url: `${peer.protocol}//${proxy.host}:${proxy.port}`,
    hold() {
      release();
      gate = new Promise((resolve) => (open = resolve));
    },
    release,
    async close() {
      release();
      await proxy.close();
    },
  };
}
