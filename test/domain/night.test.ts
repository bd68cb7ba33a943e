import { describe, expect, it } from 'vitest';
import { type Night, NightError, nightsBefore, parseNight, parseNights, shiftNight } from '../../src/domain/night.js';

const now = new Date('2026-11-27T02:30:00Z');

describe('nights', () => {
  it.each([
    ['today', '20261127'],
    ['yesterday', '20261126'],
    ['20240229', '20240229'],
    ['20261231', '20261231'],
  ])('%s is %s', (text, night) => expect(parseNight(text, now)).toBe(night));

  it.each(['20230229', '20261301', '20261100', '2026-11-26', '2026112', 'tomorrow', '', '19890101', ' 20261126'])(
    '%j is refused',
    (text) => {
      expect(() => parseNight(text, now)).toThrow(NightError);
    },
  );

  // The archive answers 500 for nights outside 19990101..21000101, its DATE_LIMIT_LOW and DATE_LIMIT_HIGH.
  it.each(['19900101', '19981231', '21000102', '29991231', '19981231..19990102'])('%s is a night the archive cannot search', (text) => {
    expect(() => parseNights(text, now)).toThrow('it searches nights from 19990101 to 21000101');
  });

  it.each(['19990101', '21000101'])('%s, a limit, is searched', (text) => {
    expect(parseNight(text, now)).toBe(text);
  });

  it('uses the UTC date, not local time', () => {
    expect(parseNight('today', new Date('2026-11-26T23:59:59-10:00'))).toBe('20261127');
  });

  it('expands ranges oldest first, across month ends', () => {
    expect(parseNights('20261130..20261202', now)).toEqual(['20261130', '20261201', '20261202']);
    expect(parseNights('yesterday..today', now)).toEqual(['20261126', '20261127']);
    expect(parseNights('20261126', now)).toEqual(['20261126']);
    expect(() => parseNights('20261202..20261130', now)).toThrow('ends before it starts');
    expect(() => parseNights('20260101..20261231', now)).toThrow('at most 62');
    expect(() => parseNights('20260101..x', now)).toThrow(NightError);
  });

  it('shifts across years', () => {
    expect(shiftNight('20260101' as Night, -1)).toBe('20251231');
    expect(shiftNight('20241231' as Night, 1)).toBe('20250101');
  });

  it.each([
    ['20260102', 3, ['20260101', '20251231', '20251230']],
    ['20261126', 0, []],
    ['19990103', 3, ['19990102', '19990101']],
    ['19990101', 3, []],
  ])("%s with %i look-back nights: never one before the archive's first night", (night, count, nights) => {
    expect(nightsBefore(night as Night, count)).toEqual(nights);
  });
});
