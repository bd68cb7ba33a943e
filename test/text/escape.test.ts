import { describe, expect, it } from 'vitest';
import { escapeControls, escapeJsonControls, jsonText } from '../../src/text/escape.js';

describe('escapeControls', () => {
  it.each([
    ['plain text', 'GN-2026B-Q-101/science', 'GN-2026B-Q-101/science'],
    ['an ANSI sequence', 'a\x1b[2Jb', 'a\\x1b[2Jb'],
    ['the bell', 'ding\x07', 'ding\\x07'],
    ['a carriage return that would overwrite the line', 'ok\rFAILED', 'ok\\rFAILED'],
    ['a line break', 'one\ntwo', 'one\\ntwo'],
    ['a tab', 'a\tb', 'a\\tb'],
    ['DEL', 'a\x7fb', 'a\\x7fb'],
    ['a C1 control (CSI)', 'a\x9b2Jb', 'a\\x9b2Jb'],
    ['a right-to-left override', 'evil\u202eexe.pdf', 'evil\\u202eexe.pdf'],
    ['an isolate', 'a\u2066b\u2069', 'a\\u2066b\\u2069'],
    ['letters of any script', 'Müller 山田 Ñuñoa', 'Müller 山田 Ñuñoa'],
    ['an emoji', 'NGC 1068 🔭', 'NGC 1068 🔭'],
    ['the empty string', '', ''],
  ])('%s', (_what, input, shown) => {
    expect(escapeControls(input)).toBe(shown);
  });

  it('leaves nothing a terminal would act on', () => {
    const everyControl =
      Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('') +
      '\x7f' +
      Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)).join('');
    expect(escapeControls(everyControl)).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('jsonText', () => {
  const hostile = 'a\x1b[2J\x07\r\u202e\x7f\x9b31m\x85\u2066\u200f\u061cb\n\t"\\';

  it('writes DEL, C1 and bidi controls as \\u escapes, as JSON.stringify does C0: the same value, nothing raw', () => {
    const text = jsonText({ label: hostile });
    expect(text).toBe('{"label":"a\\u001b[2J\\u0007\\r\\u202e\\u007f\\u009b31m\\u0085\\u2066\\u200f\\u061cb\\n\\t\\"\\\\"}');
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(text)).toEqual({ label: hostile });
  });

  it('leaves letters of any script, emoji and the line feed that ends a JSON line', () => {
    expect(jsonText(['Müller 山田', 'NGC 1068 🔭', 'زهرة'])).toBe('["Müller 山田","NGC 1068 🔭","زهرة"]');
    expect(escapeJsonControls('{"a":"\u202e"}\n')).toBe('{"a":"\\u202e"}\n');
  });
});
