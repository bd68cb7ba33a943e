/**
 * `check-smtp`'s core, the SMTP probe: connects to the SMTP server as the job does (TLS and auth as configured) and tells what the
 * server answered, line by line through `out`; sends one short test message when asked. Credentials never appear.
 */
import { format } from 'node:util';
import nodemailer from 'nodemailer';
import { type Address, asciiAddress, type EmailAddress } from '../addresses/index.js';
import { maskCredentials } from '../text/credentials.js';
import type { BounceTokens } from './bounce-token.js';
import { type DkimSigning, dkimZoneLine } from './dkim.js';
import { messageIdFor } from './message.js';
import { describeSmtpFailure, type SmtpFailure } from './smtp-failure.js';
import { dkimOption, plainAddress, transportOptions } from './smtp-mailer.js';

export interface SmtpProbeOptions {
  smtpUrl: string;
  timeoutMs: number;
  bounces?: BounceTokens | null;
  dkim?: DkimSigning | null;
  /** Also send a test message. */
  test?: { from: Address; to: EmailAddress; now: Date };
}

/** One line of the SMTP conversation: S the server, C this client (nodemailer writes credentials as "/* secret *\/"). */
interface Line {
  who: 'S' | 'C' | '*';
  text: string;
}

/** A bunyan-style logger keeping the conversation nodemailer reports with `debug: true`. */
function conversationLogger(lines: Line[]) {
  // From AUTH to the server's verdict, what the client sends is credentials, even masked: shown as such.
  let authenticating = false;
  const keep = (data: unknown, message: unknown, ...args: unknown[]) => {
    const tnx = (data as { tnx?: string } | undefined)?.tnx;
    const text = typeof message === 'string' ? format(message, ...args) : String(message);
    if (tnx === 'client') {
      const auth = /^AUTH\s+(\S+)/i.exec(text);
      if (auth) authenticating = true;
      lines.push({ who: 'C', text: auth ? `AUTH ${auth[1]} (credentials not shown)` : authenticating ? '(credentials not shown)' : text });
    } else if (tnx === 'server') {
      const parts = text.split(/\r?\n/);
      if (authenticating && !parts.some((part) => part.startsWith('334'))) authenticating = false;
      for (const part of parts) lines.push({ who: 'S', text: part });
    } else if (tnx === 'network' && /established to/.test(text)) {
      lines.push({ who: '*', text });
    }
  };
  return Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, keep]));
}

/** Prints what the server answered through `out`; resolves to null when all is well, or the reason it is not. */
export async function probeSmtp(options: SmtpProbeOptions, out: (line: string) => void): Promise<string | null> {
  const { smtpUrl, timeoutMs, test, bounces, dkim } = options;
  const url = new URL(smtpUrl);
  const lines: Line[] = [];
  const transport = nodemailer.createTransport({
    ...transportOptions(smtpUrl, timeoutMs),
    dkim: dkimOption(dkim),
    logger: conversationLogger(lines) as never,
    debug: true,
  });
  const printConversation = () => {
    for (const line of lines.splice(0)) out(line.who === '*' ? `  ${line.text}` : `  ${line.who}: ${line.text}`);
  };
  try {
    out(`SMTP_URL   ${maskCredentials(url.href)}`);
    out('Conversation:');
    try {
      await transport.verify();
    } catch (error) {
      printConversation();
      return describeSmtpFailure(error as SmtpFailure, timeoutMs);
    }
    const said = [...lines];
    printConversation();
    const clientSaid = (command: RegExp) => said.some((line) => line.who === 'C' && command.test(line.text));
    const tls =
      url.protocol === 'smtps:'
        ? 'yes, from the start (smtps)'
        : clientSaid(/^STARTTLS\b/i)
          ? 'yes, upgraded with STARTTLS'
          : 'no: the connection is not encrypted (the server offered no STARTTLS)';
    out(`TLS        ${tls}`);
    const user = decodeURIComponent(url.username);
    out(`Auth       ${user ? `accepted for ${JSON.stringify(user)}` : 'none configured (SMTP_URL names no user)'}`);
    const dsn = said.some((line) => line.who === 'S' && /^250[- ]DSN\s*$/i.test(line.text));
    out(
      bounces
        ? `Bounces    to ${bounces.address} with a token per recipient (${bounces.senderFor(1, 0).replace(/\+.*@/, '+<row>-<recipient>-<hmac>@')}); ` +
            (dsn
              ? 'the server offers DSN: delivery reports are asked for'
              : 'the server does not offer DSN: bounces come without ENVID or ORCPT')
        : 'Bounces    to the From address (BOUNCE_ADDRESS not set)',
    );
    out(
      dkim
        ? `DKIM       signing for ${dkim.domainName} with selector ${dkim.keySelector}; the DNS record to publish:\n  ${dkimZoneLine(dkim)}`
        : 'DKIM       not signed by the job (DKIM_DOMAIN not set): the relay may sign',
    );
    if (!test) {
      out('OK: the server greets, and accepts this client; nothing was sent (add --to ADDR to send a test message).');
      return null;
    }
    const { from, to, now } = test;
    const info = await transport
      .sendMail({
        from: { name: from.name ?? '', address: asciiAddress(from.address) },
        envelope: { from: bounces?.address ?? asciiAddress(from.address), to: [asciiAddress(to)] },
        to: asciiAddress(to),
        subject: 'yougotdata check-smtp: test message',
        text:
          `A test message from yougotdata check-smtp, sent ${now.toISOString()} through ${maskCredentials(url.href)}.\n` +
          `Nothing to do: it only shows that mail from ${from.address} reaches ${to}.\n`,
        messageId: messageIdFor(['check-smtp', now.getTime()], from),
        date: now,
      })
      .catch((error: unknown) => error as SmtpFailure);
    if (info instanceof Error) {
      printConversation();
      return `sending the test message to ${to}: ${describeSmtpFailure(info, timeoutMs)}`;
    }
    const rejected = (info.rejected as (string | { address: string })[]).map(plainAddress);
    if (rejected.length > 0) return `the server refused ${rejected.join(', ')}: ${info.response ?? ''}`.trim();
    out(`OK: test message from ${from.address} to ${to} accepted: ${String(info.response ?? '').trim()} (Message-ID ${info.messageId})`);
    return null;
  } finally {
    transport.close();
  }
}
