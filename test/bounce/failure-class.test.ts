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
