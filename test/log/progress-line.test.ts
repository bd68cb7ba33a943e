import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/log/progress-line.js';
import { FakeTerminal } from './fake-terminal.js';

const CLEAR = '\r\x1b[2K';

describe('progressLine off a terminal', () => {
  it('draws nothing, and lines pass straight through', () => {
    const stream = new FakeTerminal(false);
    const progress = progressLine(stream);
    progress.show('1/3 notifications');
    progress.write('2026-11-26 08:00:12 WARN  one\n');
    progress.show('2/3 notifications');
    progress.end();
    expect(progress.drawn).toBe(false);
    expect(stream.writes).toEqual(['2026-11-26 08:00:12 WARN  one\n']);
  });

  it('draws nothing on a terminal when turned off (a JSON report is being written)', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream, { enabled: false });
    progress.show('1/3 notifications');
    progress.write('line\n');
    progress.end();
    expect(stream.output).toBe('line\n');
  });
});

describe('progressLine on a terminal', () => {
  it('draws the progress, then redraws it in place', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('1/3 notifications');
    progress.show('2/3 notifications');
    expect(progress.drawn).toBe(true);
    expect(stream.writes).toEqual(['1/3 notifications', `${CLEAR}2/3 notifications`]);
    expect(stream.screen).toEqual(['2/3 notifications']);
  });

  it('does not redraw what is already shown', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('1/3 notifications');
    progress.show('1/3 notifications');
    expect(stream.writes).toHaveLength(1);
  });

  it('clears the progress, writes the line and redraws the progress, in one write', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('1/3 notifications');
    progress.write('WARN  #17 GN-2026B-Q-101: archive search failed\n');
    expect(stream.writes.at(-1)).toBe(`${CLEAR}WARN  #17 GN-2026B-Q-101: archive search failed\n1/3 notifications`);
    expect(stream.screen).toEqual(['WARN  #17 GN-2026B-Q-101: archive search failed', '1/3 notifications']);
  });

  it('writes lines plainly when no progress is shown', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.write('a\n');
    expect(stream.writes).toEqual(['a\n']);
  });

  it('ends a line that came without a newline before redrawing', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('1/2');
    progress.write('no newline');
    expect(stream.screen).toEqual(['no newline', '1/2']);
  });

  it('keeps several lines of one write whole', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('1/2');
    progress.write('first\nsecond\n');
    expect(stream.screen).toEqual(['first', 'second', '1/2']);
  });

  it('finishes with a newline, once, leaving the last progress on screen', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('3/3 notifications');
    progress.end();
    progress.end();
    expect(stream.output).toBe('3/3 notifications\n');
    progress.write('after\n');
    expect(stream.screen).toEqual(['3/3 notifications', 'after']);
  });

  it('does nothing at the end when nothing was shown', () => {
    const stream = new FakeTerminal(true);
    progressLine(stream).end();
    expect(stream.writes).toEqual([]);
  });

  it('starts a new progress after the end, below the old one', () => {
    const stream = new FakeTerminal(true);
    const progress = progressLine(stream);
    progress.show('2/2 notifications');
    progress.end();
    progress.show('1/5 notifications');
    expect(stream.writes.at(-1)).toBe('1/5 notifications');
    expect(stream.screen).toEqual(['2/2 notifications', '1/5 notifications']);
  });

  it('cuts the progress to the width of the terminal, so it never wraps', () => {
    const stream = new FakeTerminal(true, 20);
    const progress = progressLine(stream);
    progress.show('x'.repeat(50));
    expect(stream.output).toBe('x'.repeat(19));
  });

  it('escapes control characters in the progress text', () => {
    const stream = new FakeTerminal(true);
    progressLine(stream).show('1/2 \x1b[31mred\n');
    expect(stream.output).toBe('1/2 \\x1b[31mred\\n');
  });

  it('never puts progress text inside a log line, however the two interleave', () => {
    const step = fc.oneof(
      fc.integer({ min: 1, max: 500 }).map((n) => ({ kind: 'show' as const, n })),
      fc.integer({ min: 0, max: 10_000 }).map((n) => ({ kind: 'log' as const, n })),
      fc.constant({ kind: 'end' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const stream = new FakeTerminal(true);
        const progress = progressLine(stream);
        const logged: string[] = [];
        for (const s of steps) {
          if (s.kind === 'show') progress.show(`${s.n}/500 notifications`);
          else if (s.kind === 'log') {
            const line = `2026-11-26 08:00:12 WARN  #${s.n} GN-2026B-Q-${s.n}: archive search failed`;
            logged.push(line);
            progress.write(`${line}\n`);
          } else progress.end();
        }
        progress.end();
        const rows = stream.screen;
        for (const row of rows) expect(/notifications/.test(row) ? /^\d+\/500 notifications$/.test(row) : logged.includes(row)).toBe(true);
        expect(rows.filter((row) => !row.endsWith('notifications'))).toEqual(logged);
        // After the end the cursor is on a fresh row: whatever is printed next starts clean.
        expect(stream.output.endsWith('\n') || stream.output === '').toBe(true);
      }),
    );
  });
});
