import { describe, expect, it } from 'vitest';
import type { ArchiveAnswer, NightSpan } from '../../src/archive/client.js';
import type { ArchiveEntry } from '../../src/archive/entry.js';
import { nightOfFile } from '../../src/archive/telescope-night.js';
import type { Night } from '../../src/domain/night.js';
import { searchNights, splitByNight } from '../../src/run/search.js';
import { archiveEntry } from '../harness/archive-entry.js';

const N = (text: string) => text as Night;
let serial = 0;
const file = (telescope: string | null, ut: string | null): ArchiveEntry => archiveEntry(`F${++serial}`, { telescope, ut_datetime: ut });

describe("nightOfFile: the archive's night of a file, by its telescope", () => {
  it.each([
    ['Gemini-North', '2026-11-26 00:00:00', '20261126'],
    ['Gemini-North', '2026-11-26 23:59:59.999999', '20261126'],
    ['Gemini-North', '2026-11-25 23:59:59', '20261125'],
    ['Gemini-North', '2026-11-27 00:00:00', '20261127'],
    ['Gemini-South', '2026-11-25 18:00:00', '20261126'],
    ['Gemini-South', '2026-11-26 17:59:59.5', '20261126'],
    ['Gemini-South', '2026-11-25 17:59:59', '20261125'],
    ['Gemini-South', '2026-11-26 18:00:00', '20261127'],
    ['Gemini-South', '2026-12-31 20:00:00', '20270101'],
    ['Gemini-North', '2024-02-29 12:00:00', '20240229'],
    ['Gemini-North', '2026-11-26T06:00:00', '20261126'],
  ])('%s at %s: night %s', (telescope, ut, night) => {
    expect(nightOfFile(telescope, ut)).toBe(night);
  });

  it.each([
    [null, '2026-11-26 06:00:00'],
    ['Subaru', '2026-11-26 06:00:00'],
    ['gemini-north', '2026-11-26 06:00:00'],
    ['Gemini-North', null],
    ['Gemini-North', ''],
    ['Gemini-North', '2026-11-26'],
    ['Gemini-North', '2026-02-30 06:00:00'],
    ['Gemini-North', '2026-11-26 24:00:00'],
    ['Gemini-North', '2026-11-26 06:61:00'],
    ['Gemini-North', 'yesterday'],
  ])('%s at %s: no night (never a guessed one)', (telescope, ut) => {
    expect(nightOfFile(telescope, ut)).toBeNull();
  });
});

describe('splitByNight', () => {
  const span = { first: N('20261124'), last: N('20261126') };

  it("puts each file under its night; both sites' boundaries inside one answer", () => {
    const files = [
      file('Gemini-North', '2026-11-26 00:00:00'),
      file('Gemini-North', '2026-11-25 23:59:59'),
      file('Gemini-South', '2026-11-25 18:00:00'),
      file('Gemini-South', '2026-11-25 17:59:59'),
      file('Gemini-South', '2026-11-23 18:00:00'),
    ];
    const split = splitByNight(files, [N('20261126'), N('20261125'), N('20261124')], span);
    const names = (night: string) => split.byNight.get(N(night))?.map((f) => f.name);
    expect(names('20261126')).toEqual([files[0]?.name, files[2]?.name]);
    expect(names('20261125')).toEqual([files[1]?.name, files[3]?.name]);
    expect(names('20261124')).toEqual([files[4]?.name]);
    expect(split.unplaced).toEqual([]);
  });

  it('leaves out nights of the range not asked for, and gives every night asked for a list', () => {
    const files = [file('Gemini-North', '2026-11-25 10:00:00')];
    const split = splitByNight(files, [N('20261126'), N('20261124')], span);
    expect([...split.byNight.entries()]).toEqual([
      [N('20261126'), []],
      [N('20261124'), []],
    ]);
    expect(split.unplaced).toEqual([]);
  });

  it('keeps apart what cannot be placed: no telescope, no time, or outside the range', () => {
    const files = [file(null, '2026-11-25 10:00:00'), file('Gemini-North', null), file('Gemini-North', '2026-11-20 10:00:00')];
    expect(splitByNight(files, [N('20261126')], span).unplaced).toEqual(files);
  });
});

describe('searchNights: how many requests, and which', () => {
  const nights = [N('20261126'), N('20261125'), N('20261124')];
  /** An archive in memory answering by the night rule, recording each request. */
  const archive = (files: readonly ArchiveEntry[], fail?: (nights: Night | NightSpan) => boolean) => {
    const asked: string[] = [];
    const search = async (query: Night | NightSpan): Promise<ArchiveAnswer<ArchiveEntry[]>> => {
      const span = typeof query === 'string' ? { first: query, last: query } : query;
      const url = span.first === span.last ? `night=${span.first}` : `nightrange=${span.first}-${span.last}`;
      asked.push(url);
      if (fail?.(query)) return { ok: false, error: 'HTTP 503 from the archive', url, attempts: 1, transient: true };
      const value = files.filter((f) => {
        const night = nightOfFile(f.telescope, f.ut_datetime);
        return night !== null && night >= span.first && night <= span.last;
      });
      return { ok: true, value, url, attempts: 1 };
    };
    return { asked, search };
  };

  it('one night: one night= request, as the old job', async () => {
    const { asked, search } = archive([file('Gemini-North', '2026-11-26 06:00:00')]);
    const result = await searchNights([N('20261126')], search);
    expect(asked).toEqual(['night=20261126']);
    expect(result.answers).toEqual([
      { ok: true, entries: [expect.objectContaining({ telescope: 'Gemini-North' })], url: 'night=20261126' },
    ]);
  });

  it('look-back nights: one nightrange= request, split per night, each answer naming the range asked', async () => {
    const files = [file('Gemini-North', '2026-11-26 06:00:00'), file('Gemini-South', '2026-11-24 06:00:00')];
    const { asked, search } = archive(files);
    const result = await searchNights(nights, search);
    expect(asked).toEqual(['nightrange=20261124-20261126']);
    expect(result.answers.map((a) => (a.ok ? a.entries.length : -1))).toEqual([1, 0, 1]);
    expect(result.answers.every((a) => a.url === 'nightrange=20261124-20261126')).toBe(true);
    expect(result.notes).toEqual([]);
  });

  it('a range answer at the limit may be cut: night by night instead, and says so', async () => {
    const files = Array.from({ length: 2000 }, (_, i) => file('Gemini-North', `2026-11-${i % 2 ? '26' : '25'} 06:00:00`));
    const { asked, search } = archive(files);
    const result = await searchNights(nights, search);
    expect(asked).toEqual(['nightrange=20261124-20261126', 'night=20261126', 'night=20261125', 'night=20261124']);
    expect(result.answers.map((a) => (a.ok ? a.entries.length : -1))).toEqual([1000, 1000, 0]);
    expect(result.notes).toEqual([expect.stringContaining('limit of 2000 files')]);
  });

  it('a file whose night cannot be told: night by night instead, naming it', async () => {
    const lost = file(null, '2026-11-25 06:00:00');
    const { asked, search } = archive([file('Gemini-North', '2026-11-26 06:00:00')]);
    const withLost = async (query: Night | NightSpan) => {
      const answer = await search(query);
      return answer.ok && typeof query !== 'string' ? { ...answer, value: [...answer.value, lost] } : answer;
    };
    const result = await searchNights(nights, withLost);
    expect(asked).toEqual(['nightrange=20261124-20261126', 'night=20261126', 'night=20261125', 'night=20261124']);
    expect(result.notes).toEqual([
      expect.stringContaining(`1 file(s) of the range answer have no telescope or UT time to tell their night (${lost.name})`),
    ]);
  });

  it('a range the server failed (down, overloaded): every night fails with it, tonight not asked again', async () => {
    const { asked, search } = archive([file('Gemini-North', '2026-11-26 06:00:00')], (query) => typeof query !== 'string');
    const result = await searchNights(nights, search);
    expect(asked).toEqual(['nightrange=20261124-20261126']);
    const failed = { ok: false, error: 'HTTP 503 from the archive', url: 'nightrange=20261124-20261126', transient: true };
    expect(result.answers).toEqual([failed, failed, failed]);
  });

  it("a range answer that is itself the trouble (not JSON): the run's night asked alone, the look-back nights fail", async () => {
    const { asked, search } = archive([file('Gemini-North', '2026-11-26 06:00:00')]);
    const broken = async (query: Night | NightSpan): Promise<ArchiveAnswer<ArchiveEntry[]>> =>
      typeof query === 'string'
        ? search(query)
        : { ok: false, error: 'the answer is not JSON', url: 'nightrange=…', attempts: 1, transient: false };
    const result = await searchNights(nights, broken);
    expect(asked).toEqual(['night=20261126']);
    expect(result.answers).toEqual([
      expect.objectContaining({ ok: true, url: 'night=20261126' }),
      { ok: false, error: 'the answer is not JSON', url: 'nightrange=…', transient: false },
      { ok: false, error: 'the answer is not JSON', url: 'nightrange=…', transient: false },
    ]);
  });

  it("the range spans from the oldest night asked to the run's, whatever the order given", async () => {
    const { asked, search } = archive([]);
    await searchNights([N('20261126'), N('20261123')], search);
    expect(asked).toEqual(['nightrange=20261123-20261126']);
  });
});
