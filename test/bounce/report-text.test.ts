import { describe, expect, it } from 'vitest';
import { type RecipientSearch, saysStillTrying, splitReturnedCopy, textRecipients } from '../../src/bounce/report-text.js';

const none: RecipientSearch = { exclude: new Set<string>(), sentTo: null };
const named = (text: string, search = none) => textRecipients(text, search).map((r) => r.address);

describe('textRecipients', () => {
  it.each([
    ['qmail', '<a@example.org>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 no such user', 'a@example.org'],
    ['Exim', 'The following address(es) failed:\n\n  a@example.org\n    Unrouteable address', 'a@example.org'],
    [
      'Sendmail',
      '----- The following addresses had permanent fatal errors -----\n<a@example.org>\n    (reason: 550 5.1.1 User unknown)',
      'a@example.org',
    ],
    ['Exchange', 'The following recipient(s) could not be reached:\n\n      a@example.org on 11/27/2026 7:10 AM', 'a@example.org'],
    ['Gmail', 'Delivery to the following recipient failed permanently:\n\n     a@example.org', 'a@example.org'],
    ['a transcript', '>>> RCPT To:<a@example.org>\n<<< 550 5.1.1 unknown', 'a@example.org'],
    ['a label', 'The following recipients returned permanent errors: a@example.org. Reason: refused', 'a@example.org'],
    ['a sentence', 'There was an error delivering your mail to <a@example.org>.', 'a@example.org'],
    ['a failure word before the address', 'Unknown user: a@example.org', 'a@example.org'],
    ['an address and its reason on one line', 'a@example.org Invalid Address, ERROR_CODE :550', 'a@example.org'],
  ])('reads the %s form', (_, text, address) => {
    expect(named(text)).toEqual([address]);
  });

  it('reads each recipient once, in order, with the lines about it', () => {
    const text = '<a@example.org>:\nmailbox full\n\n<b@example.org>:\nuser unknown <b@example.org>\n';
    const found = textRecipients(text, none);
    expect(found.map((r) => r.address)).toEqual(['a@example.org', 'b@example.org']);
    expect(found[0]?.words).toContain('mailbox full');
    expect(found[0]?.words).not.toContain('user unknown');
    expect(found[1]?.words).toContain('user unknown');
  });

  it('skips the report writer, the report addressee and addresses in prose', () => {
    const text =
      'Please contact <postmaster@relay.example.org>\nmailer-daemon@relay.example.org\nYour friend bob@example.org says hello\nme@archive.example.org\n';
    expect(named(text, { exclude: new Set(['me@archive.example.org']), sentTo: null })).toEqual([]);
  });

  it('reads any mention of an address the message was sent to, and nothing else', () => {
    const text = 'Your friend bob@example.org says hello\n<c@example.org>: user unknown\n';
    expect(named(text, { exclude: new Set(), sentTo: new Set(['bob@example.org']) })).toEqual(['bob@example.org']);
  });
});

describe('splitReturnedCopy', () => {
  it.each([
    ['qmail', '--- Below this line is a copy of the message.'],
    ['Exim', '------ This is a copy of the message, including all the headers. ------'],
    ['Sendmail', '   ----- Original message follows -----'],
    ['DragonFly', 'Message headers follow.'],
  ])('cuts at the %s marker', (_, marker) => {
    const { notification, returned } = splitReturnedCopy(`<a@example.org>: failed\n\n${marker}\n\nTo: b@example.org\n`);
    expect(notification).toContain('a@example.org');
    expect(notification).not.toContain('b@example.org');
    expect(returned).toContain('b@example.org');
  });

  it('cuts where the header fields of a message start', () => {
    const { notification } = splitReturnedCopy('a@example.org: failed\n\nReceived: from x\nFrom: c@example.org\nTo: b@example.org\n\nbody');
    expect(notification).not.toContain('b@example.org');
  });

  it('keeps a text with no copy whole', () => {
    expect(splitReturnedCopy('a@example.org: failed\n').returned).toBe('');
  });
});

describe('saysStillTrying', () => {
  it.each(['THIS IS A WARNING MESSAGE ONLY', 'Will keep trying until message is 5 days old', 'Delivery has been delayed'])(
    '%j is a delay',
    (text) => {
      expect(saysStillTrying(text)).toBe(true);
    },
  );

  it.each(["I've given up", 'This is a permanent error'])('%j is not', (text) => {
    expect(saysStillTrying(text)).toBe(false);
  });
});
