import { Writable } from 'node:stream';

/** A stream that says it is a terminal (or not) and keeps every write, each as it came. */
export class FakeTerminal extends Writable {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {
    super({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, callback) => {
        this.writes.push(String(chunk));
        callback();
      },
    });
  }

  get output(): string {
    return this.writes.join('');
  }

  /** The rows a person sees once everything is written: `\r` goes back, `ESC[2K` blanks the row (the cursor stays), `\n` ends it. */
  get screen(): string[] {
    const rows: string[] = [];
    let row = '';
    let cursor = 0;
    const text = this.output;
    for (let i = 0; i < text.length; i += 1) {
      if (text.startsWith('\x1b[2K', i)) {
        row = '';
        i += 3;
      } else if (text[i] === '\r') cursor = 0;
      else if (text[i] === '\n') {
        rows.push(row);
        row = '';
        cursor = 0;
      } else {
        row = row.padEnd(cursor).slice(0, cursor) + text[i] + row.slice(cursor + 1);
        cursor += 1;
      }
    }
    if (row) rows.push(row);
    return rows;
  }
}
