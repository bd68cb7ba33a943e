/** A notice as the recipients will read it: pure, from the decision to send and the run's settings. */
import type { Address } from '../addresses/index.js';
import { archiveUrl } from '../archive/client.js';
import type { ArchiveEntry } from '../archive/entry.js';
import type { ValidSelection } from '../archive/selection.js';
import { searchTerms } from '../archive/selection-verdict.js';
import { type Mode, profileOf } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import type { NightAnnouncements } from '../domain/notice.js';
import { messageIdFor, type OutgoingMessage } from '../mail/message.js';
import { renderMessage } from '../mail/render.js';
import type { Recipients } from './plan.js';

/** Who a run's messages come from. */
export interface Sender {
  from: Address;
  /** PI mode only: where the PI's answer goes. */
  replyTo?: Address;
}

export interface NoticeInput {
  mode: Mode;
  notificationId: number;
  night: Night;
  /** The night the run was asked for: a message about another night carries late files found by the look-back. */
  runNight: Night;
  selection: ValidSelection;
  /** The server searched: the archive, or the summit FITS server in CHECK mode. */
  base: string;
  sender: Sender;
  recipients: Recipients;
  files: readonly ArchiveEntry[];
  /** Files in the archive's whole answer: its result limit applies to the answer, not to the new files. */
  answered: number;
  /** What this message follows up, if earlier messages announced files of the same night. */
  previous: NightAnnouncements | undefined;
  date: Date;
  /** Makes the Message-ID unique: a resend of the same night is a new message. */
  uniqueId: string;
}

export function composeNotice(input: NoticeInput): OutgoingMessage {
  const terms = searchTerms(input.selection.terms, input.mode);
  const content = renderMessage({
    mode: input.mode,
    night: input.night,
    selection: input.selection.text,
    searchUrl: archiveUrl(input.base, 'searchform', input.night, terms),
    entries: input.files,
    previousNotice: input.previous?.lastMessage.sentAt,
    late: input.night !== input.runNight,
    answered: input.answered,
  });
  const { recipients, sender } = input;
  return {
    from: sender.from,
    replyTo: profileOf(input.mode).replyTo ? sender.replyTo : undefined,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    ...content,
    messageId: messageIdFor([input.notificationId, input.night, input.mode, input.uniqueId], sender.from),
    inReplyTo: input.previous?.firstMessageId,
    date: input.date,
  };
}
