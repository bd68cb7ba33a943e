import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { SinkFaults, SmtpReply } from './faults.js';
import { type SmtpParams, toSinkMessage } from './message.js';
import type { MessageStore } from './store.js';

/** Large enough for any notification; bigger messages get 552. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface SinkStats {
  /** SMTP connections opened since start. */
  connections: number;
  /** Messages accepted and kept since start (clear() does not reset it). */
  accepted: number;
  /** AUTH commands since start, accepted or refused. */
  logins: number;
}

/** A certificate and its key, PEM: with them the sink offers STARTTLS. */
export interface SinkTls {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

interface SmtpDeps {
  readonly store: MessageStore;
  readonly faults: SinkFaults;
  readonly stats: SinkStats;
  readonly tls?: SinkTls;
  /** Offer DSN (RFC 3461) in EHLO, and keep the RET, ENVID, NOTIFY and ORCPT a client sends. */
  readonly dsn?: boolean;
}

/** An SMTP server that keeps every message, takes any login a fault does not refuse, and injects the configured faults. */
export function createSinkSmtpServer({ store, faults, stats, tls, dsn }: SmtpDeps): SMTPServer {
  const server: SMTPServer = new SMTPServer({
    name: 'mail-sink',
    banner: 'yougotdata mail-sink',
    logger: false,
    ...(tls ? { key: tls.key, cert: tls.cert } : { disabledCommands: ['STARTTLS'] }),
    authOptional: true,
    allowInsecureAuth: true,
    // a pooled client sends many commands without logging in
    maxAllowedUnauthenticatedCommands: false,
    disableReverseLookup: true,
    hideDSN: !dsn,
    size: MAX_MESSAGE_BYTES,
    rejectOversized: true,
    onConnect(_session, callback) {
      stats.connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      stats.logins += 1;
      const refusal = faults.takeLoginReply();
      if (refusal) return callback(smtpError(refusal));
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onRcptTo(address, session, callback) {
      if (faults.takeDrop('rcpt')) return dropConnection(server, session);
      const reply = faults.takeRecipientReply(address.address);
      callback(reply && smtpError(reply));
    },
    onData(stream, session, callback) {
      if (faults.takeDrop('data')) return dropConnection(server, session);
      keep(stream, session, { store, faults, stats }).then(
        (id) => {
          const lost = faults.takeLostReply();
          if (lost === 'drop') return dropConnection(server, session);
          // 'silence': the reply is never sent, and the connection waits until the client gives up.
          if (lost !== 'silence') callback(null, `Ok: queued as ${id}`);
        },
        (error: Error) => callback(error),
      );
    },
  });
  // clients that reset or time out are routine here, not a server failure
  server.on('error', () => {});
  return server;
}

async function keep(stream: SMTPServerDataStream, session: SMTPServerSession, { store, faults, stats }: SmtpDeps): Promise<string> {
  const raw = await readAll(stream);
  const fault = faults.takeDataReply();
  if (fault) throw smtpError(fault);
  if (stream.sizeExceeded) throw smtpError({ code: 552, message: 'message exceeds fixed maximum message size' });
  const { mailFrom, rcptTo } = session.envelope;
  const message = await toSinkMessage({
    envelope: {
      from: mailFrom ? mailFrom.address : '',
      to: rcptTo.map((r) => r.address),
      fromParams: paramsOf(mailFrom),
      toParams: rcptTo.map(paramsOf),
    },
    // typed string, but false until the client has greeted
    helo: session.hostNameAppearsAs || '',
    secure: session.secure,
    raw,
  });
  store.add(message);
  stats.accepted += 1;
  return message.id;
}

/** smtp-server types `args` as false when a command had none. */
const paramsOf = (address: SMTPServerAddress | false): SmtpParams => ({ ...(address ? address.args || {} : {}) });

async function readAll(stream: SMTPServerDataStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function smtpError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

/** Destroys the client's socket with no reply, as a crashed or cut-off server would. */
function dropConnection(server: SMTPServer, session: SMTPServerSession): void {
  for (const connection of server.connections) {
    if (connection.session === session) connection._socket.destroy();
  }
}

/** Closes the listener and every open client connection at once (smtp-server alone waits up to 30 s). */
export function closeSmtpServer(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const connection of server.connections) connection._socket.destroy();
  });
}
