import { describe, expect, it } from 'vitest';
import { fieldValues, hasRecipientFields, parseDeliveryStatus, typedAddress, typedText } from '../../src/bounce/delivery-status.js';

const recipients = (text: string) => parseDeliveryStatus(text).perRecipient.map((f) => Object.fromEntries(f));

describe('parseDeliveryStatus', () => {
  it('reads the per-message group and each recipient group', () => {
    const status = parseDeliveryStatus(
      'Reporting-MTA: dns; relay.example.org\nOriginal-Envelope-Id: abc\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.4.1\n',
    );
    expect(Object.fromEntries(status.perMessage)).toEqual({ 'reporting-mta': 'dns; relay.example.org', 'original-envelope-id': 'abc' });
    expect(status.perRecipient.map((f) => f.get('final-recipient'))).toEqual(['rfc822; a@example.org', 'rfc822; b@example.org']);
  });

  it('unfolds a folded field', () => {
    const [first] = recipients(
      'Reporting-MTA: dns; x.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nDiagnostic-Code: smtp; 550 5.1.1 user\n    unknown here\n',
    );
    expect(first?.['diagnostic-code']).toBe('smtp; 550 5.1.1 user unknown here');
  });

  it('accepts CRLF, field names in any case and a space before the colon', () => {
    const [first] = recipients('Reporting-MTA: dns; x.example\r\n\r\nFINAL-RECIPIENT : rfc822; a@example.org\r\naction: Failed\r\n');
    expect(first).toEqual({ 'final-recipient': 'rfc822; a@example.org', action: 'Failed' });
  });

  it.each([
    [
      'Original-Recipient before Final-Recipient',
      'Original-Recipient: rfc822; a@x.example\nFinal-Recipient: rfc822; a@x.example\nAction: failed\nOriginal-Recipient: rfc822; b@x.example\nFinal-Recipient: rfc822; b@x.example\nAction: failed\n',
    ],
    [
      'Original-Recipient after Final-Recipient',
      'Final-Recipient: rfc822; a@x.example\nOriginal-Recipient: rfc822; a@x.example\nAction: failed\nFinal-Recipient: rfc822; b@x.example\nOriginal-Recipient: rfc822; b@x.example\nAction: failed\n',
    ],
  ])('splits recipients with no blank line between them: %s', (_, body) => {
    const blocks = recipients(`Reporting-MTA: dns; x.example\n\n${body}`);
    expect(blocks.map((b) => [b['final-recipient'], b['original-recipient']])).toEqual([
      ['rfc822; a@x.example', 'rfc822; a@x.example'],
      ['rfc822; b@x.example', 'rfc822; b@x.example'],
    ]);
  });

  it('takes a first group that names a recipient as a recipient', () => {
    const status = parseDeliveryStatus('Final-Recipient: rfc822; a@example.org\nAction: failed\n');
    expect(status.perMessage.size).toBe(0);
    expect(status.perRecipient).toHaveLength(1);
  });

  it('stops at prose or a copy of the message after the fields', () => {
    const blocks = recipients(
      'Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n\nThis is the returned message.\nFrom: someone@example.org\n',
    );
    expect(blocks).toHaveLength(1);
  });

  it('skips groups that say nothing of a recipient', () => {
    expect(recipients('Reporting-MTA: dns; x\n\nX-Something: y\n\n')).toEqual([]);
  });

  it('reads nothing from nothing', () => {
    expect(parseDeliveryStatus('')).toEqual({ perMessage: new Map(), perRecipient: [] });
  });
});

describe('fieldValues', () => {
  it('returns each value of a repeated field', () => {
    expect(fieldValues('Feedback-Type: abuse\nOriginal-Rcpt-To: a@x.example\nOriginal-Rcpt-To: b@x.example\n', 'original-rcpt-to')).toEqual(
      ['a@x.example', 'b@x.example'],
    );
  });
});

describe('typedAddress', () => {
  it.each([
    ['rfc822; a@example.org', 'a@example.org'],
    ['RFC822;<a@example.org>', 'a@example.org'],
    ['rfc822;"quoted..local"@example.org', '"quoted..local"@example.org'],
    ['utf-8; j\\x{00E9}r\\x{00F4}me@example.fr', 'jérôme@example.fr'],
    ['utf-8; x\\x{110000}y@example.fr', 'x\\x{110000}y@example.fr'],
    ['rfc822; @relay.example.net:a@example.org', 'a@example.org'],
    ['rfc822; |/usr/local/bin/filter a@example.org /home/a/.filter', 'a@example.org'],
    ['a@example.org', 'a@example.org'],
  ])('%j → %j', (value, address) => {
    expect(typedAddress(value)).toBe(address);
  });

  it.each([undefined, '', 'rfc822; @mx.example.org', 'rfc822; user@mailhub', 'rfc822; nobody'])('%j names no mailbox', (value) => {
    expect(typedAddress(value)).toBeNull();
  });
});

describe('typedText', () => {
  it.each([
    ['dns; mx.example.org', 'mx.example.org'],
    ['smtp;  550 5.1.1   unknown', '550 5.1.1 unknown'],
    ['X-Postfix; host said: 550', 'host said: 550'],
    ['550 no type given', '550 no type given'],
  ])('%j → %j', (value, text) => {
    expect(typedText(value)).toBe(text);
  });

  it.each([undefined, '', 'smtp;'])('%j is nothing', (value) => {
    expect(typedText(value)).toBeNull();
  });
});

describe('hasRecipientFields', () => {
  it('finds delivery-status fields in text that lost its MIME structure', () => {
    expect(hasRecipientFields('blah\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n')).toBe(true);
    expect(hasRecipientFields('The recipient a@example.org failed.\nAction: none')).toBe(false);
  });
});
