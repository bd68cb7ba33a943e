import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotificationPages, NotificationTable } from '../../src/db/notification-table.js';
import { insertNotifications } from '../../src/demo/fitsstorage-table.js';
import type { Notification } from '../../src/domain/notification.js';
import { freshDatabase, type TestDatabase } from '../harness/database.js';

let db: TestDatabase;
const ids = [3, 5, 8, 13, 21, 34, 55, 89, 144, 233];

beforeAll(async () => {
  db = await freshDatabase();
  await insertNotifications(
    db.pool,
    ids.map((id) => ({
      id,
      label: `Auto - GN-2026B-Q-${id}`,
      selection: id % 2 ? `GN-2026B-Q-${id}/science` : `GS-2026B-Q-${id}/science`,
    })),
  );
});
afterAll(() => db.drop());

/** Every row the pages give, taken by `workers` consumers at once, in the order they were taken. */
async function drain(pages: NotificationPages, workers: number): Promise<Notification[]> {
  const taken: Notification[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let row = await pages.next(); row; row = await pages.next()) taken.push(row);
    }),
  );
  return taken;
}

describe('the notification table, read a page at a time', () => {
  it.each([
    [1, 1],
    [3, 4],
    [4, 16],
    [10, 2],
    [11, 3],
    [1000, 8],
  ])('pages of %i rows, %i workers at once: every row once, in id order', async (pageRows, workers) => {
    const taken = await drain(new NotificationTable(db.pool).pages(undefined, pageRows), workers);
    expect(taken.map((row) => row.id)).toEqual(ids);
  });

  it('keeps --match across pages: label and selection contain it, or the id equals it', async () => {
    expect((await drain(new NotificationTable(db.pool).pages('GS-', 2), 3)).map((row) => row.id)).toEqual([8, 34, 144]);
    expect((await drain(new NotificationTable(db.pool).pages('89', 2), 3)).map((row) => row.id)).toEqual([89]);
    expect(await drain(new NotificationTable(db.pool).pages('no such program', 2), 3)).toEqual([]);
  });

  it('counts and reads what the pages give', async () => {
    expect(await new NotificationTable(db.pool).count()).toBe(ids.length);
    expect(await new NotificationTable(db.pool).count('GS-')).toBe(3);
    expect((await new NotificationTable(db.pool).read('GS-')).map((row) => row.id)).toEqual([8, 34, 144]);
  });

  it('an empty table gives no row and a count of 0', async () => {
    const empty = await freshDatabase();
    try {
      expect(await drain(new NotificationTable(empty.pool).pages(undefined, 5), 4)).toEqual([]);
      expect(await new NotificationTable(empty.pool).count()).toBe(0);
    } finally {
      await empty.drop();
    }
  });
});
