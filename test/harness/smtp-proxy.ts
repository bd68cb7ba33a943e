import { setTimeout as sleep } from 'node:timers/promises';
import { type ProxiedConnection, startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * A TCP proxy in front of the mail sink that reads the SMTP conversation, so a test can act at an exact
 * moment of a submission: when the client sends DATA, when it has sent the whole message (its final dot), when the
 * sink has accepted a message (its
 * "250 … queued as" reply, before the client sees it), or just after the client got that reply.
 * It can hold the acceptance back (the window in which a crash leaves a message delivered but not
 * known to be), and close connections between messages (a server dropping idle connections).
 */
export interface SmtpProxyOptions {
  /** Hold every "250 … queued as" reply this long before the client sees it. */
  holdAcceptanceMs?: number;
  /** Called when the client sends its n-th DATA command (1-based): the message is about to be transmitted. */
  onData?(n: number): void;
  /** Called when the client has sent the whole of its n-th message, final dot included: only the reply is to come. */
  onDataEnd?(n: number): void;
  /** Called when the sink has accepted its n-th message, before the client is told; `reply` ends with the sink's id for it. */
  onAccepted?(n: number, reply: string): void;
  /** Called when the client has been told of the n-th acceptance. */
  onAcceptanceForwarded?(n: number): void;
}

export interface SmtpProxy {
  readonly url: string;
  readonly tcp: TcpProxy;
  /** DATA commands seen, whole messages sent, acceptances seen from the sink, acceptances forwarded to the client. */
  readonly counts: { data: number; dataEnd: number; accepted: number; forwarded: number };
  /** Closes each connection right after its client has been told of an acceptance, `times` times. */
  closeAfterAcceptance(times: number): void;
  /**
   * Keeps the acceptance from the client and ends the connection instead, `times` times (Infinity: always): the
   * server has the message, the client only sees the connection close, as when a reply is lost.
   */
  swallowAcceptance(times: number): void;
  close(): Promise<void>;
}

const ACCEPTED = /^250[ -].*queued as/i;
const END_OF_DATA = '\r\n.\r\n';

interface Conversation {
  /** Client bytes not yet read as a command line. */
  commands: string;
  /** Server bytes not yet read as a reply line. */
  replies: string;
  /** After the 354 reply to DATA: the client is transmitting the message, whose lines are not commands. */
  inData: boolean;
  /** The last bytes of the message, to find the end-of-data dot across chunks. */
  tail: string;
}

export async function startSmtpProxy(sink: { smtpPort: number }, options: SmtpProxyOptions = {}): Promise<SmtpProxy> {
  const counts = { data: 0, dataEnd: 0, accepted: 0, forwarded: 0 };
  const conversations = new Map<number, Conversation>();
  let closeAfter = 0;
  let swallow = 0;
  const conversationOf = (connection: ProxiedConnection): Conversation => {
    let conversation = conversations.get(connection.id);
    if (!conversation) {
      conversation = { commands: '', replies: '', inData: false, tail: '' };
      conversations.set(connection.id, conversation);
      connection.client.on('close', () => conversations.delete(connection.id));
    }
    return conversation;
  };

  const tcp = await startTcpProxy(
    { host: '127.0.0.1', port: sink.smtpPort },
    {
      fromClient(connection, chunk) {
        const conversation = conversationOf(connection);
        let text = chunk.toString('latin1');
        if (conversation.inData) {
          const seen = conversation.tail + text;
          const end = seen.indexOf(END_OF_DATA);
          if (end === -1) {
            conversation.tail = seen.slice(-(END_OF_DATA.length - 1));
            return;
          }
          conversation.inData = false;
          text = seen.slice(end + END_OF_DATA.length);
          counts.dataEnd += 1;
          options.onDataEnd?.(counts.dataEnd);
        }
        conversation.commands += text;
        for (let newline = conversation.commands.indexOf('\r\n'); newline !== -1; newline = conversation.commands.indexOf('\r\n')) {
          const line = conversation.commands.slice(0, newline).toUpperCase();
          conversation.commands = conversation.commands.slice(newline + 2);
          if (line !== 'DATA') continue;
          // Counted apart from the call: `f?.(++n)` skips the increment when there is no f.
          counts.data += 1;
          options.onData?.(counts.data);
        }
      },
      async fromServer(connection, chunk) {
        const conversation = conversationOf(connection);
        conversation.replies += chunk.toString('latin1');
        const out: string[] = [];
        for (let newline = conversation.replies.indexOf('\r\n'); newline !== -1; newline = conversation.replies.indexOf('\r\n')) {
          const line = conversation.replies.slice(0, newline + 2);
          conversation.replies = conversation.replies.slice(newline + 2);
          if (line.startsWith('354')) {
            conversation.inData = true;
            conversation.tail = '\r\n';
          }
          if (!ACCEPTED.test(line)) {
            out.push(line);
            continue;
          }
          counts.accepted += 1;
          options.onAccepted?.(counts.accepted, line.trim());
          if (out.length > 0) connection.client.write(Buffer.from(out.splice(0).join(''), 'latin1'));
          if (swallow > 0) {
            swallow -= 1;
            connection.end();
            return null;
          }
          if (options.holdAcceptanceMs) await sleep(options.holdAcceptanceMs);
          if (connection.client.destroyed) return null;
          connection.client.write(Buffer.from(line, 'latin1'));
          counts.forwarded += 1;
          options.onAcceptanceForwarded?.(counts.forwarded);
          if (closeAfter > 0) {
            closeAfter -= 1;
            connection.end();
            return null;
          }
        }
        return out.length > 0 ? Buffer.from(out.join(''), 'latin1') : null;
      },
    },
  );

  return {
    url: `smtp://127.0.0.1:${tcp.port}`,
    tcp,
    counts,
    closeAfterAcceptance(times) {
      closeAfter = times;
    },
    swallowAcceptance(times) {
      swallow = times;
    },
    close: () => tcp.close(),
  };
}
