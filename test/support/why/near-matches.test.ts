import { describe, expect, it } from 'vitest';
import { compactTerm, editDistance } from '../../../src/archive/selection-suggest.js';
import type { Notification } from '../../../src/domain/notification.js';
import { nearMatches } from '../../../src/support/why/near-matches.js';

const row = (id: number, label: string | null, selection: string | null, piemail: string | null = null): Notification => ({
  id,
  label,
  selection,
  piemail,
  ngoemail: null,
  csemail: null,
});

const table = [
  row(101, 'Auto - GN-2026B-Q-101', 'GN-2026B-Q-101/science', '"Doe, Jane" <jane.doe@uni.test>'),
  row(102, 'Auto - GN-2026B-Q-102', 'GN-2026B-Q-102/science', 'kai@uni.test'),
  row(7, 'GMOS B600 spectra', 'GS-2026B-LP-7/B600', 'ana@uni.test'),
  row(8, null, null, null),
];

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', '', 3],
    ['', 'ab', 2],
    ['sceince', 'science', 1],
    ['GN2026BQ110', 'GN2026BQ101', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s: %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('nearMatches', () => {
  it('a program id written without dashes matches exactly', () => {
    expect(compactTerm('gn-2026b-q-101')).toBe('GN2026BQ101');
    expect(nearMatches('GN2026BQ101', table)[0]).toMatchObject({ id: 101, reason: 'selection term "GN-2026B-Q-101"' });
  });

  it('a digit swapped or one wrong finds the programs a typo away, nearest first', () => {
    const matches = nearMatches('GN-2026B-Q-110', table);
    expect(matches.map((m) => m.id)).toEqual([101, 102]);
  });

  it('an email address (or part of one) finds the row holding it', () => {
    expect(nearMatches('jane.doe@uni.test', table)).toEqual([
      { id: 101, label: 'Auto - GN-2026B-Q-101', selection: 'GN-2026B-Q-101/science', reason: 'piemail contains "jane.doe@uni.test"' },
    ]);
    expect(nearMatches('ANA@', table).map((m) => m.id)).toEqual([7]);
  });

  it('label words count too', () => {
    expect(nearMatches('spectre', table).map((m) => m.id)).toEqual([7]);
  });

  it('nothing near, or too short to guess: no suggestion', () => {
    expect(nearMatches('zzzzzzzz', table)).toEqual([]);
    expect(nearMatches('Q1', table)).toEqual([]);
    expect(nearMatches('GS-2027A-Q-9', table)).toEqual([]);
  });

  it('at most `limit`, each row once', () => {
    const many = Array.from({ length: 12 }, (_, i) => row(i + 1, null, `GN-2026B-Q-${100 + i}/science`));
    const matches = nearMatches('GN-2026B-Q-10', many, 3);
    expect(matches).toHaveLength(3);
    expect(new Set(matches.map((m) => m.id)).size).toBe(3);
  });
});
