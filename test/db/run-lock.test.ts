import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, RunLockBusy, RunLockLost } from '../../src/db/run-lock.js';
import { freshDatabase, type TestDatabase } from '../harness/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(() => db.drop());

describe('the run lock', () => {
  it('answers many checks at once with one query at a time: no pg warning on stderr, which cron would mail', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const lock = await acquireRunLock(db.url, 'pi', 'yougotdata test many checks');
    try {
      for (let round = 0; round < 3; round += 1) {
        await Promise.all(Array.from({ length: 50 }, () => lock.assertHeld()));
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await lock.release();
    }
  });

  it('a second run of the same mode is refused while the first holds it; the other mode is not', async () => {
    const first = await acquireRunLock(db.url, 'pi', 'yougotdata test first');
    try {
      await expect(acquireRunLock(db.url, 'pi', 'yougotdata test second')).rejects.toBeInstanceOf(RunLockBusy);
      const check = await acquireRunLock(db.url, 'check', 'yougotdata test check');
      await check.release();
    } finally {
      await first.release();
    }
    const again = await acquireRunLock(db.url, 'pi', 'yougotdata test again');
    await again.release();
  });

  it('checks waiting when the lock is lost all fail with RunLockLost, and so does every later one', async () => {
    const lock = await acquireRunLock(db.url, 'check', 'yougotdata test lost');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await lock.assertHeld();
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'yougotdata test lost'");
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => lock.assertHeld()));
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(RunLockLost);
      }
      await expect(lock.assertHeld()).rejects.toBeInstanceOf(RunLockLost);
    } finally {
      await admin.end();
      await lock.release();
    }
  });
});
