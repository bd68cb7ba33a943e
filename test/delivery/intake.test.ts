/**
 * takeReport against a real PostgreSQL: a fault of this code on one message keeps the message whole, so the pipe
 * still exits 0 and the mail server never bounces it back; a fault of the database is left to the caller (exit 75).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRecord } from '../../src/db/delivery-record.js';
import { migrate } from '../../src/db/migrations.js';
import { takeReport, writtenAt } from '../../src/delivery/intake.js';
import { freshDatabase, type TestDatabase } from '../harness/database.js';
import { reading } from './samples.js';

const BOUNCE = readFileSync(new URL('../fixtures/bounces/postfix-5.1.1-user-unknown.eml', import.meta.url));
const raw = { bytes: BOUNCE, size: BOUNCE.length, source: 'stdin', envelope: {} };
const now = () => new Date('2026-12-07T20:00:00Z');

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('taking a message in', () => {
  it('keeps the message whole when this code fails on it, so the pipe still takes it', async () => {
    await migrate(db.pool);
    const record = new DeliveryRecord(db.pool);
    const broken = {
      findSends: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'kind')")),
      record: record.record.bind(record),
    };
    const taken = await takeReport(raw, { tokens: null, record: broken, now });
    expect(taken).toMatchObject({
      outcome: 'kept',
      kept: true,
      match: { state: 'unmatched' },
      problems: [{ code: 'unexpected', detail: "yougotdata could not read it: Cannot read properties of undefined (reading 'kind')" }],
    });
    const { rows } = await db.pool.query('SELECT kind, kept, raw FROM yougotdata_report');
    expect(rows).toHaveLength(1);
    expect(rows[0].kind).toBe('unreadable');
    expect(Buffer.from(rows[0].raw).equals(BOUNCE)).toBe(true);
  });

  it('leaves a database fault to the caller, recording nothing', async () => {
    const unmigrated = await freshDatabase();
    try {
      await expect(takeReport(raw, { tokens: null, record: new DeliveryRecord(unmigrated.pool), now })).rejects.toMatchObject({
        code: '42P01',
      });
    } finally {
      await unmigrated.drop();
    }
  });
});

describe('when a report was written', () => {
  it('is its Date, unless missing, unreadable or more than an hour ahead of the clock', () => {
    const clock = new Date('2026-12-07T20:00:00Z');
    expect(writtenAt(reading({ date: '2026-12-03T08:01:13.000Z' }), clock)).toEqual(new Date('2026-12-03T08:01:13Z'));
    expect(writtenAt(reading({ date: '2026-12-07T20:30:00.000Z' }), clock)).toEqual(new Date('2026-12-07T20:30:00Z'));
    for (const date of [null, 'not a date', '2027-01-01T00:00:00.000Z']) expect(writtenAt(reading({ date }), clock)).toBe(clock);
  });
});
