import type http from 'node:http';
import { SinkFaults } from './faults.js';
import { createMailHogApi } from './http-api.js';
import { listen, urlHost } from './listen.js';
import type { SinkMessage } from './message.js';
import { closeSmtpServer, createSinkSmtpServer, type SinkStats, type SinkTls } from './smtp.js';
import { MessageStore } from './store.js';

/** MailHog's ports, for the `mail-sink` command. */
export const DEFAULT_SMTP_PORT = 1025;
export const DEFAULT_HTTP_PORT = 8025;

export interface MailSinkOptions {
  /** 0 (the default here) picks a free port. */
  smtpPort?: number;
  httpPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Offer STARTTLS with this certificate; without it the sink speaks only in the clear. */
  tls?: SinkTls;
  /** Offer DSN and keep the parameters clients send (`From.Params`, `To[].Params` in the API); off by default, as MailHog. */
  dsn?: boolean;
}

export interface MailSink {
  readonly smtpPort: number;
  readonly httpPort: number;
  /** http://host:httpPort, the MailHog API base (its paths start with /api). */
  readonly apiUrl: string;
  /** smtp://host:smtpPort, a nodemailer transport URL. */
  readonly smtpUrl: string;
  /** Oldest first; a snapshot. */
  messages(): readonly SinkMessage[];
  clear(): void;
  /** Inert until a test sets one. */
  readonly faults: SinkFaults;
  readonly stats: Readonly<SinkStats>;
  /** Stops both servers and cuts every open connection; calling it again is harmless. */
  close(): Promise<void>;
}

/** An SMTP server keeping every message in memory, and MailHog's HTTP API over them. */
export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const store = new MessageStore();
  const faults = new SinkFaults();
  const stats: SinkStats = { connections: 0, accepted: 0, logins: 0 };
  const smtp = createSinkSmtpServer({ store, faults, stats, tls: options.tls, dsn: options.dsn });
  const api = createMailHogApi(store);
  const smtpPort = await listen(smtp.server, options.smtpPort ?? 0, host);
  const httpPort = await listen(api, options.httpPort ?? 0, host).catch(async (error: unknown) => {
    await closeSmtpServer(smtp);
    throw error;
  });
  let closing: Promise<void> | undefined;
  return {
    smtpPort,
    httpPort,
    apiUrl: `http://${urlHost(host)}:${httpPort}`,
    smtpUrl: `smtp://${urlHost(host)}:${smtpPort}`,
    messages: () => store.all(),
    clear: () => store.clear(),
    faults,
    stats,
    close: () => (closing ??= Promise.all([closeSmtpServer(smtp), closeHttpServer(api)]).then(() => undefined)),
  };
}

function closeHttpServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // keep-alive clients would hold it open
  });
}
