import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../harness/database.js';
import { usePeers, yougotdata } from '../harness/peers.js';

const peers = usePeers();
const audit = (...args: string[]) => yougotdata(['audit', ...args], peers.env);

/** A table with one row of each problem, and rows written in every way the parser reads cleanly. */
const messyTable = [
  // Clean, however they are written: never reported.
  {
    id: 1,
    label: 'Auto - GN-2026B-Q-1',
    selection: 'GN-2026B-Q-1/science',
    piemail: 'ana@uni.test\nbo@uni.test',
    csemail: 'cs@gemini.test',
  },
  {
    id: 2,
    label: 'Auto - GN-2026B-Q-2',
    selection: 'GN-2026B-Q-2/science',
    piemail: 'Last, First <first.last@uni.test>',
    csemail: 'cs@gemini.test',
  },
  { id: 3, label: 'Auto - GN-2026B-Q-3', selection: 'GN-2026B-Q-3/science', piemail: 'mailto:kai@uni.test.', csemail: 'cs@gemini.test' },
  {
    id: 4,
    label: 'Auto - GN-2026B-Q-4',
    selection: 'GN-2026B-Q-4/science',
    piemail: 'a@uni.test b@uni.test, "Doe, J" <j@uni.test>',
    csemail: 'cs@gemini.test',
  },
  // One problem each.
  { id: 10, label: 'typo team', selection: 'GN-2026B-Q-10/sceince', piemail: 'x@uni.test', csemail: 'cs@gemini.test' },
  { id: 11, label: 'Auto - GN-2026B-Q-11', selection: 'GN-2026B-Q-11/science', piemail: 'N/A', csemail: 'cs@gemini.test' },
  { id: 12, label: 'Auto - GN-2026B-Q-12', selection: 'GN-2026B-Q-12/science', piemail: 'pi12@uni.test', csemail: null },
  {
    id: 13,
    label: 'Auto - GN-2026B-Q-13',
    selection: 'GN-2026B-Q-13/science',
    piemail: 'pi13@uni.test',
    ngoemail: 'ngo@office.test; TBD',
    csemail: 'cs@gemini.test',
  },
  { id: 14, label: 'extra copy for Jane', selection: 'GN-2026B-Q-1/science', piemail: 'ANA@uni.test', csemail: 'cs@gemini.test' },
  { id: 15, label: 'blank', selection: '  ', piemail: 'y@uni.test', csemail: 'cs@gemini.test' },
];

describe('audit', () => {
  it('reports every kind in the table, worst first, each with what to change and where; exit 1', async () => {
    await peers.addNotifications(messyTable);
    const run = await audit('--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const doc = run.json();
    expect(doc.notifications).toBe(messyTable.length);
    const byKind = (kind: string) => doc.problems.filter((p: { kind: string }) => p.kind === kind);
    expect(byKind('invalid-selection').map((p: { id: number }) => p.id)).toEqual([15]);
    expect(byKind('unconfirmed-selection')).toEqual([
      expect.objectContaining({ id: 10, field: 'selection', detail: expect.stringContaining('did you mean science?'), source: 'manual' }),
    ]);
    expect(byKind('no-pi-address')).toEqual([
      expect.objectContaining({ id: 11, field: 'piemail', source: 'sync', fix: expect.stringContaining('observing database') }),
    ]);
    expect(byKind('no-cs-address').map((p: { id: number }) => p.id)).toEqual([12]);
    expect(byKind('rejected-piece')).toEqual([
      expect.objectContaining({ id: 13, field: 'ngoemail', detail: expect.stringContaining('"TBD"') }),
    ]);
    expect(byKind('duplicate')).toEqual([expect.objectContaining({ ids: [1, 14], detail: expect.stringContaining('ana@uni.test') })]);
    // Rows written in every clean way: nothing said about them.
    for (const id of [2, 3, 4]) expect(doc.problems.filter((p: { ids: number[] }) => p.ids.includes(id))).toEqual([]);
    for (const problem of doc.problems) {
      expect(Object.keys(problem).sort()).toEqual(['detail', 'field', 'fix', 'id', 'ids', 'kind', 'label', 'selection', 'source']);
    }
    expect(doc.totals).toMatchObject({ 'invalid-selection': 1, 'no-pi-address': 1, 'no-cs-address': 1, duplicate: 1, 'rejected-piece': 1 });
    const kinds = doc.problems.map((p: { kind: string }) => p.kind);
    expect(kinds.indexOf('invalid-selection')).toBeLessThan(kinds.indexOf('rejected-piece'));
  });

  it('the text groups the problems by kind, says where each fix lasts, and sends and writes nothing', async () => {
    await peers.addNotifications(messyTable);
    const run = await audit();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Audit of 10 notifications/);
    expect(run.stdout).toContain('the sync copies it into row #11 each day, so an edit of the row would be undone');
    expect(run.stdout).toContain('Edit row #15 (added by hand)');
    expect(run.stdout).toMatch(/^Totals: \d+ problems in \d+ rows/m);
    expect(peers.archive.requests).toHaveLength(0);
    expect(peers.sink.messages()).toHaveLength(0);
    const tables = await peers.db.pool.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'yougotdata%'");
    expect(tables.rows[0].n).toBe(0);
  });

  it('--match: only the matching rows reported, duplicates still found against the others', async () => {
    await peers.addNotifications(messyTable);
    const doc = (await audit('--json', '--match', 'extra copy')).json();
    expect(doc.notifications).toBe(1);
    expect(doc.problems.map((p: { kind: string; ids: number[] }) => [p.kind, p.ids])).toEqual([['duplicate', [1, 14]]]);
  });

  it('--online: a term only the archive knows is confirmed with its summary page, as send does', async () => {
    await peers.addNotifications([
      { id: 1, label: 'typo', selection: 'GN-2026B-Q-1/sceince', piemail: 'a@uni.test', csemail: 'cs@gemini.test' },
      { id: 2, label: 'a grating', selection: 'GN-2026B-Q-2/B600', piemail: 'b@uni.test', csemail: 'cs@gemini.test' },
    ]);
    const offline = (await audit('--json')).json();
    expect(offline.problems.map((p: { id: number; kind: string }) => [p.id, p.kind])).toEqual([[1, 'unconfirmed-selection']]);
    expect(peers.archive.requests).toHaveLength(0);
    const online = await audit('--json', '--online');
    expect(online.code).toBe(1);
    expect(online.json().problems).toEqual([
      expect.objectContaining({ id: 1, kind: 'invalid-selection', detail: expect.stringContaining('"sceince" (did you mean science?)') }),
    ]);
    expect(peers.archive.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/summary\/nolinks\/night=\d{8}\/GN-2026B-Q-1\/sceince$/)]),
    );
  });

  it('a clean table: exit 0', async () => {
    await peers.addNotifications(messyTable.slice(0, 4));
    const run = await audit();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No problems found');
    expect((await audit('--json')).json()).toMatchObject({ notifications: 4, problems: [] });
  });

  it('a row of megabytes of junk is reported, bounded, and the others are still audited', async () => {
    const junk = 'N/A; '.repeat(200_000) + '('.repeat(100_000);
    await peers.addNotifications([
      { id: 1, label: 'junk', selection: 'GN-2026B-Q-1/science', piemail: junk, csemail: 'cs@gemini.test' },
      ...messyTable.slice(4, 6),
    ]);
    const run = await audit('--json');
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBeLessThan(100_000);
    const ids = new Set(run.json().problems.map((p: { id: number }) => p.id));
    expect([...ids].sort()).toEqual([1, 10, 11]);
  });

  it('a notification table without the expected columns: exit 2, one line', async () => {
    const other = await freshDatabase();
    try {
      await other.pool.query('ALTER TABLE notification DROP COLUMN csemail');
      const run = await yougotdata(['audit', '--json'], { ...peers.env, DATABASE_URL: other.url });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^yougotdata: the "notification" table lacks a column yougotdata reads/),
      ]);
      expect(run.json()).toMatchObject({ error: { kind: 'database' }, exitCode: 2 });
    } finally {
      await other.drop();
    }
  });
});
