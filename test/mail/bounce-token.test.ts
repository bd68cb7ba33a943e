import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EmailAddress, parseEmailAddress } from '../../src/addresses/index.js';
import { SettingError } from '../../src/config/setting-error.js';
import { BounceTokens } from '../../src/mail/bounce-token.js';

const address = (text: string) => parseEmailAddress(text) as EmailAddress;
const SECRET = 'a3f1c9e07b52d846a3f1c9e07b52d846';
const tokens = new BounceTokens(address('fitsdata-bounces@gemini.edu'), SECRET);

describe('the bounce token', () => {
  it('puts the row, the recipient and an HMAC after a + in the local part, keeping the domain', () => {
    const sender = tokens.senderFor(1234, 2);
    expect(sender).toMatch(/^fitsdata-bounces\+1234-2-[0-9a-f]{16}@gemini\.edu$/);
    expect(tokens.read(sender)).toEqual({ kind: 'valid', sendId: 1234, recipient: 2 });
  });

  it('reads back every row and recipient it makes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 999 }), (sendId, recipient) => {
        expect(tokens.read(tokens.senderFor(sendId, recipient))).toEqual({ kind: 'valid', sendId, recipient });
      }),
    );
  });

  it('stays within the 64 characters of a local part for the largest row and recipient', () => {
    const longest = new BounceTokens(address(`${'b'.repeat(23)}@gemini.edu`), SECRET).senderFor(Number.MAX_SAFE_INTEGER, 999);
    expect(longest.split('@')[0]?.length).toBeLessThanOrEqual(64);
  });

  it('reads a token whose case a server changed, and one in angle brackets', () => {
    const sender = tokens.senderFor(77, 0);
    expect(tokens.read(sender.toUpperCase())).toEqual({ kind: 'valid', sendId: 77, recipient: 0 });
    expect(tokens.read(`<${sender}>`)).toEqual({ kind: 'valid', sendId: 77, recipient: 0 });
    expect(tokens.read(`  ${sender.replace('fitsdata-bounces', 'FitsData-Bounces')}\n`)).toEqual({
      kind: 'valid',
      sendId: 77,
      recipient: 0,
    });
  });

  it('is forged when the HMAC does not match: another secret, another row or recipient, a changed digit', () => {
    const sender = tokens.senderFor(1234, 2);
    const other = new BounceTokens(address('fitsdata-bounces@gemini.edu'), 'another secret, just as long');
    expect(other.read(sender)).toEqual({ kind: 'forged', claimed: '1234' });
    expect(tokens.read(sender.replace('+1234-', '+1235-'))).toEqual({ kind: 'forged', claimed: '1235' });
    expect(tokens.read(sender.replace('-2-', '-1-'))).toEqual({ kind: 'forged', claimed: '1234' });
    const mac = /-([0-9a-f]{16})@/.exec(sender)?.[1] as string;
    const flipped = mac.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(tokens.read(sender.replace(mac, flipped))).toEqual({ kind: 'forged', claimed: '1234' });
  });

  it('is forged when cut short anywhere after the row id, or written with leading zeros', () => {
    const sender = tokens.senderFor(1234, 2);
    const local = sender.split('@')[0] as string;
    for (let end = 'fitsdata-bounces+1234'.length; end < local.length; end += 1) {
      expect(tokens.read(`${local.slice(0, end)}@gemini.edu`), local.slice(0, end)).toEqual({ kind: 'forged', claimed: '1234' });
    }
    expect(tokens.read(sender.replace('+1234-', '+01234-'))).toEqual({ kind: 'forged', claimed: '01234' });
    expect(tokens.read(sender.replace('-2-', '-02-'))).toEqual({ kind: 'forged', claimed: '1234' });
    // Past any row id (and JavaScript's exact integers): a claim, kept as written.
    expect(tokens.read(sender.replace('+1234-', '+9999999999999999999-'))).toEqual({ kind: 'forged', claimed: '9999999999999999999' });
  });

  it('finds no token in other addresses, the bare bounce address or garbage', () => {
    const sender = tokens.senderFor(1234, 2);
    for (const text of [
      'fitsdata-bounces@gemini.edu',
      'fitsdata-bounces+@gemini.edu',
      'fitsdata-bounces+hello@gemini.edu',
      'fitsdata-bounces+-1-abc@gemini.edu',
      'fitsdata-bounces+1234x@gemini.edu',
      sender.replace('@gemini.edu', '@gemini.org'),
      sender.replace('fitsdata-bounces', 'fitsdata-bounce'),
      sender.replace('fitsdata-bounces', 'xfitsdata-bounces'),
      'MAILER-DAEMON',
      '',
      '<>',
      'jane.doe@uni.test',
      '@@@',
    ]) {
      expect(tokens.read(text), text).toEqual({ kind: 'none' });
    }
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(['valid', 'forged', 'none']).toContain(tokens.read(text).kind);
        expect(tokens.read(`fitsdata-bounces+${text}@gemini.edu`).kind).not.toBe('valid');
      }),
    );
  });

  it('names the bare bounce address for mail without a row', () => {
    expect(tokens.address).toBe('fitsdata-bounces@gemini.edu');
  });

  it('refuses an address that already has a +, or leaves no room, and a short secret, as setting errors', () => {
    const made =
      (text: string, secret = SECRET) =>
      () =>
        new BounceTokens(address(text), secret);
    expect(made('fitsdata+bounces@gemini.edu')).toThrow(SettingError);
    expect(made('fitsdata+bounces@gemini.edu')).toThrow(/^BOUNCE_ADDRESS must not contain "\+"/);
    expect(made(`${'b'.repeat(24)}@gemini.edu`)).toThrow(/^BOUNCE_ADDRESS needs a local part of at most 23 characters/);
    expect(made('fitsdata-bounces@gemini.edu', 'short')).toThrow(/^BOUNCE_SECRET must be at least 16 characters/);
  });
});

describe('the token of a bounce a relay wrote', () => {
  it('is read from the To of the report Postfix sent back (test/fixtures/bounces)', async () => {
    const { simpleParser } = await import('mailparser');
    const raw = readFileSync(new URL('../fixtures/bounces/postfix-5.1.1-user-unknown.eml', import.meta.url));
    const bounce = await simpleParser(raw);
    const fixtureTokens = new BounceTokens(address('fitsdata-bounces@gemini.test'), 'test-only secret: 8f1d2c3b4a5e6f7081928374');
    const to = Array.isArray(bounce.to) ? bounce.to[0] : bounce.to;
    expect(fixtureTokens.read(to?.value[0]?.address ?? '')).toEqual({ kind: 'valid', sendId: 1, recipient: 0 });
    expect(tokens.read(to?.value[0]?.address ?? '')).toEqual({ kind: 'none' });
  });
});
