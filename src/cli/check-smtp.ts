import { format } from 'node:util';
import nodemailer from 'nodemailer';
import { type Address, asciiAddress, type EmailAddress, parseAddresses, parseEmailAddress } from '../addresses/index.js';
import { maskSecrets, maskUrl, required, SettingError } from '../config/settings.js';
import { describeSmtpFailure, type SmtpFailure } from '../mail/smtp-failure.js';
import { plainAddress, transportOptions } from '../mail/smtp-mailer.js';
import { type CommandContext, EXIT, exitCodeForError, settingsOf } from './context.js';

export interface CheckSmtpOptions {
  to?: string;
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

function oneFrom(text: string): Address {
  const parsed = parseAddresses(text);
  const first = parsed.addresses[0];
  if (!first || parsed.addresses.length > 1 || parsed.rejected.length > 0) {
    throw new SettingError('EMAIL_FROM', `must be one email address, e.g. "Gemini Archive <archive@gemini.edu>" (got "${text}")`);
  }
  return first;
}

/**
 * `yougotdata check-smtp [--to ADDR]`: connects to SMTP_URL as the job does (TLS and auth as configured) and
 * prints what the server answered; sends nothing unless --to, then one short test message from EMAIL_FROM.
 */
export async function checkSmtpCommand(options: CheckSmtpOptions, context: CommandContext): Promise<number> {
  const secrets = [context.env.SMTP_URL];
  const out = (line: string) => context.stdout.write(`${maskSecrets(line, secrets)}\n`);
  const fail = (reason: string) => {
    context.stderr.write(`yougotdata: check-smtp failed: ${maskSecrets(reason, secrets)}\n`);
    return EXIT.failed;
  };
  let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
  try {
    const settings = settingsOf(context);
    secrets.push(settings.SMTP_URL);
    let to: EmailAddress | undefined;
    let from: Address | undefined;
    if (options.to !== undefined) {
      const address = parseEmailAddress(options.to.trim());
      if (!address) {
        context.stderr.write(`yougotdata: --to must be one email address (got ${JSON.stringify(options.to)})\n`);
        return EXIT.usage;
      }
      to = address;
      from = oneFrom(required(settings, 'EMAIL_FROM'));
    }
    const url = new URL(settings.SMTP_URL);
    const lines: Line[] = [];
    transport = nodemailer.createTransport({
      ...transportOptions(settings.SMTP_URL, settings.SMTP_TIMEOUT_MS),
      logger: conversationLogger(lines) as never,
      debug: true,
    });
    out(`SMTP_URL   ${maskUrl(settings.SMTP_URL)}`);
    const printConversation = () => {
      for (const line of lines.splice(0)) out(line.who === '*' ? `  ${line.text}` : `  ${line.who}: ${line.text}`);
    };
    out('Conversation:');
    try {
      await transport.verify();
    } catch (error) {
      printConversation();
      return fail(describeSmtpFailure(error as SmtpFailure, settings.SMTP_TIMEOUT_MS));
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
    if (!to || !from) {
      out('OK: the server greets, and accepts this client; nothing was sent (add --to ADDR to send a test message).');
      return EXIT.ok;
    }
    const now = context.now();
    const domain = from.address.split('@')[1] ?? 'localhost';
    const info = await transport
      .sendMail({
        from: { name: from.name ?? '', address: asciiAddress(from.address) },
        to: asciiAddress(to),
        subject: 'yougotdata check-smtp: test message',
        text: `A test message from yougotdata check-smtp, sent ${now.toISOString()} through ${maskUrl(settings.SMTP_URL)}.\nNothing to do: it only shows that mail from ${from.address} reaches ${to}.\n`,
        messageId: `<yougotdata.check-smtp.${now.getTime()}@${domain}>`,
        date: now,
      })
      .catch((error: unknown) => error as SmtpFailure);
    if (info instanceof Error) {
      printConversation();
      return fail(`sending the test message to ${to}: ${describeSmtpFailure(info, settings.SMTP_TIMEOUT_MS)}`);
    }
    lines.splice(0);
    const rejected = (info.rejected as (string | { address: string })[]).map(plainAddress);
    if (rejected.length > 0) return fail(`the server refused ${rejected.join(', ')}: ${info.response ?? ''}`.trim());
    out(`OK: test message from ${from.address} to ${to} accepted: ${String(info.response ?? '').trim()} (Message-ID ${info.messageId})`);
    return EXIT.ok;
  } catch (error) {
    return exitCodeForError(error, context);
  } finally {
    transport?.close();
  }
}
