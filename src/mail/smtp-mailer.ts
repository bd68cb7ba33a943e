import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer, { type Mail } from 'nodemailer';
import { asciiAddress } from '../addresses/index.js';
import { SettingError } from '../config/setting-error.js';
import { notTried, type Refusal, type RelayReply } from '../domain/result.js';
import type { BounceTokens } from './bounce-token.js';
import type { DkimSigning } from './dkim.js';
import type { Mailer, MessageAbout, Submission } from './mailer.js';
import { messageFields, type OutgoingMessage } from './message.js';
import { queueIdOf } from './relay-reply.js';
import { describeSmtpFailure, NO_STARTTLS, type SmtpFailure, smtpReply } from './smtp-failure.js';

/** Connections of the run's SMTP pool: a few, so one slow reply does not hold up the rest. */
export const SMTP_POOL_CONNECTIONS = 3;

export interface SmtpMailerOptions {
  smtpUrl: string;
  timeoutMs: number;
  /** Extra attempts after a temporary failure (4xx, dropped connection). */
  retries?: number;
  backoffMs?: number;
  maxConnections?: number;
  /** Aborted when the run is stopped: a message already handed over finishes, but is not tried again. */
  stop?: AbortSignal;
  /** With BOUNCE_ADDRESS: a bounce token in each envelope sender, and delivery reports asked for. */
  bounces?: BounceTokens | null;
  /** With DKIM_DOMAIN: every message signed. */
  dkim?: DkimSigning | null;
}

interface SentInfo {
  accepted: (string | { address: string })[];
  rejected: (string | { address: string })[];
  rejectedErrors?: SmtpFailure[];
  /** The reply to DATA. */
  response?: string;
}

/** One SMTP transaction's envelope: MAIL FROM, and the delivery report asked for (sent only to a relay offering DSN). */
interface Envelope {
  from: string;
  dsn?: { id: string | undefined; return: 'headers'; notify: ['failure', 'delay']; recipient: string };
}

/** RFC 3461: an ENVID is at most 100 characters; a longer Message-ID is not sent as one. */
const MAX_ENVID = 100;
const envelopeIdOf = (messageId: string) => {
  const id = messageId.replace(/^<(.*)>$/, '$1');
  return id.length <= MAX_ENVID ? id : undefined;
};

/** The nodemailer form of the job's DKIM signing. */
export const dkimOption = (dkim: DkimSigning | null | undefined) =>
  dkim ? { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: dkim.privateKey } : undefined;

/** nodemailer lists recipients as strings or as `{address}` objects. */
export const plainAddress = (entry: string | { address: string }): string => (typeof entry === 'string' ? entry : entry.address);
const isPermanent = (error: SmtpFailure) => (error.responseCode ?? 0) >= 500;
const connectionCodes = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

/** Refusals per recipient, split into those final (5xx) and those worth another try (4xx). */
function splitRefusals(addresses: readonly string[], errors: readonly SmtpFailure[] | undefined) {
  const final: Refusal[] = [];
  const temporary: Refusal[] = [];
  addresses.forEach((address, index) => {
    const error = errors?.[index];
    const refusal = { address, reply: error ? smtpReply(error) : 'refused' };
    (error && !isPermanent(error) ? temporary : final).push(refusal);
  });
  return { final, temporary };
}

/** `smtp://user:pass@…`: credentials on a connection that starts in the clear. */
function credentialsOverSmtp(smtpUrl: string): boolean {
  const url = new URL(smtpUrl);
  return url.protocol === 'smtp:' && (url.username !== '' || url.password !== '');
}

/** What every connection to SMTP_URL shares, the job's and check-smtp's: its timeouts, and no local files or URLs in a message. */
export function transportOptions(smtpUrl: string, timeoutMs: number) {
  return {
    url: smtpUrl,
    // A user and password go over plain smtp:// only inside STARTTLS: a server that does not offer it is refused.
    requireTLS: credentialsOverSmtp(smtpUrl),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * One pooled SMTP transport for a whole run. A recipient refused for good is recorded and the
 * others still get the message; temporary refusals and dropped connections are retried.
 */
export class SmtpMailer implements Mailer {
  readonly delivers = true;
  private readonly transport: Mail;
  private unreachable: string | null = null;

  constructor(private readonly options: SmtpMailerOptions) {
    this.transport = nodemailer.createTransport({
      ...transportOptions(options.smtpUrl, options.timeoutMs),
      pool: true,
      maxConnections: options.maxConnections ?? SMTP_POOL_CONNECTIONS,
      // The pool would otherwise re-send a message silently after a dropped connection; retries are ours, counted.
      maxRequeues: 0,
      dkim: dkimOption(options.dkim),
    });
  }

  async send(message: OutgoingMessage, about: MessageAbout = null): Promise<Submission> {
    const recipients = [...message.to, ...message.cc]
      .map((a) => a.address)
      .concat(message.bcc)
      .map(asciiAddress);
    const { bounces } = this.options;
    if (!bounces) return this.submit(message, recipients, { from: asciiAddress(message.from.address) });
    // One transaction per recipient, each with its own token and ORCPT (docs/sending.md#one-transaction-per-recipient).
    const sendId = about?.sendId;
    const submissions = await Promise.all(
      recipients.map((recipient, position) =>
        this.submit(message, [recipient], {
          from: sendId === undefined ? bounces.address : bounces.senderFor(sendId, position),
          dsn: { id: envelopeIdOf(message.messageId), return: 'headers', notify: ['failure', 'delay'], recipient },
        }),
      ),
    );
    return joinSubmissions(submissions.map((submission, position) => ({ submission, recipient: recipients[position] as string })));
  }

  /** One message to `recipients` in one transaction, retried while the server refuses for now. */
  private async submit(message: OutgoingMessage, recipients: readonly string[], envelope: Envelope): Promise<Submission> {
    // Once a message has used every retry on a dead server, the rest are not tried: the next run sends them.
    if (this.unreachable) return { kind: 'failed', error: notTried(this.unreachable), refused: [] };
    const retries = this.options.retries ?? 3;
    const backoffMs = this.options.backoffMs ?? 1000;
    let pending = [...recipients];
    const accepted: string[] = [];
    const refused: Refusal[] = [];
    const relay: RelayReply[] = [];
    // Replies of the last temporary refusals, or none when the last attempt failed before RCPT.
    let temporary: Refusal[] = [];
    let lastError = '';
    const { stop } = this.options;
    // After a stop, the message handed over gets its attempt, and no other.
    for (let attempt = 0; attempt <= retries && pending.length > 0 && !(attempt > 0 && stop?.aborted); attempt += 1) {
      if (attempt > 0) {
        // A stop during the backoff ends the wait, and with it the message's attempts.
        await sleep(Math.random() * backoffMs * 2 ** (attempt - 1), undefined, { signal: stop }).catch(() => {});
        if (stop?.aborted) break;
      }
      try {
        const info = (await this.transport.sendMail(this.compose(message, pending, envelope))) as SentInfo;
        const took = info.accepted.map(plainAddress);
        accepted.push(...took);
        if (took.length > 0) {
          const reply = String(info.response ?? '').trim();
          relay.push({ recipients: took, reply, queueId: queueIdOf(reply) });
        }
        const split = splitRefusals(info.rejected.map(plainAddress), info.rejectedErrors);
        refused.push(...split.final);
        temporary = split.temporary;
      } catch (caught) {
        const error = caught as SmtpFailure;
        lastError = describeSmtpFailure(error, this.options.timeoutMs);
        if (error.code === 'EENVELOPE' && error.rejected?.length) {
          const split = splitRefusals(error.rejected, error.rejectedErrors);
          refused.push(...split.final);
          temporary = split.temporary;
        } else if (isPermanent(error)) {
          return { kind: 'failed', error: `the SMTP server refused the message: ${lastError}`, refused };
        } else {
          temporary = [];
          if (attempt === retries && connectionCodes.has(error.code ?? '')) {
            this.unreachable = `the SMTP server could not be reached (${lastError})`;
          }
          continue;
        }
      }
      pending = temporary.map((t) => t.address);
    }
    refused.push(...temporary);
    if (accepted.length > 0) {
      const unanswered = pending.filter((address) => !temporary.some((t) => t.address === address));
      refused.push(...unanswered.map((address) => ({ address, reply: lastError })));
      return { kind: 'accepted', accepted, refused, relay };
    }
    const why = refused.length > 0 ? refused.map((r) => `${r.address}: ${r.reply}`).join('; ') : lastError;
    return { kind: 'failed', error: `no recipient accepted the message: ${why}`, refused };
  }

  /**
   * Before any message: with a user and password over smtp://, a server that offers no STARTTLS ends the run with a
   * configuration error rather than a failure per message. Any other trouble is each message's to report.
   */
  async refuseCredentialsInTheClear(): Promise<void> {
    if (!credentialsOverSmtp(this.options.smtpUrl)) return;
    try {
      await this.transport.verify();
    } catch (error) {
      if ((error as SmtpFailure).code !== 'ETLS') return;
      throw new SettingError(
        'SMTP_URL',
        `holds a user and password, and the server offers no STARTTLS to protect them: ${NO_STARTTLS}; nothing was sent`,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  private compose(message: OutgoingMessage, recipients: readonly string[], envelope: Envelope) {
    return { ...messageFields(message), envelope: { from: envelope.from, to: [...recipients] }, dsn: envelope.dsn };
  }
}

/**
 * The submissions of one message, one per recipient, as one: accepted when anyone took it. A recipient whose
 * transaction failed without a refusal of its own (the message refused at DATA, the server gone) is refused with
 * that transaction's error.
 */
export function joinSubmissions(parts: readonly { submission: Submission; recipient: string }[]): Submission {
  const accepted: string[] = [];
  const refused: Refusal[] = [];
  const relay: RelayReply[] = [];
  const errors = new Set<string>();
  for (const { submission, recipient } of parts) {
    if (submission.kind === 'drafted') continue;
    refused.push(...submission.refused);
    if (submission.kind === 'accepted') {
      accepted.push(...submission.accepted);
      relay.push(...submission.relay);
    } else {
      errors.add(submission.error);
      if (!submission.refused.some((r) => r.address === recipient)) refused.push({ address: recipient, reply: submission.error });
    }
  }
  if (accepted.length > 0) return { kind: 'accepted', accepted, refused, relay };
  const only = errors.size === 1 ? [...errors][0] : undefined;
  const error = only ?? `no recipient accepted the message: ${refused.map((r) => `${r.address}: ${r.reply}`).join('; ')}`;
  return { kind: 'failed', error, refused };
}
