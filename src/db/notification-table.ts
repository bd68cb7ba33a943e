import type pg from 'pg';
import type { Notification } from '../domain/notification.js';
import { isUndefinedTable } from './database.js';

/** The database has no `notification` table of FitsStorage's shape: DATABASE_URL names the wrong database (exit 2). */
export class NotificationTableMissing extends Error {}

const UNDEFINED_COLUMN = '42703';

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const PAGE_ROWS = 1000;

/** The rows `--match $1` selects ($2: its LIKE pattern): every row when $1 is null. */
const MATCHING = `($1::text IS NULL OR id::text = $1 OR label ILIKE $2 ESCAPE '\\' OR selection ILIKE $2 ESCAPE '\\')`;
const matchParameters = (match: string | undefined) => [match ?? null, match === undefined ? null : likePattern(match)];

/** The query's rows; a database without the table is told apart from any other failure. */
async function queryTable<R extends pg.QueryResultRow>(db: pg.Pool, text: string, values: unknown[]): Promise<R[]> {
  try {
    return (await db.query<R>(text, values)).rows;
  } catch (error) {
    if (isUndefinedTable(error)) {
      throw new NotificationTableMissing('the database has no "notification" table: is DATABASE_URL the FitsStorage database?');
    }
    if ((error as { code?: string }).code === UNDEFINED_COLUMN) {
      throw new NotificationTableMissing(
        `the "notification" table lacks a column yougotdata reads (${(error as Error).message}): ` +
          'it needs id, label, selection, piemail, ngoemail and csemail',
      );
    }
    throw error;
  }
}

/**
 * Rows ordered by id, the `limit` after id `after` (null: from the start); with `match`, only the row whose id equals it
 * or whose label or selection contains it.
 */
async function readPage(db: pg.Pool, match: string | undefined, after: number | null, limit: number | null): Promise<Notification[]> {
  return queryTable<Notification>(
    db,
    `SELECT id, label::text, selection::text, piemail::text, ngoemail::text, csemail::text
       FROM notification
      WHERE ${MATCHING} AND ($3::int IS NULL OR id > $3)
      ORDER BY id
      LIMIT $4`,
    [...matchParameters(match), after, limit],
  );
}

/** FitsStorage's `notification` table, read as it is; yougotdata never writes it. */
export class NotificationTable {
  constructor(private readonly db: pg.Pool) {}

  /** How many rows `match` selects (every row without it). */
  async count(match?: string): Promise<number> {
    const rows = await queryTable<{ n: number }>(
      this.db,
      `SELECT count(*)::int AS n FROM notification WHERE ${MATCHING}`,
      matchParameters(match),
    );
    return rows[0]?.n ?? 0;
  }

  /** Every matching row at once: for support commands, which look at a few. */
  read(match?: string): Promise<Notification[]> {
    return readPage(this.db, match, null, null);
  }

  /** The rows whose email fields contain `text` (case-insensitive), for `why` asked about an address. */
  mentioning(text: string): Promise<Notification[]> {
    return queryTable<Notification>(
      this.db,
      `SELECT id, label::text, selection::text, piemail::text, ngoemail::text, csemail::text
         FROM notification
        WHERE piemail ILIKE $1 ESCAPE '\\' OR ngoemail ILIKE $1 ESCAPE '\\' OR csemail ILIKE $1 ESCAPE '\\'
        ORDER BY id`,
      [likePattern(text)],
    );
  }

  /** The matching rows a page at a time, for a run over the whole table. */
  pages(match?: string, pageRows = PAGE_ROWS): NotificationPages {
    return new NotificationPages(this.db, match, pageRows);
  }
}

/**
 * The table read a page at a time, in id order, as the run needs rows: the run's memory stays flat however many
 * rows there are. Any number of workers may ask for the next row at once.
 */
export class NotificationPages {
  private page: Notification[] = [];
  private at = 0;
  private after: number | null = null;
  private finished = false;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: pg.Pool,
    private readonly match: string | undefined,
    private readonly pageRows: number,
  ) {}

  /** The next row, or undefined after the last. */
  async next(): Promise<Notification | undefined> {
    while (this.at >= this.page.length) {
      if (this.finished) return undefined;
      this.loading ??= this.load().finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
    return this.page[this.at++];
  }

  private async load(): Promise<void> {
    const rows = await readPage(this.db, this.match, this.after, this.pageRows);
    this.page = rows;
    this.at = 0;
    this.after = rows.at(-1)?.id ?? this.after;
    this.finished = rows.length < this.pageRows;
  }
}
