/**
 * The archive's reading of a selection (docs/archive.md#selection-grammar, #dates-in-a-selection,
 * #observation-ids-and-data-labels), end to end: send, why and audit against the archive stand-in, the summit stand-in,
 * the mail sink and a real database.
 */
import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/demo/archive-stand-in/index.js';
import { janeDoeRow, NIGHT, scienceFiles, sendInProcess, usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();

const send = (...args: string[]) => sendInProcess(peers.env, ...args);
const why = (...args: string[]) => yougotdata(['why', '--date', NIGHT, ...args], peers.env);
const audit = (...args: string[]) => yougotdata(['audit', '--json', ...args], peers.env);

const rowOf = (id: number, selection: string) => ({ ...janeDoeRow, id, label: `row ${id}`, selection });
type Result = { id: number; status: string; error: string | null };
const resultsOf = async (...args: string[]): Promise<Map<number, Result>> =>
  new Map((await send(...args)).json().results.map((r: Result) => [r.id, r]));
type Problem = { id: number; kind: string; field: string };
/** audit's problems with the selection (the rows' ngoemail holds a piece it rejects: not the point here). */
const problemsOf = async (...args: string[]): Promise<Problem[]> =>
  (await audit(...args)).json().problems.filter((p: Problem) => p.field === 'selection');

/** A file of one data label, as the archive lists it. */
function labelled(dataLabel: string, observationId: string, programId: string): Record<string, unknown> {
  return { ...makeEntry({ programId, ut: '2026-11-26T08:00:00Z' }), data_label: dataLabel, observation_id: observationId };
}

describe('a selection naming a date, in any form the archive reads as one', () => {
  const dated = ['2026-11-26', '2026-W48-4', 'now', '20210101T050000-20210101T053000', '20261126S0042', '2026-11-26T10:00Z'];

  it('is refused before the archive is asked, by send, why and audit', async () => {
    await peers.addNotifications(dated.map((term, i) => rowOf(i + 1, `GN-2026B-Q-101/${term}`)));
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 2));
    const results = await resultsOf();
    for (const [i, term] of dated.entries()) {
      expect(results.get(i + 1)).toMatchObject({
        status: 'invalid-selection',
        error: expect.stringContaining(`"${term}" sets a date or night`),
      });
    }
    expect(peers.archive.requests).toHaveLength(0);
    expect(peers.sink.messages()).toHaveLength(0);

    const explained = await why('row 2');
    expect(explained.stdout).toContain('INVALID: "2026-W48-4" sets a date or night, which the job chooses itself (--date)');
    const problems = await problemsOf();
    expect(problems.filter((p) => p.kind === 'invalid-selection').map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('in CHECK mode a bare date never replaces the night on the summit server', async () => {
    await peers.addNotifications([rowOf(1, 'GN-2026B-Q-101/2026-11-25')]);
    peers.summit.addEntries(scienceFiles('GN-2026B-Q-101', 1, '20261125', { qaState: 'CHECK' }));
    expect((await resultsOf('--check')).get(1)).toMatchObject({ status: 'invalid-selection' });
    expect(peers.summit.requests).toHaveLength(0);
    expect(peers.sink.messages()).toHaveLength(0);
  });
});

describe("the archive's word lists", () => {
  it('SCORPIO, which the archive drops, is confirmed with it and refused: never searched as all science', async () => {
    await peers.addNotifications([rowOf(1, 'SCORPIO/science')]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1), ...scienceFiles('GN-2026B-Q-7', 1)]);
    expect((await resultsOf()).get(1)).toMatchObject({
      status: 'invalid-selection',
      error: 'the archive does not recognise "SCORPIO"',
    });
    expect(peers.archive.requests.map((r) => r.path)).toEqual([`/summary/nolinks/night=${NIGHT}/SCORPIO/science`]);
    expect(peers.sink.messages()).toHaveLength(0);
    expect((await why('row 1')).stdout).toContain('INVALID: the archive does not recognise "SCORPIO"');
    expect((await problemsOf('--online')).map((p) => [p.id, p.kind])).toEqual([[1, 'invalid-selection']]);
  });

  it("the archive's words the job did not know cost no confirmation; defaults is refused", async () => {
    const words = ['Quality-Assessment', 'processed_slit', 'processed_slitflat'];
    await peers.addNotifications([...words.map((word, i) => rowOf(i + 1, `GN-2026B-Q-101/${word}`)), rowOf(9, 'GN-2026B-Q-101/defaults')]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-101', 1));
    const results = await resultsOf();
    for (const id of [1, 2, 3]) expect(results.get(id)?.status).toBe('sent');
    expect(results.get(9)).toMatchObject({
      status: 'invalid-selection',
      error: expect.stringContaining('"defaults" makes the archive search QA NotFail'),
    });
    expect(peers.archive.requests.every((r) => r.path.startsWith('/jsonsummary/'))).toBe(true);
    expect((await problemsOf()).map((p) => [p.id, p.kind])).toContainEqual([9, 'invalid-selection']);
  });
});

describe('data labels as the archive reads them', () => {
  const label = 'GN-2026B-Q-101-5-012-MRG-ADD';

  it('a processed data label is a scope: searched at once, and another program beside it is refused', async () => {
    await peers.addNotifications([rowOf(1, label), rowOf(2, `GN-2026B-Q-7/${label}`)]);
    peers.archive.addEntries([labelled(label, 'GN-2026B-Q-101-5', 'GN-2026B-Q-101'), ...scienceFiles('GN-2026B-Q-7', 2)]);
    const results = await resultsOf();
    expect(results.get(1)?.status).toBe('sent');
    expect(results.get(2)).toMatchObject({
      status: 'invalid-selection',
      error: `the selection names program GN-2026B-Q-7 and data label ${label}, but the archive keeps only ${label}: keep one of them`,
    });
    expect(peers.archive.requests.map((r) => r.path)).toEqual([`/jsonsummary/night=${NIGHT}/${label}`]);
    expect((await why('row 2')).stdout).toContain('INVALID: the selection names program GN-2026B-Q-7');
    expect((await problemsOf()).map((p) => [p.id, p.kind])).toEqual([[2, 'invalid-selection']]);
  });

  it('progid= with a GPP data label confines the search to that label, and the guard watches it', async () => {
    const gpp = 'G-2026B-ENG-SCORPIO-02-0023-0011-0002';
    await peers.addNotifications([rowOf(1, `progid=${gpp}`)]);
    peers.archive.addEntries([labelled(gpp, 'G-2026B-ENG-SCORPIO-02-0023', 'G-2026B-ENG-SCORPIO-02')]);
    // Read as a program id, the label's own file would be "another program's" and nothing would ever be sent.
    expect((await resultsOf()).get(1)).toMatchObject({ status: 'sent' });
    peers.archive.inject({ match: '/jsonsummary/', extraPrograms: ['GN-2026B-Q-7'] });
    const explained = (await why('row 1')).stdout;
    expect(explained).toContain(`valid, confined to data label ${gpp}`);
    expect(explained).toContain('files of other programs: GN-2026B-Q-7');
  });
});

describe('what the archive cannot take at all', () => {
  it('a night outside 19990101..21000101 exits 2 in send and why', async () => {
    await peers.addNotifications([janeDoeRow]);
    for (const run of [await send('--date', '19981231'), await yougotdata(['why', '--date', '21000102', '101'], peers.env)]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('it searches nights from 19990101 to 21000101');
    }
    expect(peers.archive.requests).toHaveLength(0);
  });

  it('a term "." or ".." is refused by send, and why explains it without asking or failing', async () => {
    await peers.addNotifications([rowOf(1, 'GN-2026B-Q-101/../science'), rowOf(2, 'GN-2026B-Q-101/./science')]);
    const results = await resultsOf();
    expect([results.get(1)?.status, results.get(2)?.status]).toEqual(['invalid-selection', 'invalid-selection']);
    for (const row of ['row 1', 'row 2']) {
      const explained = await why(row);
      expect(explained.code).toBe(0);
      expect(explained.stderr).not.toContain('    at ');
      expect(explained.stdout).toContain('cannot be sent: a URL would resolve it and search something else');
    }
    expect(peers.archive.requests).toHaveLength(0);
  });

  it('audit --online asks about a long selection that fits a URL, as send does', async () => {
    await peers.addNotifications([rowOf(1, `GN-2026B-Q-101/${'science/'.repeat(140)}Qwerty`)]);
    const problems = await problemsOf('--online');
    expect(peers.archive.requests).toHaveLength(1);
    expect(problems.map((p) => p.kind)).toEqual(['invalid-selection', 'oversized-field']);
  });

  it('a selection too long for a URL is refused before asking, by send, why and audit', async () => {
    await peers.addNotifications([rowOf(1, `GN-2026B-Q-101/${'science/'.repeat(300)}`)]);
    const reason = 'the selection takes 2414 characters in a URL, more than the 2000 a search link can carry';
    expect((await resultsOf()).get(1)).toMatchObject({ status: 'invalid-selection', error: reason });
    expect(peers.archive.requests).toHaveLength(0);
    const explained = (await why('row 1')).stdout;
    expect(explained).toContain(`INVALID: ${reason}`);
    expect(explained).toContain('the selection is too long for a URL: the archive would refuse it');
    expect((await problemsOf('--online')).map((p) => [p.id, p.kind])).toEqual([
      [1, 'invalid-selection'],
      [1, 'oversized-field'],
    ]);
    expect(peers.archive.requests).toHaveLength(0);
  });
});
