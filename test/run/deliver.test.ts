/**
 * The order of deliverNotice's effects, which the delivery guarantee rests on (docs/commands.md#delivery-guarantee):
 * the lock is checked, the intent recorded, the message handed over, its outcome recorded. The record, mailer and lock
 * here are in memory and log each call; test/reliability/ runs the same path against the real peers.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import { RunLockLost } from '../../src/db/run-lock.js';
import type { Night } from '../../src/domain/night.js';
import type { Intent } from '../../src/domain/notice.js';
import { type Mailer, type MessageAbout, PartlySent, type Submission } from '../../src/mail/mailer.js';
import type { OutgoingMessage } from '../../src/mail/message.js';
import { type DeliveryPorts, deliverNotice } from '../../src/run/deliver.js';

const address = (text: string) => ({ name: null, address: text as EmailAddress });
const message: OutgoingMessage = {
  from: address('archive@gemini.edu'),
  to: [address('pi@uni.edu')],
  cc: [],
  bcc: [],
  subject: 'New Data for GN-2026B-Q-1/science',
  text: 'files',
  messageId: '<yougotdata.1.20261126.pi.u1@gemini.edu>',
  date: new Date('2026-11-26T18:00:00Z'),
};
const intent: Intent = {
  notificationId: 1,
  night: '20261126' as Night,
  mode: 'pi',
  selection: 'GN-2026B-Q-1/science',
  to: ['pi@uni.edu'],
  cc: [],
  bcc: [],
  files: ['N20261126S0001.fits'],
  messageId: message.messageId,
  followsUp: null,
};
const ROW = 41;
const accepted: Submission = { kind: 'accepted', accepted: ['pi@uni.edu'], refused: [], relay: [] };

interface Setup {
  submission?: Submission | Error;
  delivers?: boolean;
  intentFails?: boolean;
  lockLost?: boolean;
  sentFails?: boolean;
  stopped?: boolean;
}

/** Ports that log every call, in order, as `who.what`; the mailer also keeps what it was told the message is about. */
function ports(setup: Setup = {}) {
  const calls: string[] = [];
  const about: MessageAbout[] = [];
  const mailer: Mailer = {
    delivers: setup.delivers ?? true,
    async send(_message, what) {
      calls.push('mailer.send');
      about.push(what);
      const submission = setup.submission ?? accepted;
      if (submission instanceof Error) throw submission;
      return submission;
    },
    close: async () => {},
  };
  const stop = new AbortController();
  if (setup.stopped) stop.abort('SIGTERM');
  const delivery: DeliveryPorts = {
    mailer,
    record: {
      async intent() {
        calls.push('record.intent');
        if (setup.intentFails) throw new Error('connection reset');
        return ROW;
      },
      async sent(row) {
        calls.push(`record.sent ${row}`);
        if (setup.sentFails) throw new Error('connection reset');
      },
      async failed(row, error) {
        calls.push(`record.failed ${row}: ${error}`);
      },
      async unknown(row, error) {
        calls.push(`record.unknown ${row}: ${error}`);
      },
    },
    lock: {
      async assertHeld() {
        calls.push('lock.assertHeld');
        if (setup.lockLost) throw new RunLockLost('the run lock was lost');
      },
    },
    stop: stop.signal,
    log: pino({ level: 'silent' }),
  };
  return { delivery, calls, about };
}

describe('deliverNotice: the order of its effects', () => {
  it('accepted: lock checked, intent recorded, message handed over with its row, marked sent', async () => {
    const { delivery, calls, about } = ports();
    expect(await deliverNotice(message, intent, delivery)).toEqual({ status: 'sent', refused: [], problem: null });
    expect(calls).toEqual(['lock.assertHeld', 'record.intent', 'mailer.send', `record.sent ${ROW}`]);
    expect(about).toEqual([{ ...intent, sendId: ROW }]);
  });

  it('refused by the server: marked failed after the send, with its error and refusals', async () => {
    const refused = [{ address: 'pi@uni.edu', reply: '550 5.1.1 no such user' }];
    const { delivery, calls } = ports({ submission: { kind: 'failed', error: 'no recipient accepted the message', refused } });
    expect(await deliverNotice(message, intent, delivery)).toEqual({
      status: 'failed',
      error: 'no recipient accepted the message',
      refused,
      notTried: undefined,
    });
    expect(calls).toEqual(['lock.assertHeld', 'record.intent', 'mailer.send', `record.failed ${ROW}: no recipient accepted the message`]);
  });

  it('handed over whole and never answered: marked unknown, never sent', async () => {
    const { delivery, calls } = ports({ submission: { kind: 'unknown', error: 'no answer after DATA', refused: [] } });
    expect(await deliverNotice(message, intent, delivery)).toEqual({ status: 'unknown', error: 'no answer after DATA', refused: [] });
    expect(calls).toEqual(['lock.assertHeld', 'record.intent', 'mailer.send', `record.unknown ${ROW}: no answer after DATA`]);
  });

  it('not handed over by the mailer (the server out of reach): marked failed, and the reason kept as not tried', async () => {
    const reason = 'the SMTP server could not be reached (ECONNREFUSED)';
    const submission: Submission = { kind: 'failed', error: `not tried: ${reason}`, notTried: reason, refused: [] };
    const { delivery, calls } = ports({ submission });
    expect(await deliverNotice(message, intent, delivery)).toMatchObject({ status: 'failed', notTried: reason });
    expect(calls.at(-1)).toBe(`record.failed ${ROW}: not tried: ${reason}`);
  });

  it('a delivering mailer that only drafted: marked failed, not sent', async () => {
    const { delivery, calls } = ports({ submission: { kind: 'drafted' } });
    expect(await deliverNotice(message, intent, delivery)).toMatchObject({ status: 'failed' });
    expect(calls.at(-1)).toBe(`record.failed ${ROW}: the mailer kept a draft of a message it should have sent`);
  });

  it('nothing is sent when the intent cannot be written', async () => {
    const { delivery, calls } = ports({ intentFails: true });
    expect(await deliverNotice(message, intent, delivery)).toEqual({
      status: 'failed',
      error: 'not sent: the send record could not be written (connection reset)',
      refused: [],
    });
    expect(calls).toEqual(['lock.assertHeld', 'record.intent']);
  });

  it('nothing is recorded or sent when the lock is lost: the run ends', async () => {
    const { delivery, calls } = ports({ lockLost: true });
    await expect(deliverNotice(message, intent, delivery)).rejects.toThrow(RunLockLost);
    expect(calls).toEqual(['lock.assertHeld']);
  });

  it('nothing is recorded or sent after a stop: not tried, for the reason the run stopped', async () => {
    const { delivery, calls } = ports({ stopped: true });
    expect(await deliverNotice(message, intent, delivery)).toEqual({
      status: 'failed',
      error: 'not tried: stopped by SIGTERM',
      notTried: 'stopped by SIGTERM',
      refused: [],
    });
    expect(calls).toEqual([]);
  });

  it('a mailer that throws (a refused login) ends the run after marking the message failed', async () => {
    const { delivery, calls } = ports({ submission: new Error('535 authentication failed') });
    await expect(deliverNotice(message, intent, delivery)).rejects.toThrow('535 authentication failed');
    expect(calls).toEqual(['lock.assertHeld', 'record.intent', 'mailer.send', `record.failed ${ROW}: not sent: 535 authentication failed`]);
  });

  it('a refused login after some copies went out ends the run after marking the message sent, not failed', async () => {
    const login = new Error('535 authentication failed');
    const partly: Submission = {
      kind: 'accepted',
      accepted: ['pi@uni.edu'],
      refused: [{ address: 'cs@gemini.edu', reply: 'not sent: 535 authentication failed' }],
      relay: [],
    };
    const { delivery, calls } = ports({ submission: new PartlySent(login, partly) });
    await expect(deliverNotice(message, intent, delivery)).rejects.toBe(login);
    expect(calls).toEqual(['lock.assertHeld', 'record.intent', 'mailer.send', `record.sent ${ROW}`]);
  });

  it('delivered, but not marked sent: sent, with the problem said (a rerun sends it again)', async () => {
    const { delivery, calls } = ports({ sentFails: true });
    expect(await deliverNotice(message, intent, delivery)).toEqual({
      status: 'sent',
      refused: [],
      problem: 'delivered, but the send record could not be updated (connection reset): a rerun will send it again',
    });
    expect(calls).toEqual(['lock.assertHeld', 'record.intent', 'mailer.send', `record.sent ${ROW}`]);
  });

  it('a dry run hands the draft over and records nothing, without a lock', async () => {
    const { delivery, calls, about } = ports({ delivers: false, submission: { kind: 'drafted' } });
    expect(await deliverNotice(message, intent, { ...delivery, lock: null })).toEqual({ status: 'dry-run' });
    expect(calls).toEqual(['mailer.send']);
    expect(about).toEqual([intent]);
  });
});
