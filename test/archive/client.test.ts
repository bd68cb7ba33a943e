import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveClient, archiveUrl, DotSegmentTerm, parseEntries } from '../../src/archive/client.js';
import { readSelection, type ValidSelection } from '../../src/archive/selection.js';
import { type ArchiveStandIn, startArchiveStandIn } from '../../src/demo/archive-stand-in/index.js';
import type { Night } from '../../src/domain/night.js';
import { scienceFiles } from '../harness/peers.js';

const night = '20261126' as Night;

const validSelection = (text: string): ValidSelection => {
  const reading = readSelection(text);
  if (reading.kind !== 'valid') throw new Error(`not valid: ${text}`);
  return reading.selection;
};

describe('archiveUrl', () => {
  it("builds the old job's URLs", () => {
    expect(archiveUrl('https://archive.gemini.edu', 'jsonsummary', night, ['GN-2026B-Q-101', 'science'])).toBe(
      'https://archive.gemini.edu/jsonsummary/night=20261126/GN-2026B-Q-101/science',
    );
    expect(archiveUrl('http://mkofits-lv1/', 'searchform', night, ['GN-2026B-Q-101', 'science', 'CHECK'])).toBe(
      'http://mkofits-lv1/searchform/night=20261126/GN-2026B-Q-101/science/CHECK',
    );
  });

  it.each([
    ['a?b=1', '/jsonsummary/night=20261126/a%3Fb=1'],
    ['x#frag', '/jsonsummary/night=20261126/x%23frag'],
    ['two words', '/jsonsummary/night=20261126/two%20words'],
    ['Ωmega', '/jsonsummary/night=20261126/%CE%A9mega'],
    ['@evil.example', '/jsonsummary/night=20261126/%40evil.example'],
    ['0.5arcsec', '/jsonsummary/night=20261126/0.5arcsec'],
  ])('encodes the term %j on its own, never changing path or host', (term, path) => {
    const url = archiveUrl('http://archive.test', 'jsonsummary', night, [term]);
    expect(url).toBe(`http://archive.test${path}`);
    expect(new URL(url).host).toBe('archive.test');
    expect(new URL(url).pathname).toBe(path);
  });

  it.each(['.', '..'])('refuses the term %j, which a URL parser resolves even encoded', (term) => {
    expect(() => archiveUrl('http://archive.test', 'jsonsummary', night, ['GN-2026B-Q-101', term])).toThrow(DotSegmentTerm);
    // Why encoding is not enough: the URL the client would send resolves %2E%2E, deleting the program id.
    expect(new URL('http://archive.test/jsonsummary/night=20261126/GN-2026B-Q-101/%2E%2E').pathname).toBe('/jsonsummary/night=20261126/');
  });
});

describe('the client and a dot-segment term, against the archive stand-in', () => {
  let standIn: ArchiveStandIn;
  let client: ArchiveClient;
  beforeAll(async () => {
    standIn = await startArchiveStandIn();
    standIn.addEntries([...scienceFiles('GN-2026B-Q-101', 1), ...scienceFiles('GN-2026B-Q-666', 2)]);
    client = new ArchiveClient({ timeoutMs: 2000, retries: 0, concurrency: 1 });
  });
  afterAll(async () => {
    await client.close();
    await standIn.close();
  });

  const asks = {
    searchUnchecked: (terms: string[]) => client.searchUnchecked(standIn.url, night, terms, 'pi'),
    summaryPage: (terms: string[]) => client.summaryPage(standIn.url, night, terms),
  };

  it.each([
    ['..', 'searchUnchecked'],
    ['.', 'searchUnchecked'],
    ['..', 'summaryPage'],
  ] as const)('%j: the %s request is never made, and the answer is a failure that says why', async (term, ask) => {
    standIn.resetStats();
    const answer = await asks[ask](['GN-2026B-Q-101', term]);
    expect(answer).toMatchObject({ ok: false, transient: false, attempts: 0 });
    expect(answer.ok === false && answer.error).toContain(`the term "${term}" cannot be sent`);
    expect(standIn.requests).toEqual([]);
  });

  it('the same search without the term is asked, and finds only its program', async () => {
    const answer = await client.searchFiles(standIn.url, night, validSelection('GN-2026B-Q-101'), 'pi');
    expect(answer.ok && answer.value.map((entry) => entry.program_id)).toEqual(['GN-2026B-Q-101']);
  });

  it("a search adds its mode's term: CHECK mode asks for files in QA state CHECK", async () => {
    standIn.resetStats();
    await client.searchFiles(standIn.url, night, validSelection('GN-2026B-Q-101/science'), 'check');
    await client.searchUnchecked(standIn.url, night, ['GN-2026B-Q-101', 'sceince'], 'check');
    await client.searchFiles(standIn.url, night, validSelection('GN-2026B-Q-101/science'), 'pi');
    expect(standIn.requests.map((request) => request.path)).toEqual([
      '/jsonsummary/night=20261126/GN-2026B-Q-101/science/CHECK',
      '/jsonsummary/night=20261126/GN-2026B-Q-101/sceince/CHECK',
      '/jsonsummary/night=20261126/GN-2026B-Q-101/science',
    ]);
  });
});

describe('parseEntries', () => {
  const entry = {
    name: 'N1.fits',
    filename: 'N1.fits.bz2',
    program_id: 'GN-1',
    ut_datetime: '2026-11-26 01:02:03',
    exposure_time: 30,
    extra: 'dropped',
  };

  it('keeps the fields a message uses and nulls what is missing', () => {
    const [parsed] = parseEntries(JSON.stringify([entry]));
    expect(parsed).toMatchObject({ name: 'N1.fits', program_id: 'GN-1', exposure_time: 30, object: null, qa_state: null });
    expect(parsed).not.toHaveProperty('extra');
    expect(parseEntries('[]')).toEqual([]);
  });

  it.each([
    ['<html><body>Internal error</body></html>', 'the answer is not JSON (it starts "<html><body>Internal error'],
    ['[{"name": "N1.fits", "filename": "N1', 'the answer is not JSON'],
    ['{"error": "x"}', 'the answer is JSON but not a list of files (object)'],
    ['null', 'not a list of files (null)'],
    ['[{"filename": "x"}]', 'file 1 of the answer is malformed: name'],
    ['[{"name": "a", "filename": "a", "exposure_time": "long"}]', 'file 1 of the answer is malformed: exposure_time'],
  ])('refuses %j with a clear reason', (body, reason) => {
    expect(() => parseEntries(body)).toThrow(reason);
  });
});
