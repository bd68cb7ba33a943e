import { describe, expect, it } from 'vitest';
import { type Address, type EmailAddress, parseEmailAddress } from '../../src/addresses/index.js';
import { ARCHIVE_RESULT_LIMIT, type ArchiveEntry } from '../../src/archive/entry.js';
import { readSelection, type ValidSelection } from '../../src/archive/selection.js';
import type { Night } from '../../src/domain/night.js';
import { composeNotice, type NoticeInput } from '../../src/run/compose.js';
import { archiveEntry } from '../harness/archive-entry.js';

const address = (text: string, name: string | null = null): Address => ({ name, address: parseEmailAddress(text) as EmailAddress });
const selection = (text: string): ValidSelection => {
  const reading = readSelection(text);
  if (reading.kind !== 'valid') throw new Error(`not valid: ${text}`);
  return reading.selection;
};
const file = (name: string): ArchiveEntry => archiveEntry(name);

const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  mode: 'pi',
  notificationId: 101,
  night: '20261126' as Night,
  runNight: '20261126' as Night,
  selection: selection('GN-2026B-Q-1/science'),
  base: 'https://archive.gemini.edu',
  sender: { from: address('archive@gemini.edu', 'Gemini Observatory Archive'), replyTo: address('helpdesk@gemini.edu') },
  recipients: { to: [address('pi@uni.edu', 'Doe, Jane')], cc: [address('cs@gemini.edu')], bcc: [], rejected: ['N/A'] },
  files: [file('N20261126S0001'), file('N20261126S0002')],
  answered: 2,
  previous: undefined,
  date: new Date('2026-11-26T18:00:00Z'),
  uniqueId: 'u1',
  ...over,
});

describe('composeNotice', () => {
  it('PI mode: the old subject, To the PI, Cc the others, Reply-To the helpdesk, a Message-ID naming the notification and night', () => {
    const { message } = composeNotice(input());
    expect(message.subject).toBe('New Data for GN-2026B-Q-1/science');
    expect(message.to.map((a) => a.address)).toEqual(['pi@uni.edu']);
    expect(message.cc.map((a) => a.address)).toEqual(['cs@gemini.edu']);
    expect(message.replyTo?.address).toBe('helpdesk@gemini.edu');
    expect(message.messageId).toBe('<yougotdata.101.20261126.pi.u1@gemini.edu>');
    expect(message.date).toEqual(new Date('2026-11-26T18:00:00Z'));
    expect(message.text).toContain('https://archive.gemini.edu/searchform/night=20261126/GN-2026B-Q-1/science');
    expect(message.text).toContain('N20261126S0002');
  });

  it('CHECK mode: the CHECK subject, no Reply-To, the search link with the CHECK term', () => {
    const { message } = composeNotice(input({ mode: 'check', base: 'http://mkofits-lv1' }));
    expect(message.subject).toBe('Data set to CHECK for GN-2026B-Q-1/science');
    expect(message.replyTo).toBeUndefined();
    expect(message.messageId).toBe('<yougotdata.101.20261126.check.u1@gemini.edu>');
    expect(message.text).toContain('http://mkofits-lv1/searchform/night=20261126/GN-2026B-Q-1/science/CHECK');
  });

  it('a later night than the one found: says the files are late; a follow-up names the earlier notice', () => {
    const { message: late } = composeNotice(input({ night: '20261124' as Night }));
    expect(late.text).toContain('from night 2026-11-24');
    const previous = {
      files: new Set(['x']),
      lastMessage: { id: 3, sentAt: new Date('2026-11-25T18:00:12Z') },
      firstMessageId: '<first@gemini.edu>',
    };
    const followUp = composeNotice(input({ previous }));
    expect(followUp.message.text).toContain('This follows up our notice of 2026-11-25 18:00:12 UTC');
    expect(followUp.message.inReplyTo).toBe('<first@gemini.edu>');
    expect(followUp.intent.followsUp).toBe(3);
  });

  it('the intent is what the send record keeps of the message: its key, recipients, files and Message-ID', () => {
    const bcc = parseEmailAddress('archive-copy@gemini.edu') as EmailAddress;
    const { message, intent } = composeNotice(input({ recipients: { ...input().recipients, bcc: [bcc] } }));
    expect(intent).toEqual({
      notificationId: 101,
      night: '20261126',
      mode: 'pi',
      selection: 'GN-2026B-Q-1/science',
      to: ['pi@uni.edu'],
      cc: ['cs@gemini.edu'],
      bcc: ['archive-copy@gemini.edu'],
      files: ['N20261126S0001', 'N20261126S0002'],
      messageId: message.messageId,
      followsUp: null,
    });
  });

  describe("the archive's result limit", () => {
    const notice = `the archive returns at most ${ARCHIVE_RESULT_LIMIT} files`;
    const files = (count: number) => Array.from({ length: count }, (_, i) => file(`N20261126S${String(i).padStart(4, '0')}`));

    it('an answer at the limit may be cut short: the message says so, however few of its files are new', () => {
      expect(composeNotice(input({ files: files(3), answered: ARCHIVE_RESULT_LIMIT })).message.text).toContain(notice);
      expect(composeNotice(input({ files: files(ARCHIVE_RESULT_LIMIT), answered: ARCHIVE_RESULT_LIMIT })).message.text).toContain(notice);
    });

    it('an answer below the limit is whole: nothing said', () => {
      expect(composeNotice(input({ files: files(3), answered: ARCHIVE_RESULT_LIMIT - 1 })).message.text).not.toContain(notice);
    });
  });

  it('the same input composes the same message', () => {
    expect(composeNotice(input())).toEqual(composeNotice(input()));
  });
});
