import { describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import { handlesOf, matchReport, reportedAddresses, tokenOf } from '../../src/delivery/match.js';
import { BounceTokens } from '../../src/mail/bounce-token.js';
import { failed, nothingFound, reading, sent } from './samples.js';

const tokens = new BounceTokens('fitsdata-bounces@gemini.test' as EmailAddress, 'a secret of the tests, 0123456789');
const other = new BounceTokens('fitsdata-bounces@gemini.test' as EmailAddress, 'another secret entirely, 98765');
const to = (address: string, from: 'envelope' | 'delivered-to' | 'to' = 'to') => ({ address, from });

describe('the token of a report', () => {
  it('is the first valid one among the addresses the report was delivered to', () => {
    const r = reading({
      deliveryAddresses: [
        to('fitsdata-bounces@gemini.test', 'envelope'),
        to(tokens.senderFor(17, 2), 'delivered-to'),
        to(tokens.senderFor(9, 0)),
      ],
    });
    expect(tokenOf(r, tokens)).toEqual({ kind: 'valid', sendId: 17, recipient: 2 });
  });

  it('is forged when one names a row but no signature holds, and valid wins over forged', () => {
    expect(tokenOf(reading({ deliveryAddresses: [to(other.senderFor(17, 0))] }), tokens)).toEqual({ kind: 'forged', claimed: '17' });
    const both = reading({ deliveryAddresses: [to(other.senderFor(17, 0), 'envelope'), to(tokens.senderFor(18, 1))] });
    expect(tokenOf(both, tokens)).toEqual({ kind: 'valid', sendId: 18, recipient: 1 });
  });

  it('is none for a plus address of another domain or mailbox, and none when no bounce address is set', () => {
    const r = reading({ deliveryAddresses: [to('someone+17-0-abc@elsewhere.test'), to('fitsdata+17@gemini.test')] });
    expect(tokenOf(r, tokens)).toEqual({ kind: 'none' });
    expect(tokenOf(reading({ deliveryAddresses: [to(tokens.senderFor(17, 0))] }), null)).toEqual({ kind: 'none' });
  });

  it('survives a server that upper-cases the local part', () => {
    const r = reading({ deliveryAddresses: [to(tokens.senderFor(17, 3).toUpperCase())] });
    expect(tokenOf(r, tokens)).toEqual({ kind: 'valid', sendId: 17, recipient: 3 });
  });
});

describe('the handles a report is looked up by', () => {
  const at = new Date('2026-12-03T08:01:13Z');

  it('are the envelope id in brackets, every quoted Message-ID, the queue ids and every address it names', () => {
    const r = reading({
      envelopeId: '<yougotdata.101.20261202.pi.u1@gemini.test>',
      returnedMessageIds: ['<yougotdata.101.20261202.pi.u1@gemini.test>', '<other@x.test>'],
      referencedMessageIds: ['<ref@x.test>'],
      queueIds: ['4AAA'],
      recipients: [failed('new.jane@elsewhere.test', { originalRecipient: 'jane.doe@uni.test' })],
    });
    const handles = handlesOf(r, { kind: 'valid', sendId: 17, recipient: 0 }, at);
    expect(handles).toEqual({
      sendId: 17,
      messageIds: ['<yougotdata.101.20261202.pi.u1@gemini.test>', '<other@x.test>', '<ref@x.test>'],
      queueIds: ['4AAA'],
      addresses: ['new.jane@elsewhere.test', 'jane.doe@uni.test'],
      sentBetween: { from: new Date('2026-11-03T08:01:13Z'), to: new Date('2026-12-03T09:01:13Z') },
    });
  });

  it('name no row for a forged token, and the complainants and the responder of answers', () => {
    expect(handlesOf(reading(), { kind: 'forged', claimed: '17' }, at).sendId).toBeNull();
    const complaint = reading({
      kind: 'complaint',
      complaint: { feedbackType: 'abuse', complainants: ['ngo@office.test'] },
    });
    expect(reportedAddresses(complaint)).toEqual(['ngo@office.test']);
    const reply = reading({ kind: 'auto-reply', autoReply: { responder: 'cs@gemini.test', evidence: 'subject' } });
    expect(reportedAddresses(reply)).toEqual(['cs@gemini.test']);
  });
});

describe('matching a report to the send record', () => {
  const message = sent();

  it('by token: the row it names, and the recipient at its place in To, Cc and Bcc', () => {
    const match = matchReport(reading(), { kind: 'valid', sendId: 17, recipient: 3 }, { ...nothingFound, byId: message });
    expect(match).toMatchObject({ state: 'matched', by: 'token', sendId: 17, recipient: 'copies@gemini.test' });
  });

  it('a forged token marks nothing, whatever else the report carries', () => {
    const r = reading({ envelopeId: '<yougotdata.101.20261202.pi.u1@gemini.test>' });
    const match = matchReport(r, { kind: 'forged', claimed: '17' }, { ...nothingFound, byMessageId: [message] });
    expect(match).toEqual({ state: 'forged', claimed: '17' });
  });

  it('a valid token for a row the record no longer has: the other handles are tried', () => {
    const r = reading({ envelopeId: '<yougotdata.101.20261202.pi.u1@gemini.test>' });
    const match = matchReport(r, { kind: 'valid', sendId: 16, recipient: 0 }, { ...nothingFound, byMessageId: [message] });
    expect(match).toMatchObject({ state: 'matched', by: 'envelope-id', sendId: 17, recipient: null });
  });

  it('by the Original-Envelope-Id, before a Message-ID quoted in the report', () => {
    const earlier = sent({ id: 12, messageId: '<yougotdata.101.20261201.pi.u0@gemini.test>' });
    const r = reading({ envelopeId: '<yougotdata.101.20261202.pi.u1@gemini.test>', returnedMessageIds: [earlier.messageId] });
    expect(matchReport(r, { kind: 'none' }, { ...nothingFound, byMessageId: [earlier, message] })).toMatchObject({
      by: 'envelope-id',
      sendId: 17,
    });
  });

  it('by a Message-ID the report quotes, or one an automatic reply answers', () => {
    const quoted = reading({ returnedMessageIds: ['<else@x.test>', message.messageId] });
    expect(matchReport(quoted, { kind: 'none' }, { ...nothingFound, byMessageId: [message] })).toMatchObject({ by: 'message-id' });
    const answer = reading({ kind: 'auto-reply', referencedMessageIds: [message.messageId] });
    expect(matchReport(answer, { kind: 'none' }, { ...nothingFound, byMessageId: [message] })).toMatchObject({ by: 'message-id' });
  });

  it('by the relay queue id: the recipient of that transaction when it had one, else none', () => {
    const one = matchReport(reading({ queueIds: ['4BBB'] }), { kind: 'none' }, { ...nothingFound, byQueueId: [message] });
    expect(one).toMatchObject({ by: 'queue-id', sendId: 17, recipient: 'ngo@office.test' });
    const two = matchReport(reading({ queueIds: ['4CCC'] }), { kind: 'none' }, { ...nothingFound, byQueueId: [message] });
    expect(two).toMatchObject({ by: 'queue-id', recipient: null });
  });

  it('by address, probably: the newest message the server accepted for a failed address, case ignored', () => {
    const older = sent({ id: 9, sentAt: new Date('2026-11-30T08:00:00Z') });
    const r = reading({ recipients: [failed('jane.doe@UNI.test')] });
    expect(matchReport(r, { kind: 'none' }, { ...nothingFound, byAddress: [message, older] })).toMatchObject({
      by: 'address',
      sendId: 17,
      recipient: 'Jane.Doe@uni.test',
    });
  });

  it('a message of one recipient names it, whatever the handle', () => {
    const alone = sent({ recipients: ['pi@uni.test'], accepted: ['pi@uni.test'], relay: [] });
    const r = reading({ returnedMessageIds: [alone.messageId] });
    expect(matchReport(r, { kind: 'none' }, { ...nothingFound, byMessageId: [alone] })).toMatchObject({ recipient: 'pi@uni.test' });
  });

  it('nothing found: unmatched; a row found under a handle the report does not carry matches nothing', () => {
    expect(matchReport(reading(), { kind: 'none' }, nothingFound)).toEqual({ state: 'unmatched' });
    const r = reading({ queueIds: ['4ZZZ'], recipients: [failed('someone@else.test')] });
    expect(matchReport(r, { kind: 'none' }, { ...nothingFound, byQueueId: [message], byAddress: [message] })).toEqual({
      state: 'unmatched',
    });
  });

  it('in a dry run (no record read) only a valid token matches, by its row alone', () => {
    expect(matchReport(reading(), { kind: 'valid', sendId: 17, recipient: 1 }, null)).toEqual({
      state: 'matched',
      by: 'token',
      sendId: 17,
      message: null,
      recipient: null,
    });
    expect(matchReport(reading({ envelopeId: '<x@y>' }), { kind: 'none' }, null)).toEqual({ state: 'unmatched' });
    expect(matchReport(reading(), { kind: 'forged', claimed: '3' }, null)).toEqual({ state: 'forged', claimed: '3' });
  });
});
