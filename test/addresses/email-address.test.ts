import { describe, expect, it } from 'vitest';
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
