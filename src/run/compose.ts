/** A notice as the recipients will read it, and as the send record keeps it: pure, from the decision to send and the run's settings. */
import type { Address } from '../addresses/index.js';
import { archiveUrl, searchTerms } from '../archive/client.js';
import { ARCHIVE_RESULT_LIMIT, type ArchiveEntry } from '../archive/entry.js';
import type { ValidSelection } from '../archive/selection.js';
import { type Mode, profileOf } from '../domain/mode.js';
import type { Night } from '../domain/night.js';
import type { Intent, NightAnnouncements } from '../domain/notice.js';
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

/** The message, and the intent the send record keeps of it before it is handed over. */
export interface Notice {
  message: OutgoingMessage;
  intent: Intent;
}

export function composeNotice(input: NoticeInput): Notice {
  const { mode, notificationId, night, selection, recipients, sender, files, previous } = input;
  const content = renderMessage({
    mode,
    night,
    selection: selection.text,
    searchUrl: archiveUrl(input.base, 'searchform', night, searchTerms(selection.terms, mode)),
    files,
    previousNotice: previous?.lastMessage.sentAt,
    late: night !== input.runNight,
    cutAt: input.answered >= ARCHIVE_RESULT_LIMIT ? ARCHIVE_RESULT_LIMIT : null,
  });
  const messageId = messageIdFor([notificationId, night, mode, input.uniqueId], sender.from);
  const message: OutgoingMessage = {
    from: sender.from,
    replyTo: profileOf(mode).replyTo ? sender.replyTo : undefined,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    ...content,
    messageId,
    inReplyTo: previous?.firstMessageId,
    date: input.date,
  };
  const intent: Intent = {
    notificationId,
    night,
    mode,
    selection: selection.text,
    to: recipients.to.map((a) => a.address),
    cc: recipients.cc.map((a) => a.address),
    bcc: [...recipients.bcc],
    files: files.map((file) => file.name),
    messageId,
    followsUp: previous?.lastMessage.id ?? null,
  };
  return { message, intent };
}
