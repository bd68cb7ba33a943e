import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip, sentence } from '../../src/text/words.js';

describe('clip', () => {
  it('leaves text within the limit as it is', () => {
    expect(clip('NGC 1068', 8)).toBe('NGC 1068');
    expect(clip('🔭🔭', 2)).toBe('🔭🔭');
  });

  it('cuts to the limit, the ellipsis the last character', () => {
    expect(clip('abcdefghij', 5)).toBe('abcd…');
    expect(clip('🔭🔭🔭🔭', 3)).toBe('🔭🔭…');
  });

  it('with countLeftOut keeps the limit and says how many characters were left out', () => {
    expect(clip('abcdefghij', 4, { countLeftOut: true })).toBe('abcd… (6 more characters)');
    expect(clip('a🔭🔭🔭', 2, { countLeftOut: true })).toBe('a🔭… (2 more characters)');
  });

  it('counts code points, so it never cuts an astral character in half', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 20 }), fc.boolean(), (text, limit, countLeftOut) => {
        const chars = [...text];
        const clipped = clip(text, limit, { countLeftOut });
        if (chars.length <= limit) expect(clipped).toBe(text);
        else if (countLeftOut) expect(clipped).toBe(`${chars.slice(0, limit).join('')}… (${chars.length - limit} more characters)`);
        else expect(clipped).toBe(`${chars.slice(0, limit - 1).join('')}…`);
      }),
    );
  });
});

describe('sentence', () => {
  it('capitalises the first letter and ends with a full stop unless it has one', () => {
    expect(sentence('sent at 08:00')).toBe('Sent at 08:00.');
    expect(sentence('did cron run?')).toBe('Did cron run?');
  });
});
