import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import { NightOutcomeLog, requestOutcomes, SendRecord } from '../../src/db/send-record.js';
import type { Night } from '../../src/domain/night.js';
import type { NightOutcome } from '../../src/domain/notice.js';
import { freshDatabase, type TestDatabase } from '../harness/database.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));
const RANGE = 'https://archive.test/jsonsummary/nightrange=20261123-20261126/GN-2026B-Q-5/science';
const ALONE = 'https://archive.test/jsonsummary/night=20261126/GN-2026B-Q-5/science';
const NIGHTS = ['20261126', '20261125', '20261124', '20261123'] as Night[];

/** Notification 5's check of `night` in PI mode: nothing found, through the range request. */
const check = (night: string, over: Partial<NightOutcome> = {}): NightOutcome => ({
  notificationId: 5,
  night: night as Night,
  mode: 'pi',
  status: 'no-data',
  selection: 'GN-2026B-Q-5/science',
  files: 0,
  rejected: ['N/A'],
  error: null,
  complete: true,
  url: RANGE,
  ...over,
});

const at = (time: string) => new Date(`2026-11-27T${time}Z`);

describe('requestOutcomes: a row per archive request', () => {
  it('the nights one nightrange= request covered share its row, in the order asked', () => {
    const rows = requestOutcomes(
      NIGHTS.map((night) => check(night)),
      at('08:00:00'),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ notificationId: 5, mode: 'pi', url: RANGE, selection: 'GN-2026B-Q-5/science', rejected: ['N/A'] });
    expect(rows[0]!.outcomes.map((o) => o.night)).toEqual(NIGHTS);
  });

  it("the run's night asked alone after the range failed: two requests, two rows", () => {
    const rows = requestOutcomes(
      [
        check('20261126', { url: ALONE, status: 'sent', files: 2 }),
        ...NIGHTS.slice(1).map((night) => check(night, { status: 'failed', error: 'archive search failed: HTTP 500', complete: false })),
      ],
      at('08:00:00'),
    );
    expect(rows.map((row) => [row.url, row.outcomes.map((o) => o.night)])).toEqual([
      [ALONE, ['20261126']],
      [RANGE, NIGHTS.slice(1)],
    ]);
    expect(rows[1]!.outcomes[0]).toEqual({
      night: '20261125',
      status: 'failed',
      files: 0,
      error: 'archive search failed: HTTP 500',
      complete: false,
    });
  });
});

describe('night outcomes in the send record', () => {
  let db: TestDatabase;
  let record: SendRecord;
  beforeAll(async () => {
    db = await freshDatabase();
    record = new SendRecord(db.pool);
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    // Every `yougotdata…` table, whatever the tool keeps: each test migrates from scratch.
    const tables = await db.pool.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'yougotdata%'",
    );
    if (tables.rows.length > 0) await db.pool.query(`DROP TABLE ${tables.rows.map((t) => t.name).join(', ')} CASCADE`);
  });

  const write = async (time: string, checks: NightOutcome[]) => {
    const log = new NightOutcomeLog(
      record,
      () => at(time),
      (message) => {
        throw new Error(message);
      },
    );
    log.add(checks);
    await log.flush();
  };

  it('writes one row per request, with the nights it covered', async () => {
    await migrate(db.pool);
    await write('08:00:00', [check('20261126', { url: ALONE, status: 'sent', files: 2 }), ...NIGHTS.slice(1).map((n) => check(n))]);
    const rows = await db.pool.query('SELECT url, nights, rejected FROM yougotdata_outcome ORDER BY id');
    expect(rows.rows).toEqual([
      { url: ALONE, nights: ['20261126'], rejected: ['N/A'] },
      { url: RANGE, nights: NIGHTS.slice(1), rejected: ['N/A'] },
    ]);
  });

  it("why's history: each night's latest check, newest night first, with the request that made it", async () => {
    await migrate(db.pool);
    await write(
      '07:00:00',
      NIGHTS.map((n) => check(n, { status: 'failed', error: 'HTTP 503', complete: false })),
    );
    await write('08:00:00', [check('20261126', { url: ALONE, status: 'sent', files: 2 })]);
    const { nights } = await record.history(5, 'pi', ['20261125', '20261126'] as Night[]);
    expect(nights).toEqual([
      { ...check('20261126', { url: ALONE, status: 'sent', files: 2 }), checkedAt: at('08:00:00') },
      { ...check('20261125', { status: 'failed', error: 'HTTP 503', complete: false }), checkedAt: at('07:00:00') },
    ]);
    expect((await record.history(5, 'check', NIGHTS)).nights).toEqual([]);
  });

  it('recently complete: by the latest check of each night within the hour', async () => {
    await migrate(db.pool);
    await write('06:00:00', [check('20261123')]);
    await write('07:30:00', [check('20261126'), check('20261125'), check('20261124')]);
    await write('07:45:00', [check('20261124', { url: ALONE, status: 'failed', error: 'HTTP 500', complete: false })]);
    const recent = await record.recentlyComplete('pi', NIGHTS.slice(1), at('07:00:00'));
    // 26 was not asked about, 24's latest check failed, 23 was checked too long ago.
    expect([...recent]).toEqual(['5:20261125']);
  });

  it('a database migrated before one row per request: read as it is, then moved by migrate', async () => {
    await db.pool.query(
      'CREATE TABLE yougotdata_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    for (const name of readdirSync(MIGRATIONS)
      .sort()
      .filter((file) => Number.parseInt(file, 10) <= 5)) {
      await db.pool.query(readFileSync(MIGRATIONS + name, 'utf8'));
      await db.pool.query('INSERT INTO yougotdata_migration (version, name) VALUES ($1, $2)', [Number.parseInt(name, 10), name]);
    }
    for (const [night, status, time] of [
      ['20261126', 'sent', '08:00:00'],
      ['20261125', 'no-data', '08:00:01'],
    ] as const) {
      await db.pool.query(
        `INSERT INTO yougotdata_night (notification_id, night, mode, status, selection, files, rejected, error, complete, checked_at, url)
         VALUES (5, $1, 'pi', $2, 'GN-2026B-Q-5/science', 0, '{N/A}', NULL, true, $3, $4)`,
        [night, status, at(time), RANGE],
      );
    }
    const expected = [
      { ...check('20261126', { status: 'sent' }), checkedAt: at('08:00:00') },
      { ...check('20261125'), checkedAt: at('08:00:01') },
    ];
    expect((await record.history(5, 'pi', NIGHTS)).nights).toEqual(expected);
    expect((await migrate(db.pool)).applied).toContain('007_outcome_per_request.sql');
    expect((await record.history(5, 'pi', NIGHTS)).nights).toEqual(expected);
    const tables = await db.pool.query("SELECT to_regclass('yougotdata_night') AS night");
    expect(tables.rows[0].night).toBeNull();
  });

  it('before any migration: no checks, and nothing recently complete', async () => {
    expect((await record.history(5, 'pi', NIGHTS)).nights).toEqual([]);
    expect(await record.recentlyComplete('pi', NIGHTS, at('07:00:00'))).toEqual(new Set());
  });
});
