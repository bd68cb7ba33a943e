import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArchiveStandIn,
  CLOSED_QUERY_LIMIT,
  makeEntry,
  makeNight,
  OPEN_QUERY_LIMIT,
  type StandInFileSpec,
  startArchiveStandIn,
} from '../../src/demo/archive-stand-in/index.js';
import type { Night } from '../../src/domain/night.js';

type Entry = Record<string, unknown>;

const NIGHT = '20240115' as Night;
const NORTH = 'GN-2024A-Q-101';
const SOUTH = 'GS-2024A-Q-202';

let archive: ArchiveStandIn;

beforeAll(async () => {
  archive = await startArchiveStandIn();
});
afterAll(() => archive.close());
afterEach(() => {
  archive.clear();
  archive.resetStats();
});

function pathOf(page: string, terms: readonly string[]): string {
  return `/${page}/${terms.map(encodeURIComponent).join('/')}`;
}

function get(page: string, ...terms: string[]): Promise<Response> {
  return fetch(`${archive.url}${pathOf(page, terms)}`);
}

async function search(...terms: string[]): Promise<Entry[]> {
  const response = await get('jsonsummary', ...terms);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as Entry[];
}

async function summary(...terms: string[]): Promise<string> {
  const response = await get('summary/nolinks', ...terms);
  expect(response.status).toBe(200);
  return response.text();
}

function names(entries: readonly Entry[]): unknown[] {
  return entries.map((entry) => entry.name);
}

/** Adds one file per UT time and returns its name, in the order given. */
function addFiles(spec: Omit<StandInFileSpec, 'ut'>, ...uts: string[]): unknown[] {
  const entries = uts.map((ut) => makeEntry({ ...spec, ut }));
  archive.addEntries(entries);
  return names(entries);
}

function warningOf(page: string): string | undefined {
  return /<H4>WARNING: I didn't recognize the following search terms: (.*)<\/H4>/.exec(page)?.[1];
}

async function elapsedMs(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

describe('makeEntry', () => {
  it('re-dates and re-labels a fixture entry into a real-shaped one', () => {
    const entry = makeEntry({ programId: NORTH, ut: '2024-01-15T06:30:00.250Z', observationNumber: 3, qaState: 'Undefined' });
    expect(entry.filename).toMatch(/^N20240115S\d{4}\.fits\.bz2$/);
    expect(entry.name).toBe(String(entry.filename).replace(/\.bz2$/, ''));
    expect(entry).toMatchObject({
      program_id: NORTH,
      observation_id: `${NORTH}-3`,
      telescope: 'Gemini-North',
      ut_datetime: '2024-01-15 06:30:00.250000',
      local_time: '20:30:00.250000',
      qa_state: 'Undefined',
      present: true,
      canonical: true,
    });
    expect(entry.data_label).toMatch(new RegExp(`^${NORTH}-3-\\d{3}$`));
    expect(entry).not.toHaveProperty('results_truncated');
    for (const field of ['file_md5', 'data_md5', 'lastmod', 'entrytime', 'release', 'instrument', 'exposure_time'])
      expect(entry).toHaveProperty(field);
  });

  it('prints whole seconds without a fraction, and names a Gemini-South file after its night', () => {
    const entry = makeEntry({ programId: SOUTH, ut: '2024-01-14T20:00:00Z' });
    expect(entry).toMatchObject({ telescope: 'Gemini-South', ut_datetime: '2024-01-14 20:00:00', local_time: '17:00:00' });
    expect(entry.filename).toMatch(/^S20240115S\d{4}\.fits\.bz2$/);
    expect(entry.instrument).not.toBe('GMOS-N');
  });

  it('gives proprietary data a null object, ra and dec, and keeps a null observation class', () => {
    const entry = makeEntry({ programId: NORTH, ut: '2024-01-15T06:30:00Z', object: null, observationClass: null });
    expect(entry).toMatchObject({ object: null, ra: null, dec: null, observation_class: null });
  });

  it('numbers files in sequence: serials per site and night, file numbers per observation', () => {
    const [first, second] = [0, 1].map(() => makeEntry({ programId: 'GN-2024A-Q-77', ut: '2024-01-15T07:00:00Z' }));
    const serial = (entry: Entry | undefined) => Number(String(entry?.name).slice(10, 14));
    expect(serial(second)).toBe(serial(first) + 1);
    expect([first?.data_label, second?.data_label]).toEqual(['GN-2024A-Q-77-1-001', 'GN-2024A-Q-77-1-002']);
  });
});

describe('makeNight', () => {
  const entries = makeNight({
    night: NIGHT,
    programs: [
      { programId: NORTH, files: 25 },
      { programId: SOUTH, files: 12, qaState: 'CHECK' },
      { programId: 'GN-2024A-FT-3', files: 5 },
    ],
  });

  it('makes the files asked for, of each program', () => {
    const count = (programId: string) => entries.filter((entry) => entry.program_id === programId).length;
    expect([count(NORTH), count(SOUTH), count('GN-2024A-FT-3')]).toEqual([25, 12, 5]);
    expect(entries.filter((entry) => entry.program_id === SOUTH).every((entry) => entry.qa_state === 'CHECK')).toBe(true);
  });

  it('spreads them over the dark hours of the site', () => {
    const utOf = (entry: Entry) => Date.parse(`${String(entry.ut_datetime).replace(' ', 'T')}Z`);
    const north = entries.filter((entry) => entry.telescope === 'Gemini-North').map(utOf);
    const south = entries.filter((entry) => entry.telescope === 'Gemini-South').map(utOf);
    expect(Math.min(...north)).toBeGreaterThanOrEqual(Date.parse('2024-01-15T00:00:00Z'));
    expect(Math.max(...north)).toBeLessThan(Date.parse('2024-01-16T00:00:00Z'));
    expect(Math.min(...south)).toBeGreaterThanOrEqual(Date.parse('2024-01-14T18:00:00Z'));
    expect(Math.max(...south)).toBeLessThan(Date.parse('2024-01-15T18:00:00Z'));
    expect(north).toEqual([...north].sort((a, b) => a - b));
  });

  it('has ut_datetime with and without fractional seconds, as the real archive', () => {
    const fractional = entries.map((entry) => /\.\d{6}$/.test(String(entry.ut_datetime)));
    expect(fractional).toContain(true);
    expect(fractional).toContain(false);
  });
});

describe('nights', () => {
  it('Gemini-North: night=D is [D 00:00, D+1 00:00) UTC', async () => {
    const [, firstIn, lastIn] = addFiles(
      { programId: NORTH },
      '2024-01-14T23:59:59.999Z',
      '2024-01-15T00:00:00.000Z',
      '2024-01-15T23:59:59.999Z',
      '2024-01-16T00:00:00.000Z',
    );
    expect(names(await search(`night=${NIGHT}`, NORTH))).toEqual([firstIn, lastIn]);
  });

  it('Gemini-South: night=D is [D-1 18:00, D 18:00) UTC', async () => {
    const [, firstIn, lastIn] = addFiles(
      { programId: SOUTH },
      '2024-01-14T17:59:59.999Z',
      '2024-01-14T18:00:00.000Z',
      '2024-01-15T17:59:59.999Z',
      '2024-01-15T18:00:00.000Z',
    );
    expect(names(await search(`night=${NIGHT}`, SOUTH))).toEqual([firstIn, lastIn]);
  });

  it('leaves a file of another or no telescope out of a night search, and keeps it in a date search', async () => {
    const entries = [null, 'UKIRT'].map(
      (telescope): Entry => ({ ...makeEntry({ programId: NORTH, ut: '2024-01-15T10:00:00Z' }), telescope }),
    );
    archive.addEntries(entries);
    expect(await search(`night=${NIGHT}`, NORTH)).toEqual([]);
    expect(await search(`nightrange=20240114-20240116`, NORTH)).toEqual([]);
    expect(names(await search(`date=${NIGHT}`, NORTH)).sort()).toEqual(names(entries).sort());
  });

  it('serves both sites in one search, each by its own night', async () => {
    const [north] = addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    const [south] = addFiles({ programId: SOUTH }, '2024-01-14T23:00:00Z');
    addFiles({ programId: NORTH }, '2024-01-14T23:00:00Z');
    expect(names(await search(`night=${NIGHT}`)).sort()).toEqual([north, south].sort());
  });

  it('date= and a bare date are UTC dates on the archive', async () => {
    const [south] = addFiles({ programId: SOUTH }, '2024-01-14T20:00:00Z');
    expect(names(await search(`night=${NIGHT}`, SOUTH))).toEqual([south]);
    expect(await search(`date=${NIGHT}`, SOUTH)).toEqual([]);
    expect(names(await search('20240114', SOUTH))).toEqual([south]);
  });

  it("nightrange=A-B covers each night from A to B, by each site's rule, both ends included", async () => {
    const north = addFiles(
      { programId: NORTH },
      '2024-01-12T23:59:59Z',
      '2024-01-13T00:00:00Z',
      '2024-01-15T23:59:59Z',
      '2024-01-16T00:00:00Z',
    );
    const south = addFiles(
      { programId: SOUTH },
      '2024-01-12T17:59:59Z',
      '2024-01-12T18:00:00Z',
      '2024-01-15T17:59:59Z',
      '2024-01-15T18:00:00Z',
    );
    const inside = [north[1], north[2], south[1], south[2]];
    expect(names(await search('nightrange=20240113-20240115')).sort()).toEqual([...inside].sort());
    expect(names(await search('nightrange=20240115-20240113')).sort()).toEqual([...inside].sort());
    expect(names(await search('nightrange=20240113-20240115', SOUTH))).toEqual([south[1], south[2]]);
  });

  it('daterange=A-B covers UTC dates, the same for both sites', async () => {
    const south = addFiles(
      { programId: SOUTH },
      '2024-01-12T23:59:59Z',
      '2024-01-13T00:00:00Z',
      '2024-01-15T20:00:00Z',
      '2024-01-16T00:00:00Z',
    );
    expect(names(await search('daterange=20240113-20240115', SOUTH))).toEqual([south[1], south[2]]);
  });

  it('a range query is closed: up to 2000 files, cut there with no marker', async () => {
    const programs = Array.from({ length: 21 }, (_, i) => ({ programId: `GN-2024A-Q-${300 + i}`, files: 100 }));
    archive.addEntries(makeNight({ night: NIGHT, programs }));
    expect(await search('nightrange=20240114-20240115')).toHaveLength(2000);
    expect(await search('science')).toHaveLength(500);
  });

  it('a bare date is a night on a summit FITS server', async () => {
    const summit = await startArchiveStandIn({ role: 'summit' });
    try {
      const entry = makeEntry({ programId: SOUTH, ut: '2024-01-14T20:00:00Z', qaState: 'CHECK' });
      summit.addEntries([entry]);
      const answer = await fetch(`${summit.url}/jsonsummary/${NIGHT}/${SOUTH}/CHECK`);
      expect(names((await answer.json()) as Entry[])).toEqual([entry.name]);
    } finally {
      await summit.close();
    }
  });
});

describe('/jsonsummary and /summary/nolinks', () => {
  it('orders files by file name, whatever the order they were added in', async () => {
    const entries = makeNight({ night: NIGHT, programs: [{ programId: NORTH, files: 12 }] });
    archive.addEntries([...entries].reverse());
    const found = names(await search(`night=${NIGHT}`, NORTH));
    expect(found).toEqual(names(entries));
    expect(found).toEqual([...found].sort());
  });

  it('answers [] when nothing matches', async () => {
    addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    expect(await search(`night=${NIGHT}`, 'GN-2024A-Q-999')).toEqual([]);
  });

  it('drops an unknown term from /jsonsummary, widening the search, and names it in the HTML warning', async () => {
    archive.addEntries(
      makeNight({
        night: NIGHT,
        programs: [
          { programId: NORTH, files: 3, qaState: 'Pass' },
          { programId: 'GN-2024A-Q-102', files: 2, qaState: 'Pass' },
        ],
      }),
    );
    // A recognised term beside the typo: QA state, set on every file so the fixture entries chosen do not matter.
    const typo = ['night=20240115', 'GN2024AQ101', 'Pass'];
    expect(new Set((await search(...typo)).map((entry) => entry.program_id))).toEqual(new Set([NORTH, 'GN-2024A-Q-102']));
    expect(warningOf(await summary(...typo))).toBe('GN2024AQ101 ');
    expect(warningOf(await summary('night=20240115', 'GN2024AQ101', 'sceince'))).toBe('GN2024AQ101 sceince ');
    expect(warningOf(await summary(`night=${NIGHT}`, NORTH, 'science'))).toBeUndefined();
  });

  it('decodes each path segment on its own: an encoded slash stays inside one (unknown) term', async () => {
    expect(warningOf(await summary(`night=${NIGHT}`, `${NORTH}/science`))).toBe(`${NORTH}/science `);
    const named = makeEntry({ programId: NORTH, ut: '2024-01-15T10:00:00Z', object: 'M101 pos&1' });
    archive.addEntries([named, makeEntry({ programId: NORTH, ut: '2024-01-15T10:01:00Z', object: 'NGC 5457' })]);
    expect(names(await search(`night=${NIGHT}`, 'object=m101 POS*'))).toEqual([named.name]);
  });

  it('escapes terms and values in the HTML summary', async () => {
    archive.addEntries([makeEntry({ programId: NORTH, ut: '2024-01-15T10:00:00Z', object: '<b>x</b>' })]);
    const page = await summary(`night=${NIGHT}`, '<script>');
    expect(page).not.toMatch(/<script>|<b>x/);
    expect(warningOf(page)).toBe('&lt;script&gt; ');
  });

  it('recognises words the job may not know: gratings and masks', async () => {
    const entries = ['B600+_G5307', 'R831+_G5302'].map(
      (disperser): Entry => ({ ...makeEntry({ programId: NORTH, ut: '2024-01-15T10:00:00Z' }), disperser }),
    );
    archive.addEntries(entries);
    const [b600] = entries;
    expect(warningOf(await summary(`night=${NIGHT}`, 'B600', 'R400', 'R831', 'B1200', '0.5arcsec', 'IFU-R', '2x2'))).toBeUndefined();
    expect(names(await search(`night=${NIGHT}`, 'B600'))).toEqual([b600?.name]);
  });

  it('answers 500 with an HTML page for a malformed night or date, not a warning', async () => {
    const badRanges = [
      'nightrange=20240101',
      'nightrange=20240101-202401',
      'nightrange=20240101-20240230',
      'nightrange=a-b',
      'daterange=20240101-',
      // A day and a moment cannot be ordered.
      'daterange=20240101-20240102T10',
    ];
    // Outside 19990101..21000101 a night is no date to the archive; an offset breaks its comparison with those limits.
    const badNights = [
      'night=202401',
      'night=20240230',
      'night=',
      'date=someday',
      'night=19981231',
      'night=21000102',
      'night=20240101T10Z',
    ];
    for (const bad of [...badNights, 'daterange=20240101', ...badRanges]) {
      for (const page of ['jsonsummary', 'summary/nolinks']) {
        const response = await get(page, bad, NORTH);
        expect(response.status, `${page}/${bad}`).toBe(500);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        await response.text();
      }
    }
  });

  it('reads night and date values as the archive does: ISO 8601 forms, weeks and days of the year, either end first', async () => {
    const [file] = addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    const nights = ['2024-01-15', '2024015', '2024-W03-1', '2024-01-15T23:59'].map((night) => `night=${night}`);
    for (const term of [...nights, 'nightrange=20240115-20240114', 'nightrange=2024-01-14--2024-01-16']) {
      expect(names(await search(term, NORTH)), term).toEqual([file]);
    }
    expect(names(await search('daterange=20240115T09-20240115T11', NORTH))).toEqual([file]);
    expect(await search('daterange=20240115T10:30-20240115T11', NORTH)).toEqual([]);
  });

  it('keeps the later of two terms of one kind, so an overridden bad night is never read', async () => {
    const [file] = addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    expect(names(await search('night=garbage', `night=${NIGHT}`, NORTH))).toEqual([file]);
  });

  it('keeps only the most specific of program, observation and data label, in either order', async () => {
    const [one] = addFiles({ programId: NORTH, observationNumber: 1 }, '2024-01-15T10:00:00Z');
    const [two, twoAgain] = addFiles({ programId: NORTH, observationNumber: 2 }, '2024-01-15T11:00:00Z', '2024-01-15T11:01:00Z');
    const [lastEntry] = await search(`filename=${String(twoAgain)}`);
    expect(names(await search(NORTH))).toEqual([one, two, twoAgain]);
    expect(names(await search(NORTH, `${NORTH}-2`))).toEqual([two, twoAgain]);
    expect(names(await search(`${NORTH}-2`, NORTH))).toEqual([two, twoAgain]);
    expect(names(await search(`${NORTH}-1`, String(lastEntry?.data_label), NORTH))).toEqual([twoAgain]);
    expect(names(await search(`progid=${NORTH}`, `obsid=${NORTH}-1`))).toEqual([one]);
  });

  it('recognises program ids by the patterns of docs/archive.md#program-ids, case-sensitively and whole', async () => {
    const valid = [
      'GN-2019A-FT-211',
      'GS-2024B-Q-101',
      'G-2024A-1234-Q',
      'GN-ENG20091222',
      'GS-2020A-CAL-191',
      'ENG20200101',
      'GN-CAL20120123',
      'G-2001A-MON-F_2-20',
      'G-2099B-COM-SCORPIO-1',
      'G-2012B-1234-P',
    ];
    const invalid = [
      'gn-2019a-ft-211',
      'GN-2019A-XX-1',
      'GX-CAL20000131',
      'Eng20221101',
      'GN-2020A-foo-191',
      'GN-2001A-CAL-GMOS_N-20',
      'G-2011A-Q-12',
      'GN-2020A-1234-Q',
    ];
    const withIds = [...valid, ...valid.map((id) => `${id}-12`), ...valid.map((id) => `${id}-12-001-MRG-ADD`)];
    for (const id of withIds) expect(warningOf(await summary(id)), id).toBeUndefined();
    expect(warningOf(await summary(...invalid))).toBe(invalid.map((id) => `${id} `).join(''));
  });

  it("knows the archive's words and not others: SCORPIO and a bare Undefined are dropped", async () => {
    const known = ['defaults', 'Quality-Assessment', 'processed_slit', 'processed_slitflat', 'gEmInI_nOrTh', '8x8', 'alopeke', 'NOAO'];
    expect(warningOf(await summary(`night=${NIGHT}`, ...known))).toBeUndefined();
    expect(warningOf(await summary(`night=${NIGHT}`, 'SCORPIO', 'science', 'Undefined'))).toBe('SCORPIO Undefined ');
  });

  it('defaults sets QA NotFail after every other term, over a CHECK that comes later', async () => {
    const checked = addFiles({ programId: NORTH, qaState: 'CHECK' }, '2024-01-15T10:00:00Z');
    const passed = addFiles({ programId: NORTH, qaState: 'Pass' }, '2024-01-15T11:00:00Z');
    expect(names(await search(`night=${NIGHT}`, NORTH, 'CHECK'))).toEqual(checked);
    expect(names(await search(`night=${NIGHT}`, NORTH, 'defaults', 'CHECK'))).toEqual([...checked, ...passed]);
  });

  it('filters by QA state, CHECK included, and applies no QA filter without a QA term', async () => {
    const byState = Object.fromEntries(
      (['Pass', 'Usable', 'Fail', 'CHECK', 'Undefined'] as const).map((qaState) => [
        qaState,
        addFiles({ programId: NORTH, qaState }, '2024-01-15T10:00:00Z')[0],
      ]),
    );
    const found = async (...terms: string[]) => new Set(names(await search(`night=${NIGHT}`, NORTH, ...terms)));
    expect(await found('CHECK')).toEqual(new Set([byState.CHECK]));
    expect(await found()).toEqual(new Set(Object.values(byState)));
    expect(await found('NotFail')).toEqual(new Set([byState.Pass, byState.Usable, byState.CHECK, byState.Undefined]));
    expect(await found('Win')).toEqual(new Set([byState.Pass, byState.Usable]));
    expect(await found('AnyQA')).toEqual(new Set(Object.values(byState)));
  });

  it('lists canonical files only unless asked, and replaces a re-added file', async () => {
    const [file] = addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    const [entry] = await search(NORTH);
    archive.addEntries([{ ...entry, qa_state: 'CHECK' }]);
    expect((await search(NORTH)).map((found) => found.qa_state)).toEqual(['CHECK']);
    archive.addEntries([{ ...entry, canonical: false }]);
    expect(await search(NORTH)).toEqual([]);
    expect(names(await search(NORTH, 'notcanonical'))).toEqual([file]);
  });

  it(`cuts a constrained query at ${CLOSED_QUERY_LIMIT} and an open one at ${OPEN_QUERY_LIMIT}, with no marker`, async () => {
    const entries = makeNight({ night: NIGHT, programs: [{ programId: NORTH, files: CLOSED_QUERY_LIMIT + 50 }] });
    archive.addEntries(entries);
    const closed = await search(`night=${NIGHT}`, NORTH);
    expect(names(closed)).toEqual(names(entries.slice(0, CLOSED_QUERY_LIMIT)));
    expect(closed.some((entry) => 'results_truncated' in entry)).toBe(false);
    expect(await search(NORTH)).toHaveLength(CLOSED_QUERY_LIMIT);
    expect(await search('canonical')).toHaveLength(OPEN_QUERY_LIMIT);
  });

  it('serves /searchform as an HTML page and unknown pages as 404', async () => {
    const form = await get('searchform', `night=${NIGHT}`, NORTH);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(NORTH);
    expect((await get('nosuchpage', NORTH)).status).toBe(404);
  });
});

describe('faults', () => {
  it('adds a persistent latency and a one-off latency', async () => {
    archive.setLatency(40);
    archive.inject({ latencyMs: 120 });
    expect(await elapsedMs(() => search(NORTH))).toBeGreaterThanOrEqual(155);
    const second = await elapsedMs(() => search(NORTH));
    expect(second).toBeGreaterThanOrEqual(35);
    expect(second).toBeLessThan(150);
  });

  it('answers a sequence of 500s, then normally, and logs each status', async () => {
    addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    archive.inject([{ status: 500 }, { status: 500 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('jsonsummary', NORTH)).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(archive.requests.map((request) => [request.path, request.status])).toEqual(
      statuses.map((status) => [`/jsonsummary/${NORTH}`, status]),
    );
  });

  it('answers 429 with a Retry-After header, `times` times', async () => {
    archive.inject({ status: 429, retryAfterSeconds: 7, times: 2 });
    for (const expected of [429, 429, 200]) {
      const response = await get('jsonsummary', NORTH);
      expect(response.status).toBe(expected);
      expect(response.headers.get('retry-after')).toBe(expected === 429 ? '7' : null);
      await response.text();
    }
  });

  it('applies a fault only to requests whose decoded path contains `match`', async () => {
    archive.inject({ status: 503, match: `/${SOUTH}/science` });
    expect((await get('jsonsummary', `night=${NIGHT}`, NORTH, 'science')).status).toBe(200);
    expect((await get('jsonsummary', `night=${NIGHT}`, SOUTH, 'science')).status).toBe(503);
    expect((await get('jsonsummary', `night=${NIGHT}`, SOUTH, 'science')).status).toBe(200);
  });

  it('answers 200 with an HTML page instead of JSON', async () => {
    archive.inject({ html: true });
    const response = await get('jsonsummary', NORTH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(() => JSON.parse(body)).toThrow();
  });

  it('cuts the body short after declaring its full length', async () => {
    addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z', '2024-01-15T10:01:00Z');
    archive.inject({ truncate: true });
    const outcome = await get('jsonsummary', NORTH)
      .then((response) => response.text())
      .then((body) => JSON.parse(body) as unknown)
      .then(
        () => 'parsed',
        () => 'failed',
      );
    expect(outcome).toBe('failed');
    expect(await search(NORTH)).toHaveLength(2);
  });

  it('pads a valid answer to an oversize body, sent without a length', async () => {
    addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    const normal = await search(NORTH);
    archive.inject({ oversizeBytes: 300_000 });
    const response = await get('jsonsummary', NORTH);
    expect(response.headers.get('content-length')).toBeNull();
    const body = await response.text();
    expect(body.length).toBeGreaterThanOrEqual(300_000);
    expect(JSON.parse(body)).toEqual(normal);
  });

  it('adds files of other programs to the answer, in file-name order', async () => {
    addFiles({ programId: NORTH }, '2024-01-15T10:00:00Z');
    archive.inject({ extraPrograms: ['GN-2023B-Q-9', SOUTH] });
    const answer = await search(`night=${NIGHT}`, NORTH);
    expect(answer.map((entry) => entry.program_id).sort()).toEqual(['GN-2023B-Q-9', NORTH, SOUTH].sort());
    expect(names(answer)).toEqual(names(answer).sort());
  });

  it('hangs until the client gives up; close() still returns at once', async () => {
    const hanging = await startArchiveStandIn();
    hanging.inject({ hang: true, times: Infinity });
    const timedOut = fetch(`${hanging.url}/jsonsummary/${NORTH}`, { signal: AbortSignal.timeout(150) });
    await expect(timedOut).rejects.toThrow();
    const stillOpen = fetch(`${hanging.url}/jsonsummary/${NORTH}`).then(
      () => 'answered',
      () => 'closed',
    );
    // The first request ended when its client gave up; the second still waits.
    await expect.poll(() => [hanging.stats.total, hanging.stats.inFlight]).toEqual([2, 1]);
    expect(await elapsedMs(() => hanging.close())).toBeLessThan(1000);
    expect(await stillOpen).toBe('closed');
    await expect.poll(() => hanging.stats.inFlight).toBe(0);
    expect(hanging.requests.map((request) => request.status)).toEqual([0, 0]);
  });
});

describe('stats', () => {
  it('counts requests in flight and their peak under concurrency', async () => {
    archive.setLatency(60);
    await Promise.all(Array.from({ length: 8 }, () => search(NORTH)));
    expect(archive.stats).toEqual({ inFlight: 0, peakInFlight: 8, total: 8 });
    archive.resetStats();
    expect(archive.stats).toEqual({ inFlight: 0, peakInFlight: 0, total: 0 });
    expect(archive.requests).toEqual([]);
  });

  it('answers quickly from a large store (indexed, not scanned)', async () => {
    const programs = Array.from({ length: 100 }, (_, i) => ({ programId: `GN-2024A-Q-${i + 1}`, files: 50 }));
    archive.addEntries(makeNight({ night: NIGHT, programs }));
    await search(`night=${NIGHT}`, 'GN-2024A-Q-1');
    const ms = await elapsedMs(() =>
      Promise.all(Array.from({ length: 100 }, (_, i) => search(`night=${NIGHT}`, `GN-2024A-Q-${i + 1}`, 'science'))),
    );
    expect(ms).toBeLessThan(3000);
  });
});
