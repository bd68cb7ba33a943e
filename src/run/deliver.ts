/**
 * The effects of sending one notice, in the order the delivery guarantee needs (docs/commands.md#delivery-guarantee): the run
 * still holds its lock, the intent is recorded, the message is handed over, the outcome is recorded.
 */
import type { Logger } from 'pino';
import type { RunLock } from '../db/run-lock.js';
import type { SendRecord } from '../db/send-record.js';
import type { Intent } from '../domain/notice.js';
import { notTried, type Refusal, stoppedBy } from '../domain/result.js';
import { type Mailer, PartlySent, type Submission } from '../mail/mailer.js';
import type { OutgoingMessage } from '../mail/message.js';

export interface DeliveryPorts {
  mailer: Mailer;
  record: Pick<SendRecord, 'intent' | 'sent' | 'failed' | 'unknown'>;
  /** Absent when nothing is delivered (a dry run holds no lock). */
  lock: Pick<RunLock, 'assertHeld'> | null;
  /** Once aborted (SIGTERM, SIGINT, a fatal error), no message is handed over; those already on the wire finish. */
  stop: AbortSignal;
  log: Logger;
}

export type Delivered =
  | { status: 'dry-run' }
  /** `notTried`: why the message was not even handed over (the run stopped, the mail server out of reach). */
  | { status: 'failed'; error: string; refused: Refusal[]; notTried?: string }
  /** Handed over whole, never answered: recorded so, not announced, so the next run sends it once more. */
  | { status: 'unknown'; error: string; refused: Refusal[] }
  /** `problem`: delivered, but something about it needs a person (the record could not be updated). */
  | { status: 'sent'; refused: Refusal[]; problem: string | null };

export async function deliverNotice(message: OutgoingMessage, intent: Intent, ports: DeliveryPorts): Promise<Delivered> {
  const { mailer, record, stop } = ports;
  if (stop.aborted) return { status: 'failed', ...notTried(stoppedBy(stop)), refused: [] };
  if (!mailer.delivers) {
    await mailer.send(message, intent);
    return { status: 'dry-run' };
  }
  // A run that lost its lock (its session ended) may be running beside the next one: it sends nothing more.
  await ports.lock?.assertHeld();
  let row: number;
  try {
    row = await record.intent(intent);
  } catch (error) {
    return { status: 'failed', error: `not sent: the send record could not be written (${(error as Error).message})`, refused: [] };
  }
  let submission: Submission;
  try {
    submission = await mailer.send(message, { ...intent, sendId: row });
  } catch (error) {
    // A mailer throws only what ends the run (a refused login). When some copies had gone out, what became of the
    // message is recorded first, as any other outcome; else nobody got it.
    if (!(error instanceof PartlySent)) {
      await record.failed(row, `not sent: ${(error as Error).message}`, []).catch(() => {});
      throw error;
    }
    await recordOutcome(error.submission, row, intent, ports);
    throw error.reason;
  }
  return recordOutcome(submission, row, intent, ports);
}

/** The outcome of a message handed over, recorded in the send record and returned. */
async function recordOutcome(submission: Submission, row: number, intent: Intent, ports: DeliveryPorts): Promise<Delivered> {
  const { record, log } = ports;
  if (submission.kind === 'unknown') {
    await record.unknown(row, submission.error, submission.refused).catch((cause: Error) => {
      log.warn(
        { night: intent.night, messageId: intent.messageId },
        `the send record could not mark the message unknown (${cause.message}); it stays 'sending', and the next run sends it again`,
      );
    });
    return { status: 'unknown', error: submission.error, refused: submission.refused };
  }
  if (submission.kind !== 'accepted') {
    const {
      error,
      refused,
      notTried: reason,
    } = submission.kind === 'failed'
      ? submission
      : { error: 'the mailer kept a draft of a message it should have sent', refused: [], notTried: undefined };
    await record.failed(row, error, refused).catch((cause: Error) => {
      log.warn(
        { night: intent.night, messageId: intent.messageId },
        `the send record could not mark the message failed (${cause.message}); it stays 'sending', and the next run sends it again`,
      );
    });
    return { status: 'failed', error, refused, notTried: reason };
  }
  for (const refusal of submission.refused)
    log.warn({ night: intent.night, recipient: refusal.address, reply: refusal.reply }, 'recipient refused');
  try {
    await record.sent(row, intent, intent.files, submission.accepted, submission.refused, submission.relay);
  } catch (error) {
    const problem = `delivered, but the send record could not be updated (${(error as Error).message}): a rerun will send it again`;
    return { status: 'sent', refused: submission.refused, problem };
  }
  return { status: 'sent', refused: submission.refused, problem: null };
}
