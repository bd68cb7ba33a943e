import type { NoticeKey } from '../domain/notice.js';
import type { Refusal, RelayReply } from '../domain/result.js';
import type { OutgoingMessage } from './message.js';

/** What became of a message handed to a mailer. */
export type Submission =
  /** The server took it for these recipients (others refused for good, with the server's reply). */
  | { kind: 'accepted'; accepted: string[]; refused: Refusal[]; relay: RelayReply[] }
  /** Nobody got it. `notTried`: why it was not even handed over (the run stopped, the server out of reach). */
  | { kind: 'failed'; error: string; refused: Refusal[]; notTried?: string }
  /** The whole message went to the server and its reply never came: it may have been delivered, so it is not sent again. */
  | { kind: 'unknown'; error: string; refused: Refusal[] }
  /** Kept as a draft: nothing left this machine (a dry run). */
  | { kind: 'drafted' };

/**
 * What a mailer throws when an error that ends the run (a refused login) met some copies of a message after others
 * had gone out: `submission` is what became of the message, recorded as any other before the run ends with `reason`.
 */
export class PartlySent extends Error {
  constructor(
    readonly reason: Error,
    readonly submission: Extract<Submission, { kind: 'accepted' | 'unknown' }>,
  ) {
    super(reason.message);
  }
}

/** What a message is about: its notification and night, and its send record row once recorded; null for the digest. */
export type MessageAbout = (NoticeKey & { sendId?: number }) | null;

/**
 * Where composed messages go: the SMTP server, the `--out` outbox, or nowhere (a dry run). The run records a
 * message before and after handing it over only when the mailer `delivers`.
 */
export interface Mailer {
  readonly delivers: boolean;
  /** Why the mail server is taken to be out of reach for the rest of the run (the run then exits 75); unset: never. */
  readonly unreachable?: string | null;
  send(message: OutgoingMessage, about: MessageAbout): Promise<Submission>;
  close(): Promise<void>;
}

/** A dry run without `--out`: every message is composed, then dropped. */
export const discardingMailer: Mailer = {
  delivers: false,
  send: async () => ({ kind: 'drafted' }),
  close: async () => {},
};
