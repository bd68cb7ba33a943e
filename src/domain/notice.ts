import type { Mode } from './mode.js';
import type { Night } from './night.js';

/** One notification's night in one mode: what the send record keys on, and what one message announces. */
export interface NoticeKey {
  notificationId: number;
  night: Night;
  mode: Mode;
}

/** What earlier messages announced to one notification for one night. */
export interface NightAnnouncements {
  files: ReadonlySet<string>;
  /** The latest message that announced some of them. */
  lastMessage: { id: number; sentAt: Date };
  /** The Message-ID of the first message that did: a follow-up names it, so mail clients thread them. */
  firstMessageId: string;
}

/** A message about to be handed to the mailer, as the send record keeps it before it goes. */
export interface Intent extends NoticeKey {
  selection: string;
  to: string[];
  cc: string[];
  /** Hidden recipients, in the envelope only: a bounce token names a recipient by its place in to, cc and bcc. */
  bcc: string[];
  files: string[];
  messageId: string;
  /** The send record's row of the message this one follows up. */
  followsUp: number | null;
}

/** How one notification's night ended in a run, as the send record keeps it for `why` and for the look-back. */
export interface NightOutcome extends NoticeKey {
  status: string;
  selection: string | null;
  files: number;
  rejected: readonly string[];
  error: string | null;
  /** Every file of the answer was announced (or there were none): a look-back may skip the night for a while. */
  complete: boolean;
  /** The archive search made for the night (a `nightrange=` one may cover several); null when none was. */
  url: string | null;
}
