import { describe, expect, it } from 'vitest';
import { classify, enhancedStatus, isHard, replyCode } from '../../src/bounce/failure-class.js';

describe('enhancedStatus', () => {
  it.each([
    ['5.1.1', '5.1.1'],
    ['5.1.1 (permanent failure)', '5.1.1'],
    ['550-5.1.1 The email account', '5.1.1'],
    ['(#5.1.1)', '5.1.1'],
    ['4.4.7', '4.4.7'],
    ['5.1.10 null MX', '5.1.10'],
    ['5.7.26 Unauthenticated', '5.7.26'],
    ["5.1.0 - Unknown address error 550-'5.7.1 Access denied'", '5.7.1'],
    ['5.0.0 then 5.0.0', '5.0.0'],
  ])('%j → %s', (text, status) => {
    expect(enhancedStatus(text)).toBe(status);
  });

  it.each([null, '', 'no code', '192.0.2.5.1.1', 'version 5.1.1.2', '3.1.1', '25.1.1'])('%j has no status code', (text) => {
    expect(enhancedStatus(text)).toBeNull();
  });
});

describe('replyCode', () => {
  it.each([
    ['550 5.1.1 user unknown', '550'],
    ['smtp; 550-5.7.1 blocked', '550'],
    ['host mx[192.0.2.1] said: 452 4.2.2 full', '452'],
    ['Remote host said: 554 delivery error', '554'],
    ['554: delivery error: dd', '554'],
    ['<<< 421 try later', '421'],
  ])('%j → %s', (text, code) => {
    expect(replyCode(text)).toBe(code);
  });

  it.each([null, 'port 2525 closed', '5500 bytes', 'at 12:55:00', '650 nonsense'])('%j has no reply code', (text) => {
    expect(replyCode(text)).toBeNull();
  });
});

describe('classify', () => {
  it.each([
    ['5.1.1', 'whatever', 'dead-address'],
    ['5.1.2', null, 'dead-address'],
    ['5.1.6', null, 'dead-address'],
    ['5.1.10', null, 'dead-address'],
    ['4.1.1', null, 'dead-address'],
    ['5.2.2', null, 'mailbox-full'],
    ['4.2.2', 'over quota', 'mailbox-full'],
    ['4.4.7', null, 'expired'],
    ['5.7.1', 'Relay access denied', 'policy'],
    ['5.7.26', 'Unauthenticated email is not accepted due to DMARC policy', 'policy'],
    ['5.7.1', 'Message rejected as spam by Content Filtering', 'spam-block'],
    ['5.7.1', 'Recipient address rejected: user unknown', 'policy'],
    ['5.1.8', 'Sender address rejected: Domain not found', 'policy'],
    ['5.3.4', 'Message too big', 'other'],
  ])('status %s with %j is %s', (status, text, expected) => {
    expect(classify(status, [text])).toBe(expected);
  });

  it.each([
    ['550 User unknown', 'dead-address'],
    ['Sorry, no mailbox here by that name. (#5.1.1)', 'dead-address'],
    ["This user doesn't have a yahoo.example.com account", 'dead-address'],
    ['The e-mail account does not exist at the organization', 'dead-address'],
    ['Unrouteable address', 'dead-address'],
    ['Host or domain name not found. Name service error for name=x.example type=A: Host not found', 'dead-address'],
    ["Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)", 'dead-address'],
    ['Destination mailbox has moved, no forwarding address', 'dead-address'],
    ['Name service error for domain example.com: Host not found, try again', 'other'],
    ['The email account that you tried to reach is disabled', 'other'],
    ['552 Mailbox quota exceeded', 'mailbox-full'],
    ['Mailbox full', 'mailbox-full'],
    ['Retry timeout exceeded', 'expired'],
    ["I'm not going to try again; this message has been in the queue too long.", 'expired'],
    ['Client host [192.0.2.1] blocked using zen.spamhaus.example', 'policy'],
    ['SPF validation failed', 'policy'],
    ['Connected to 192.0.2.1 but my name was rejected. Invalid domain name', 'policy'],
    ['Message rejected because it looks like spam', 'spam-block'],
    ['554 delivery error', 'other'],
    ['Invalid final delivery userid: ann.pi@example.org', 'dead-address'],
    ['User  not listed in public Name & Address Book', 'dead-address'],
    ['ユーザー Ann (ann.pi@example.co.jp) は Domino ディレクトリには見つかりません。', 'dead-address'],
    ['ディレクトリのリストにありません', 'dead-address'],
    ['Based on the email preferences of the person you are trying to email, this message could not be delivered', 'spam-block'],
    ["The email you sent was rejected by the recipient's filters", 'spam-block'],
    ['550 Requested action not taken: mailbox unavailable', 'other'],
  ])('wording %j is %s', (text, expected) => {
    expect(classify(null, [text])).toBe(expected);
    expect(classify('5.0.0', [text])).toBe(expected);
  });

  it('reads the second text when the first says nothing', () => {
    expect(classify(null, [null, 'nothing useful', 'User unknown'])).toBe('dead-address');
  });

  it('does not call an address dead when the server refused only the message, after DATA', () => {
    expect(classify('5.0.0', ['550 Unknown user a@example.org (in reply to end of DATA command)'])).toBe('spam-block');
    expect(classify('5.0.0', ['550 User unknown (in reply to RCPT TO command)'])).toBe('dead-address');
    expect(classify('5.1.1', ['550 5.1.1 User unknown (in reply to end of DATA command)'])).toBe('dead-address');
  });

  it('reads an answer to DATA in a transcript as after DATA, and pipelined answers to RCPT TO as not', () => {
    const toData = [
      '... while talking to mx.example.org.:',
      '>>> DATA',
      '<<< 550 Unknown user ann.pi@example.org',
      '554 5.0.0 Service unavailable',
    ];
    expect(classify('5.0.0', [toData.join('\n')])).toBe('spam-block');
    const pipelined = [
      '... while talking to mx.example.org.:',
      '>>> DATA',
      '<<< 550 <ann.pi@example.org>... User unknown',
      '550 <ann.pi@example.org>... User unknown',
      '<<< 503 5.0.0 Need RCPT (recipient)',
    ];
    expect(classify('5.0.0', [pipelined.join('\n')])).toBe('dead-address');
    expect(classify('5.0.0', ['>>> RCPT To:<ann.pi@example.org>\n<<< 550 Unknown user ann.pi@example.org'])).toBe('dead-address');
  });

  it('keeps a user that has no account where it is documented to be said after DATA', () => {
    const words = "554 delivery error: dd This user doesn't have a yahoo.example.com account (ann.pi@yahoo.example.com) [0]";
    expect(classify('5.0.0', [`>>> DATA\n<<< ${words}\n554 5.0.0 Service unavailable`])).toBe('dead-address');
    expect(classify('5.0.0', [`${words} (in reply to end of DATA command)`])).toBe('dead-address');
  });

  it('reads "unknown user" with X.2.0, which says the mailbox exists, as a filter', () => {
    expect(classify('5.2.0', ['550 Unknown user ann.pi@example.org'])).toBe('spam-block');
    expect(classify('5.2.0', ['550 Mailbox full'])).toBe('mailbox-full');
    expect(classify('5.0.0', ['550 Unknown user ann.pi@example.org'])).toBe('dead-address');
  });

  it("reads au's answer without an address as its user's filter, and with the address as unknown", () => {
    expect(classify('5.0.0', ['550 : User unknown'], 'ann.pi@ezweb.ne.jp')).toBe('spam-block');
    expect(classify(null, ['550: : User unknown'], 'ann.pi@au.com')).toBe('spam-block');
    expect(classify('5.0.0', ['550 <ann.pi@ezweb.ne.jp>: User unknown'], 'ann.pi@ezweb.ne.jp')).toBe('dead-address');
    expect(classify('5.0.0', ['550 : User unknown'], 'ann.pi@example.org')).toBe('dead-address');
    expect(classify('5.0.0', ['550 : User unknown'])).toBe('dead-address');
  });

  it('lets words that name another reason than the address outweigh an X.1.1 code', () => {
    expect(classify('5.1.1', ['552 sorry, mailbox ann.pi@example.org is over quota temporarily (#5.1.1)'])).toBe('mailbox-full');
    expect(classify('5.1.1', ['550 5.1.1 RCP-P2 Refused due to recipient preferences'])).toBe('spam-block');
    expect(classify('5.1.1', ['550 5.1.1 <ann.pi@example.org> - 192.0.2.7 has sent to too many recipients this hour'])).toBe('policy');
    expect(classify('5.1.1', ['550 5.1.1 <ann.pi@example.org>: User unknown; too many recipients'])).toBe('dead-address');
    expect(classify('5.1.1', ['550 5.1.1 Access denied'])).toBe('dead-address');
    expect(classify('5.1.1', ['550 5.1.1 Mailbox does not exist'])).toBe('dead-address');
  });

  it('reads a host or domain that takes no mail at all as dead, whatever the code', () => {
    expect(classify('5.7.27', ['550 Host does not accept mail'])).toBe('dead-address');
    expect(classify(null, ['556 Domain does not accept mail'])).toBe('dead-address');
    expect(classify('5.7.27', ['550 5.7.27 Sender domain does not accept mail'])).toBe('policy');
    expect(classify('5.7.1', ['This host does not accept mail from domains whose servers reject the postmaster address'])).toBe('policy');
  });

  it("does not take Zoho's label before every failure for the reason", () => {
    const zoho = 'ann.pi@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :Requested action not taken: mailbox unavailable';
    expect(classify(null, [zoho])).toBe('other');
    expect(classify(null, [zoho.replace('Requested action not taken: mailbox unavailable', '5.1.1 User unknown')])).toBe('dead-address');
    expect(classify(null, ['ann.pi@example.org: Invalid address'])).toBe('dead-address');
  });

  it('says other when nothing is known', () => {
    expect(classify(null, [])).toBe('other');
    expect(classify('5.0.0', [null])).toBe('other');
  });
});

describe('isHard', () => {
  it.each([
    ['failed', 'dead-address', '5.1.1', '550', true],
    ['failed', 'dead-address', null, null, true],
    ['failed', 'dead-address', null, '550', true],
    ['failed', 'dead-address', '4.1.1', '450', false],
    ['failed', 'dead-address', null, '450', false],
    ['delayed', 'dead-address', '5.1.1', null, false],
    ['failed', 'mailbox-full', '5.2.2', '552', false],
    ['failed', 'policy', '5.7.1', '550', false],
  ] as const)('%s %s %s %s → %s', (action, failureClass, status, reply, hard) => {
    expect(isHard(action, failureClass, status, reply)).toBe(hard);
  });
});
