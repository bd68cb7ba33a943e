import { describe, expect, it } from 'vitest';
import { eventsOf } from '../../src/delivery/events.js';
import type { Match } from '../../src/delivery/match.js';
import { failed, reading, sent } from './samples.js';

const message = sent();
const at = new Date('2026-12-03T08:01:13Z');
const by = (how: Extract<Match, { state: 'matched' }>['by'], recipient: string | null = null) => ({
  state: 'matched' as const,
  by: how,
  sendId: message.id,
  message,
  recipient,
});

describe('the events of a matched report', () => {
  it('file a failure under the address the token names, with where delivery really failed', () => {
    const r = reading({ recipients: [failed('jane@new-home.test', { originalRecipient: 'jane@new-home.test' })] });
    expect(eventsOf(r, by('token', 'Jane.Doe@uni.test'), at)).toEqual([
      {
        address: 'Jane.Doe@uni.test',
        finalRecipient: 'jane@new-home.test',
        sendId: 17,
        action: 'failed',
        status: '5.1.1',
        replyCode: '550',
        class: 'dead-address',
        hard: true,
        diagnostic: '550 5.1.1 <jane@new-home.test>: User unknown',
        remoteMta: 'mx.uni.test',
        occurredAt: at,
      },
    ]);
  });

  it('without a recipient from the handle: the Original-Recipient, else the failed address, as the message was sent', () => {
    const r = reading({
      recipients: [
        failed('forwarded@else.test', { originalRecipient: 'jane.doe@uni.test' }),
        failed('NGO@office.test', { action: 'delayed', status: '4.2.2', class: 'mailbox-full', hard: false }),
        failed('stranger@else.test'),
      ],
    });
    expect(eventsOf(r, by('message-id'), at).map((e) => [e.address, e.finalRecipient, e.action])).toEqual([
      ['Jane.Doe@uni.test', 'forwarded@else.test', 'failed'],
      ['ngo@office.test', 'NGO@office.test', 'delayed'],
      ['stranger@else.test', 'stranger@else.test', 'failed'],
    ]);
  });

  it('record an automatic reply and a complaint as answers of the address, never as failures', () => {
    const reply = reading({ kind: 'auto-reply', autoReply: { responder: 'CS@gemini.test', evidence: 'subject' } });
    expect(eventsOf(reply, by('message-id'), at)).toMatchObject([
      { address: 'cs@gemini.test', action: 'auto-replied', class: null, hard: false, status: null },
    ]);
    const complaint = reading({
      kind: 'complaint',
      complaint: { feedbackType: 'abuse', complainants: ['ngo@office.test'] },
    });
    expect(eventsOf(complaint, by('token', 'ngo@office.test'), at)).toMatchObject([{ address: 'ngo@office.test', action: 'complained' }]);
    const anonymous = reading({
      kind: 'complaint',
      complaint: { feedbackType: 'abuse', complainants: [] },
    });
    expect(eventsOf(anonymous, by('token', 'cs@gemini.test'), at)).toMatchObject([{ address: 'cs@gemini.test', action: 'complained' }]);
  });

  it('are none for mail that is no report, and one per failed address when a report names it twice', () => {
    expect(eventsOf(reading({ kind: 'not-a-bounce' }), by('token', 'cs@gemini.test'), at)).toEqual([]);
    expect(eventsOf(reading({ kind: 'unreadable' }), by('token', 'cs@gemini.test'), at)).toEqual([]);
    const twice = reading({ recipients: [failed('jane.doe@uni.test'), failed('JANE.DOE@uni.test', { status: '5.0.0' })] });
    expect(eventsOf(twice, by('message-id'), at).map((e) => e.status)).toEqual(['5.1.1']);
  });
});
