import { clip } from './words.js';

/** One column of a plain-text table. */
export interface TextColumn<Row> {
  heading: string;
  value: (row: Row) => string;
  /** Widest the column gets; longer values are cut with an ellipsis. */
  cap?: number;
  /** Narrowest it may shrink to when the table is wider than its budget; without one it never shrinks. */
  floor?: number;
  alignRight?: boolean;
}

export interface TableOptions {
  /** A line of dashes under the headings. */
  rule?: boolean;
  /** Widest a line may be, reached by shrinking columns that have a floor. */
  budget?: number;
}

const GAP = '  ';

/**
 * Headings, an optional rule and one line per row, widths from the content (capped, then fitted to the budget).
 * Lines come one at a time and cells are computed again for them, so a table of many thousand rows is never held whole.
 */
export function* tableLines<Row>(rows: readonly Row[], columns: readonly TextColumn<Row>[], options: TableOptions = {}): Generator<string> {
  const widths = columns.map((column) => width(column.heading));
  for (const row of rows) {
    columns.forEach((column, i) => {
      widths[i] = Math.max(widths[i] ?? 0, Math.min(column.cap ?? Number.POSITIVE_INFINITY, width(column.value(row))));
    });
  }
  if (options.budget !== undefined) {
    let excess = widths.reduce((sum, w) => sum + w, GAP.length * (widths.length - 1)) - options.budget;
    columns.forEach((column, i) => {
      const current = widths[i] ?? 0;
      const shrink = Math.max(0, Math.min(excess, current - (column.floor ?? current)));
      widths[i] = current - shrink;
      excess -= shrink;
    });
  }
  const line = (cell: (column: TextColumn<Row>, i: number) => string) =>
    columns
      .map((column, i) => fitCell(cell(column, i), widths[i] ?? 0, column.alignRight ?? false))
      .join(GAP)
      .trimEnd();
  yield line((column) => column.heading);
  if (options.rule) yield line((_, i) => '-'.repeat(widths[i] ?? 0));
  for (const row of rows) yield line((column) => column.value(row));
}

/** Counted in code points so a character outside the BMP is never split in half. */
function width(text: string): number {
  return [...text].length;
}

function fitCell(text: string, w: number, alignRight: boolean): string {
  const cut = clip(text, w);
  const pad = ' '.repeat(Math.max(0, w - width(cut)));
  return alignRight ? pad + cut : cut + pad;
}
