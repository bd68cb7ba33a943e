import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer, { type Mail } from 'nodemailer';
import { asciiAddress } from '../addresses/index.js';
import { SettingError } from '../config/setting-error.js';
import { notTried, type Refusal, type RelayReply, stoppedBy } from '../domain/result.js';
import type { BounceTokens } from './bounce-token.js';
import type { DkimSigning } from './dkim.js';
import { type Mailer, type MessageAbout, PartlySent, type Submission } from './mailer.js';
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
  /**
   * Aborted when the run is stopped: a message on the wire finishes, but is not tried again; the others are not tried,
   * nor is a copy of a message (BOUNCE_ADDRESS) that is not on the wire itself.
   */
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

/** What the system says when a server cannot be reached or goes away; a certificate refused is not one of them. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);

/** A failure of the connection itself, not of the message: after every retry, the server is taken to be out of reach. */
const isOutOfReach = (error: SmtpFailure): boolean =>
  ['ECONNECTION', 'ETIMEDOUT', 'EDNS'].includes(error.code ?? '') ||
  (error.code === 'ESOCKET' && NETWORK_ERRORS.has(error.originalCode ?? ''));

/** The server turned the user and password down (not a temporary 4xx: that is worth another try). */
const isLoginRefusal = (error: SmtpFailure): boolean => error.code === 'EAUTH' && Math.floor((error.responseCode ?? 0) / 100) !== 4;

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

/** SMTP_URL's user and password were refused: a setting to correct before anything more is sent (exit 2). */
export class SmtpLoginRefused extends SettingError {
  constructor(user: string, error: SmtpFailure) {
    super(
      'SMTP_URL',
      `names a user the mail server does not accept: the login of "${user}" was refused (${smtpReply(error)}); correct the user or password, nothing is sent until then`,
    );
  }
}

/**
 * How far one attempt's message got. nodemailer reads the message from the stream it creates only once the server has
 * answered DATA with 354, and pipes it to the socket, the final dot last: whether any, or all, of it went out is read
 * off that stream (docs/commands.md#delivery-guarantee).
 */
interface Transmission {
  stream?: Readable;
}
/** Some of the message has gone to the server: a stop lets the attempt finish rather than cut it. */
const begun = (transmission: Transmission) => transmission.stream?.readableDidRead === true;
/** The whole message, final dot included, has gone to the server: only its reply says whether it was taken. */
const whole = (transmission: Transmission) => transmission.stream?.readableEnded === true;

/** The user SMTP_URL names, or null when it names none (no login). */
function userOf(smtpUrl: string): string | null {
  const url = new URL(smtpUrl);
  return url.username !== '' || url.password !== '' ? decodeURIComponent(url.username) : null;
}

/** `smtp://user:pass@…`: credentials on a connection that starts in the clear. */
const credentialsOverSmtp = (smtpUrl: string): boolean => new URL(smtpUrl).protocol === 'smtp:' && userOf(smtpUrl) !== null;

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
 * One pooled SMTP transport for a whole run. A recipient refused for good is recorded and the others still get the
 * message; temporary refusals and connections lost before the whole message went out are retried. Once the whole
 * message has gone out, it is never sent again by this run, whatever happens to the reply.
 */
export class SmtpMailer implements Mailer {
  readonly delivers = true;
  /** Set once a message has used every retry on a server that could not be reached: the rest are not tried. */
  private outOfReach: string | null = null;
  private loginRefused: SmtpLoginRefused | null = null;
  private readonly transport: Mail;
  /** Attempts under way, by the signal handed to nodemailer with each. */
  private readonly attempts = new Map<AbortSignal, { cancel: AbortController; transmission: Transmission }>();

  constructor(private readonly options: SmtpMailerOptions) {
    this.transport = nodemailer.createTransport({
      ...transportOptions(options.smtpUrl, options.timeoutMs),
      pool: true,
      maxConnections: options.maxConnections ?? SMTP_POOL_CONNECTIONS,
      // The pool would otherwise re-send a message silently after a dropped connection; retries are ours, counted.
      maxRequeues: 0,
      dkim: dkimOption(options.dkim),
    });
    // Keeps the stream each attempt's message is read from, whatever stages nodemailer puts before it (DKIM, say).
    this.transport.use('stream', (mail, done) => {
      const attempt = mail.data.signal && this.attempts.get(mail.data.signal);
      if (attempt) {
        const create = mail.message.createReadStream.bind(mail.message);
        mail.message.createReadStream = (streamOptions) => {
          const stream = create(streamOptions);
          attempt.transmission.stream = stream;
          return stream;
        };
      }
      done();
    });
    // A stop cancels every attempt whose message has not started to go out: queued in the pool, connecting, or still
    // at the envelope, a copy of a message whose other copies are on the wire included. Those whose message is on the
    // wire finish, so the wait is at most one SMTP_TIMEOUT_MS (docs/commands.md#signals).
    options.stop?.addEventListener(
      'abort',
      () => {
        for (const { cancel, transmission } of this.attempts.values()) if (!begun(transmission)) cancel.abort();
      },
      { once: true },
    );
  }

  get unreachable(): string | null {
    return this.outOfReach;
  }

  async send(message: OutgoingMessage, about: MessageAbout = null): Promise<Submission> {
    if (this.loginRefused) throw this.loginRefused;
    const recipients = [...message.to, ...message.cc]
      .map((a) => a.address)
      .concat(message.bcc)
      .map(asciiAddress);
    const { bounces } = this.options;
    if (!bounces) return this.submit(message, recipients, { from: asciiAddress(message.from.address) });
    // One transaction per recipient, each with its own token and ORCPT (docs/sending.md#one-transaction-per-recipient).
    const sendId = about?.sendId;
    // Every copy settles before the message is judged: a refused login for one says nothing of the others.
    const settled = await Promise.allSettled(
      recipients.map((recipient, position) =>
        this.submit(message, [recipient], {
          from: sendId === undefined ? bounces.address : bounces.senderFor(sendId, position),
          dsn: { id: envelopeIdOf(message.messageId), return: 'headers', notify: ['failure', 'delay'], recipient },
        }),
      ),
    );
    const thrown = settled.find((copy) => copy.status === 'rejected')?.reason as Error | undefined;
    const joined = joinSubmissions(
      settled.map((copy, position) => ({
        submission:
          copy.status === 'fulfilled' ? copy.value : { kind: 'failed', error: `not sent: ${(copy.reason as Error).message}`, refused: [] },
        recipient: recipients[position] as string,
      })),
      this.options.stop?.aborted ? stoppedBy(this.options.stop) : null,
    );
    if (!thrown) return joined;
    // Taken by nobody, it fails as before; taken by some, not failed, or a rerun would send them a second copy.
    if (joined.kind !== 'accepted' && joined.kind !== 'unknown') throw thrown;
    throw new PartlySent(thrown, joined);
  }

  /** One message to `recipients` in one transaction, retried while the server refuses for now or the connection fails before the message went out. */
  private async submit(message: OutgoingMessage, recipients: readonly string[], envelope: Envelope): Promise<Submission> {
    // Once a message has used every retry on a dead server, the rest are not tried: the next run sends them.
    if (this.outOfReach) return { kind: 'failed', ...notTried(this.outOfReach), refused: [] };
    const retries = this.options.retries ?? 3;
    const backoffMs = this.options.backoffMs ?? 1000;
    const { stop } = this.options;
    let pending = [...recipients];
    const accepted: string[] = [];
    const refused: Refusal[] = [];
    const relay: RelayReply[] = [];
    // Replies of the last temporary refusals, or none when the last attempt failed before RCPT.
    let temporary: Refusal[] = [];
    let lastError = '';
    // Set when the whole message went out and no reply came: it may have been delivered.
    let unanswered = false;
    for (let attempt = 0; attempt <= retries && pending.length > 0; attempt += 1) {
      if (attempt > 0) {
        // A stop during the backoff ends the wait, and with it the message's attempts.
        await sleep(Math.random() * backoffMs * 2 ** (attempt - 1), undefined, { signal: stop }).catch(() => {});
      }
      // After a stop no attempt starts; one cancelled before its message went out was not made.
      if (stop?.aborted && attempt === 0) return { kind: 'failed', ...notTried(stoppedBy(stop)), refused: [] };
      if (stop?.aborted) break;
      const { info, error, transmission } = await this.attempt(message, pending, envelope);
      if (error && stop?.aborted && !begun(transmission)) {
        if (attempt === 0) return { kind: 'failed', ...notTried(stoppedBy(stop)), refused: [] };
        break;
      }
      if (info) {
        const took = info.accepted.map(plainAddress);
        accepted.push(...took);
        if (took.length > 0) {
          const reply = String(info.response ?? '').trim();
          relay.push({ recipients: took, reply, queueId: queueIdOf(reply) });
        }
        const split = splitRefusals(info.rejected.map(plainAddress), info.rejectedErrors);
        refused.push(...split.final);
        temporary = split.temporary;
      } else if (error) {
        lastError = describeSmtpFailure(error, this.options.timeoutMs);
        if (isLoginRefusal(error)) throw this.refuseLogin(error);
        if (error.code === 'EENVELOPE' && error.rejected?.length) {
          const split = splitRefusals(error.rejected, error.rejectedErrors);
          refused.push(...split.final);
          temporary = split.temporary;
        } else if (whole(transmission) && error.responseCode === undefined) {
          // RFC 5321 §6.1: a possible second copy (the next run's) rather than a lost notice, and never more than that.
          unanswered = true;
          temporary = [];
          break;
        } else if (isPermanent(error)) {
          return { kind: 'failed', error: `the SMTP server refused the message: ${lastError}`, refused };
        } else {
          temporary = [];
          if (attempt === retries && isOutOfReach(error)) this.outOfReach = `the SMTP server could not be reached (${lastError})`;
          continue;
        }
      }
      pending = temporary.map((t) => t.address);
    }
    refused.push(...temporary);
    const noReply = `no reply after the whole message was sent (${lastError}): it may have been delivered, and is not sent again by this run`;
    if (accepted.length > 0) {
      const left = pending.filter((address) => !temporary.some((t) => t.address === address));
      refused.push(...left.map((address) => ({ address, reply: unanswered ? noReply : lastError })));
      return { kind: 'accepted', accepted, refused, relay };
    }
    if (unanswered) return { kind: 'unknown', error: noReply, refused };
    const why = refused.length > 0 ? refused.map((r) => `${r.address}: ${r.reply}`).join('; ') : lastError;
    return { kind: 'failed', error: `no recipient accepted the message: ${why}`, refused };
  }

  /**
   * Before any message, when SMTP_URL names a user: one connection and one login. A refused login, or over smtp:// a
   * server with no STARTTLS to protect it, ends the run with a configuration error before anything is sent (exit 2)
   * rather than a failure, and a login, per message. Any other trouble is each message's to report.
   */
  async checkLogin(): Promise<void> {
    if (userOf(this.options.smtpUrl) === null) return;
    try {
      await this.transport.verify();
    } catch (caught) {
      const error = caught as SmtpFailure;
      if (isLoginRefusal(error)) throw this.refuseLogin(error);
      if (error.code !== 'ETLS') return;
      throw new SettingError(
        'SMTP_URL',
        `holds a user and password, and the server offers no STARTTLS to protect them: ${NO_STARTTLS}; nothing was sent`,
      );
    }
  }

  /** One attempt of one message, cancelled by a stop while the message has not started to go out. */
  private async attempt(message: OutgoingMessage, recipients: readonly string[], envelope: Envelope) {
    const cancel = new AbortController();
    const transmission: Transmission = {};
    this.attempts.set(cancel.signal, { cancel, transmission });
    try {
      const info = (await this.transport.sendMail({ ...this.compose(message, recipients, envelope), signal: cancel.signal })) as SentInfo;
      return { info, transmission };
    } catch (error) {
      return { error: error as SmtpFailure, transmission };
    } finally {
      this.attempts.delete(cancel.signal);
    }
  }

  /** Latched: every later message ends the run the same way, without a login of its own. */
  private refuseLogin(error: SmtpFailure): SmtpLoginRefused {
    this.loginRefused ??= new SmtpLoginRefused(userOf(this.options.smtpUrl) ?? '', error);
    return this.loginRefused;
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
 * transaction ended without a refusal of its own (the message refused at DATA, the server gone, no reply after the
 * whole message, not tried) is refused with that transaction's error. Taken by nobody, it is `unknown` when some copy
 * may have been delivered (so the next run sends it once more), else failed: not tried, when no copy was, for one
 * reason. `stopped` is the reason of the run's stop, if it stopped: a message some of whose copies went out and others
 * were not tried for it is `unknown`, whoever took it.
 */
export function joinSubmissions(
  parts: readonly { submission: Submission; recipient: string }[],
  stopped: string | null = null,
): Submission {
  const accepted: string[] = [];
  const refused: Refusal[] = [];
  const relay: RelayReply[] = [];
  // Each error, with the reason nothing was tried when nothing was.
  const errors = new Map<string, string | undefined>();
  let unknown: string | null = null;
  // Recipients whose copy the stop kept back, and how many copies went out (taken, or whole and unanswered).
  const held: string[] = [];
  let out = 0;
  for (const { submission, recipient } of parts) {
    if (submission.kind === 'drafted') continue;
    refused.push(...submission.refused);
    if (submission.kind === 'accepted') {
      accepted.push(...submission.accepted);
      relay.push(...submission.relay);
      out += 1;
      continue;
    }
    if (submission.kind === 'unknown') {
      unknown ??= submission.error;
      out += 1;
    }
    if (submission.kind === 'failed' && stopped !== null && submission.notTried === stopped) held.push(recipient);
    errors.set(submission.error, submission.kind === 'failed' ? submission.notTried : undefined);
    if (!submission.refused.some((r) => r.address === recipient)) refused.push({ address: recipient, reply: submission.error });
  }
  // A second copy for those who got it rather than none for those who did not: the next run sends it to everyone.
  if (held.length > 0 && out > 0) {
    const error = `${stopped} after ${out} of ${parts.length} copies went out, before the copies to ${held.join(', ')}: the next run sends it to everyone once more`;
    return { kind: 'unknown', error, refused };
  }
  if (accepted.length > 0) return { kind: 'accepted', accepted, refused, relay };
  if (unknown !== null) return { kind: 'unknown', error: unknown, refused };
  const [only, ...others] = errors;
  if (only && others.length === 0)
    return { kind: 'failed', error: only[0], refused, ...(only[1] === undefined ? {} : { notTried: only[1] }) };
  return {
    kind: 'failed',
    error: `no recipient accepted the message: ${refused.map((r) => `${r.address}: ${r.reply}`).join('; ')}`,
    refused,
  };
}
