import fc from 'fast-check';
import MimeNode from 'nodemailer/lib/mime-node';
import { toASCII } from 'tr46';
import { describe, expect, it } from 'vitest';
import { addressKey, asciiAddress, asciiDomain, comparedAs, type EmailAddress, sameAddress } from '../../src/addresses/email-address.js';
import { parseEmailAddress } from '../../src/addresses/index.js';

describe('parseEmailAddress', () => {
  it.each([
    ['foo@bar.com', 'foo@bar.com'],
    [' archive@gemini.edu\n', 'archive@gemini.edu'],
    ['First.Last@NOIRLab.EDU', 'First.Last@NOIRLab.EDU'],
    ["pat.o'brien+gemini@dias.ie", "pat.o'brien+gemini@dias.ie"],
    ['a_b-c@sub-domain.example.co.uk', 'a_b-c@sub-domain.example.co.uk'],
    ['jm@müller.de', 'jm@müller.de'],
    ['x@xn--mller-kva.de', 'x@xn--mller-kva.de'],
    [`${'a'.repeat(64)}@gemini.edu`, `${'a'.repeat(64)}@gemini.edu`],
  ])('accepts %j', (text, expected) => {
    expect(parseEmailAddress(text)).toBe(expected);
  });

  it.each([
    '',
    'foo',
    'a@b',
    'a@@b.com',
    'a@b@c.com',
    '@gemini.edu',
    'jdoe@',
    '"a b"@gemini.edu',
    'a b@gemini.edu',
    'Gemini <archive@gemini.edu>',
    '<archive@gemini.edu>',
    'mailto:archive@gemini.edu',
    'archive@gemini.edu.',
    '.a@gemini.edu',
    'a.@gemini.edu',
    'a..b@gemini.edu',
    'a*b@gemini.edu',
    'pepé@uni.es',
    'a@-gemini.edu',
    'a@gemini-.edu',
    'a@gem_ini.edu',
    'a@gemini.e',
    'a@gemini.123',
    'a@192.168.0.1',
    'a@[192.168.0.1]',
    'a@evil.example/mail.corp.example',
    'a@evil.example%2fmail.corp.example',
    'a@gemini.edu\r\nBcc: x@evil.com',
    'a@xn--zz.com',
    `${'a'.repeat(65)}@gemini.edu`,
    `a@${'b'.repeat(64)}.edu`,
  ])('rejects %j', (text) => {
    expect(parseEmailAddress(text)).toBeNull();
  });
});

const muellerLabels = (count: number) => `${Array.from({ length: count }, () => 'müller').join('.')}.de`;

/** Typed, its ASCII form, and what makes the case worth having. */
const validDomains: [string, string, string][] = [
  ['gemini.edu', 'gemini.edu', 'plain'],
  ['NOIRLab.EDU', 'noirlab.edu', 'lower case'],
  ['sub-domain.example.co.uk', 'sub-domain.example.co.uk', 'inner hyphens'],
  ['ab--cd.example', 'ab--cd.example', 'hyphens third and fourth, not an A-label'],
  ['müller.de', 'xn--mller-kva.de', 'an IDN as typed'],
  ['MÜLLER.DE', 'xn--mller-kva.de', 'an IDN in capitals'],
  ['xn--mller-kva.de', 'xn--mller-kva.de', 'the same, as an A-label'],
  ['XN--MLLER-KVA.DE', 'xn--mller-kva.de', 'the A-label in capitals'],
  ['xn--tda.com', 'xn--tda.com', 'a one-letter A-label (ü)'],
  ['山田.jp', 'xn--rhtu98c.jp', 'CJK'],
  ['中国.cn', 'xn--fiqs8s.cn', 'CJK'],
  ['яндекс.рф', 'xn--d1acpjx3f.xn--p1ai', 'an IDN top-level domain'],
  ['xn--d1acpjx3f.xn--p1ai', 'xn--d1acpjx3f.xn--p1ai', 'the same, as A-labels'],
  ['مثال.إختبار', 'xn--mgbh0fb.xn--kgbechtv', 'right to left'],
  ['ΣΑΣ.gr', 'xn--mxa9ab.gr', 'Greek capitals, final sigma kept apart'],
  ['faß.de', 'xn--fa-hia.de', 'ß kept (not transitional)'],
  ['straße.de', 'xn--strae-oqa.de', 'ß kept'],
  ['straẞe.de', 'xn--strae-oqa.de', 'capital ẞ maps to ß (Node 20: strasse.de)'],
  ['ｆｕｌｌ.com', 'full.com', 'full-width letters'],
  [`${'a'.repeat(63)}.edu`, `${'a'.repeat(63)}.edu`, 'a label of 63'],
  [`ü${'a'.repeat(55)}.de`, `xn--${'a'.repeat(55)}-oxf.de`, 'an IDN label of 63 once converted'],
  [muellerLabels(17), `${Array(17).fill('xn--mller-kva').join('.')}.de`, '240 once converted'],
  [`${Array(4).fill('a'.repeat(63)).join('.').slice(0, 249)}.edu`, `${Array(4).fill('a'.repeat(63)).join('.').slice(0, 249)}.edu`, '253'],
];

/** Typed, and why it is no domain. */
const invalidDomains: [string, string][] = [
  ['xn--zz.com', 'punycode that does not decode (accepted by Node 24)'],
  ['xn--.com', 'an empty A-label (accepted by Node 24)'],
  ['xn--a.com', 'an A-label that decodes to nothing (accepted by Node 24)'],
  ['xn--a-ecp.ru', 'decodes to a⒈, disallowed (accepted by Node 24)'],
  ['xn--99999999.com', 'punycode that overflows (accepted by Node 24)'],
  ['xn--eca.com', 'decodes to a capital, which IDNA maps (accepted by Node 24)'],
  ['xn--mlaut-1pa.de', 'decodes to Ümlaut (accepted by Node 24)'],
  ['xn--u-ccb.com', 'decodes to u and a combining mark, not NFC (accepted by Node 24)'],
  ['xn--ab-m1t.com', 'decodes to a zero width joiner (accepted by Node 24)'],
  ['xn--ab-j1t.com', 'decodes to a zero width non-joiner (accepted by Node 24)'],
  ['xn--ab-.com', 'decodes to plain ASCII (accepted by Node 20 and 24)'],
  ['xn--xn--.com', 'decodes to xn- (accepted by Node 20 and 24)'],
  ['xn---tda.com', 'not the encoding of what it decodes to (accepted by Node 20 and 24)'],
  ['xn---mller-kva.de', 'decodes to a label starting with a hyphen (accepted by Node 20 and 24)'],
  ['xn--n3h.com', 'decodes to ☃, not a letter (accepted by Node 20 and 24)'],
  ['xn--ls8h.la', 'decodes to an emoji (accepted by Node 20 and 24)'],
  ['xn--14-c6t.com', 'decodes to 1⁄4 (accepted by Node 20 and 24)'],
  ['1.ק', 'breaks the bidi rule: a label of digits in a right-to-left name (accepted by Node 20 and 24)'],
  ['١٢.com', 'breaks the bidi rule: Arabic digits alone (accepted by Node 20 and 24)'],
  ['xn--9hbc.com', 'the same as an A-label (accepted by Node 20 and 24)'],
  ['☃.com', 'a symbol'],
  ['compa\u00ADny.com', 'a soft hyphen, invisible'],
  ['a\u200Db.com', 'a zero width joiner'],
  ['a。b.com', 'an ideographic full stop'],
  ['müller-.de', 'a label ending with a hyphen'],
  ['-müller.de', 'a label starting with a hyphen'],
  ['xn--mller-kva-.de', 'an A-label ending with a hyphen'],
  ['xn--tda', 'no dot'],
  ['müller', 'no dot'],
  ['gemini..edu', 'an empty label'],
  ['gemini.edu.', 'a trailing dot'],
  ['gemini.e', 'a one-letter top-level domain'],
  ['gemini.123', 'a numeric top-level domain'],
  ['gem_ini.edu', 'an underscore'],
  ['evil.example/mail.corp.example', 'a slash'],
  ['evil.example%2fmail.corp.example', 'a percent sign'],
  [`${'a'.repeat(64)}.edu`, 'a label of 64'],
  [`ü${'a'.repeat(56)}.de`, 'an IDN label of 57 that is 64 once converted'],
  [muellerLabels(18), 'IDN labels 144 long as typed, 254 once converted'],
  [`${Array(4).fill('a'.repeat(63)).join('.').slice(0, 250)}.edu`, '254'],
];

describe('asciiDomain', () => {
  it.each(validDomains)('%j is %j: %s', (typed, ascii) => {
    expect(asciiDomain(typed)).toBe(ascii);
    // Asked again, the cache answers the same.
    expect(asciiDomain(typed)).toBe(ascii);
  });

  it.each(invalidDomains)('%j is no domain: %s', (typed) => {
    expect(asciiDomain(typed)).toBeNull();
    expect(parseEmailAddress(`a@${typed}`)).toBeNull();
  });

  it('a domain of ASCII letters, digits, hyphens and dots, taken without tr46, is what UTS #46 makes of it', () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9-]{0,8}(?:\.[A-Za-z0-9-]{0,8}){0,3}$/);
    fc.assert(
      fc.property(plain, (domain) => {
        const mapped = toASCII(domain, { checkBidi: true, checkJoiners: true });
        expect(asciiDomain(domain)).toBe(mapped !== null && asciiDomain(mapped) !== null ? mapped : null);
      }),
      { numRuns: 2000 },
    );
  });

  it('the lengths of the boundary cases are the ones named', () => {
    expect(asciiDomain(muellerLabels(17))).toHaveLength(240);
    expect(validDomains.at(-1)?.[1]).toHaveLength(253);
    expect(invalidDomains.at(-1)?.[0]).toHaveLength(254);
    expect(muellerLabels(18).replaceAll('müller', 'xn--mller-kva')).toHaveLength(254);
  });
});

describe('asciiAddress and addressKey', () => {
  it('keep the local part as typed in the ASCII address, and lower-case all of the key', () => {
    const address = parseEmailAddress('Jm@MÜLLER.de') as EmailAddress;
    expect(asciiAddress(address)).toBe('Jm@xn--mller-kva.de');
    expect(addressKey(address)).toBe('jm@xn--mller-kva.de');
  });

  it('give an IDN and its A-label, and ẞ and ß, one key', () => {
    const key = (text: string) => addressKey(parseEmailAddress(text) as EmailAddress);
    expect(key('jm@müller.de')).toBe(key('JM@xn--mller-kva.de'));
    expect(key('x@straẞe.de')).toBe(key('x@straße.de'));
    expect(key('x@straße.de')).not.toBe(key('x@strasse.de'));
  });

  it('sameAddress: an address and its A-label form are one; text that is no address compares in lower case', () => {
    expect(sameAddress('jm@müller.de', 'JM@xn--mller-kva.de')).toBe(true);
    expect(sameAddress('jm@müller.de', 'jm@mueller.de')).toBe(false);
    expect(sameAddress('Not An Address', 'not an address')).toBe(true);
    expect(comparedAs('Ada.PI@Univ.Example.EDU')).toBe(comparedAs('ada.pi@univ.example.edu'));
    expect(comparedAs('"Odd Local"@example.org')).toBe('"odd local"@example.org');
  });

  it.each(validDomains)('nodemailer on this Node sends %j to the ASCII form it is compared by', (typed) => {
    // Not parsed: the domain of 253 makes an address longer than 254.
    const address = asciiAddress(`Jo@${typed}` as EmailAddress);
    const node = new MimeNode('text/plain').setHeader('To', address).setEnvelope({ from: 'archive@gemini.edu', to: [address] });
    expect(node.getEnvelope().to).toEqual([address]);
    expect(node.buildHeaders().replaceAll(/\r\n(?=[ \t])/g, '')).toContain(`To: ${address}\r\n`);
  });
});
