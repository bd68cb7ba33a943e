/** One column of the plain-text file table. */
export interface TextColumn<Row> {
  heading: string;
  value: (row: Row) => string;
  /** Widest the column gets; longer values are cut with an ellipsis. */
  cap: number;
  /** Narrowest it may shrink to when the table is wider than LINE_BUDGET; without one it never shrinks. */
  floor?: number;
  alignRight?: boolean;
}

const GAP = '  ';
/** Mail clients and terminals wrap longer lines, which ruins the alignment. */
const LINE_BUDGET = 100;
const ELLIPSIS = '…';

/** Heading, rule and one line per row; widths come from the content, capped, then fitted to LINE_BUDGET. */
export function textTable<Row>(rows: readonly Row[], columns: readonly TextColumn<Row>[]): string[] {
  const sized = columns.map((column) => {
    const cells = rows.map(column.value);
    const widest = cells.reduce((max, cell) => Math.max(max, width(cell)), width(column.heading));
    return { column, cells, width: Math.min(column.cap, widest) };
  });
  let excess = sized.reduce((sum, s) => sum + s.width, GAP.length * (sized.length - 1)) - LINE_BUDGET;
  for (const s of sized) {
    const shrink = Math.max(0, Math.min(excess, s.width - (s.column.floor ?? s.width)));
    s.width -= shrink;
    excess -= shrink;
  }
  const line = (text: (s: (typeof sized)[number]) => string) =>
    sized
      .map((s) => fitCell(text(s), s.width, s.column.alignRight ?? false))
      .join(GAP)
      .trimEnd();
  return [line((s) => s.column.heading), line((s) => '-'.repeat(s.width)), ...rows.map((_, r) => line((s) => s.cells[r] ?? ''))];
}

/** Counted in code points so a character outside the BMP is never split in half. */
function width(text: string): number {
  return [...text].length;
}

function fitCell(text: string, w: number, alignRight: boolean): string {
  const chars = [...text];
  const cut = chars.length > w ? chars.slice(0, w - 1).join('') + ELLIPSIS : text;
  const pad = ' '.repeat(w - width(cut));
  return alignRight ? pad + cut : cut + pad;
}
