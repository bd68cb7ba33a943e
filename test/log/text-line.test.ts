import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/log/text-line.js';

const TIME = '2026-11-26T08:00:12.345Z';
const record = (fields: Record<string, unknown>) => ({ level: 30, time: TIME, pid: 4242, ...fields });

describe('formatLogLine', () => {
  it('starts with the UTC time to the second and the level word', () => {
    expect(formatLogLine(record({ msg: 'run starts' }))).toBe('2026-11-26 08:00:12 INFO  run starts');
  });

  it('reads the epoch milliseconds pino writes by default', () => {
    expect(formatLogLine({ level: 30, time: Date.parse(TIME), msg: 'x' })).toBe('2026-11-26 08:00:12 INFO  x');
  });

  it('leaves out a time that is missing or not a time', () => {
    expect(formatLogLine({ level: 40, msg: 'x' })).toBe('WARN  x');
    expect(formatLogLine({ level: 40, time: 'yesterday', msg: 'x' })).toBe('WARN  x');
    expect(formatLogLine({ level: 40, time: { at: 1 }, msg: 'x' })).toBe('WARN  x');
  });

  it.each([
    [10, 'TRACE'],
    [20, 'DEBUG'],
    [30, 'INFO '],
    [40, 'WARN '],
    [50, 'ERROR'],
    [60, 'FATAL'],
    [35, 'LEVEL35'],
    ['warn', 'WARN '],
    [undefined, '-    '],
  ])('level %s is %s', (level, word) => {
    expect(formatLogLine({ level, time: TIME, msg: 'm' })).toBe(`2026-11-26 08:00:12 ${word} m`);
  });

  it('names the notification and its selection when the pipeline logs about one', () => {
    const line = formatLogLine(
      record({
        level: 40,
        notification: 17,
        selection: 'GN-2026B-Q-101 GMOS',
        night: '20261125',
        status: 'failed',
        msg: 'archive search failed: HTTP 503',
      }),
    );
    expect(line).toBe('2026-11-26 08:00:12 WARN  #17 GN-2026B-Q-101 GMOS: archive search failed: HTTP 503 night=20261125 status=failed');
  });

  it('names a notification without a selection by its id alone', () => {
    expect(formatLogLine(record({ notification: 9, selection: null, msg: 'x' }))).toBe('2026-11-26 08:00:12 INFO  #9: x');
    expect(formatLogLine(record({ notification: 9, msg: 'x' }))).toBe('2026-11-26 08:00:12 INFO  #9: x');
  });

  it('shows the fields that matter, in a fixed order, and no others', () => {
    const line = formatLogLine(
      record({
        url: 'https://archive.gemini.edu/jsonsummary/night=20261125/GN-2026B-Q-101',
        status: 'failed',
        night: '20261125',
        attempt: 3,
        hostname: 'cron-host',
        messageId: '<yougotdata.17@gemini.edu>',
        base: 'https://archive.gemini.edu',
        msg: 'retrying',
      }),
    );
    expect(line).toBe(
      '2026-11-26 08:00:12 INFO  retrying night=20261125 status=failed attempt=3 url=https://archive.gemini.edu/jsonsummary/night=20261125/GN-2026B-Q-101',
    );
    expect(line).not.toContain('pid');
  });

  it('quotes a value with spaces or quotes', () => {
    const line = formatLogLine(record({ recipient: 'pi@example.org', reply: '550 5.1.1 "pi": user unknown', msg: 'recipient refused' }));
    expect(line).toBe('2026-11-26 08:00:12 INFO  recipient refused recipient=pi@example.org reply="550 5.1.1 \\"pi\\": user unknown"');
  });

  it('leaves out an empty string rather than leaving key= dangling', () => {
    expect(formatLogLine(record({ status: '', err: { message: '' }, msg: 'x' }))).toBe('2026-11-26 08:00:12 INFO  x');
  });

  it('shows a run end with its exit code and the counts it had', () => {
    const line = formatLogLine(
      record({ night: '20261125', totals: { sent: 12, 'no-data': 140, failed: 1 }, exitCode: 1, msg: 'run ends' }),
    );
    expect(line).toBe('2026-11-26 08:00:12 INFO  run ends night=20261125 exitCode=1 totals=sent:12,no-data:140,failed:1');
  });

  it('shows a zero exit code: it is news, not nothing', () => {
    expect(formatLogLine(record({ exitCode: 0, msg: 'run ends' }))).toBe('2026-11-26 08:00:12 INFO  run ends exitCode=0');
  });

  it('shows a dry run, and leaves out false, null and empty fields', () => {
    expect(formatLogLine(record({ night: '20261125', mode: 'pi', dryRun: true, msg: 'run starts' }))).toBe(
      '2026-11-26 08:00:12 INFO  run starts night=20261125 mode=pi dryRun=true',
    );
    expect(formatLogLine(record({ dryRun: false, url: null, cc: [], totals: {}, status: undefined, msg: 'run starts' }))).toBe(
      '2026-11-26 08:00:12 INFO  run starts',
    );
  });

  it('lists a few of a list, and counts the rest', () => {
    expect(formatLogLine(record({ to: ['a@x.org', 'b@y.org'], files: 12, msg: 'sent' }))).toBe(
      '2026-11-26 08:00:12 INFO  sent to=a@x.org,b@y.org files=12',
    );
    const files = Array.from({ length: 10 }, (_, i) => `N20261125S${String(i).padStart(4, '0')}.fits`);
    expect(formatLogLine(record({ files, msg: 'gone' }))).toBe(
      '2026-11-26 08:00:12 INFO  gone files=N20261125S0000.fits,N20261125S0001.fits,N20261125S0002.fits,…(+7)',
    );
  });

  it('names who the digest was for when it could not be sent', () => {
    expect(formatLogLine(record({ level: 50, errorsTo: ['ops@gemini.edu'], msg: 'the digest could not be sent: 421 try later' }))).toBe(
      '2026-11-26 08:00:12 ERROR the digest could not be sent: 421 try later errorsTo=ops@gemini.edu',
    );
  });

  it('shows an error by its message, never its stack', () => {
    const err = { type: 'Error', message: 'connection reset', stack: 'Error: connection reset\n    at Socket.onend (node:net:1:1)' };
    const line = formatLogLine(record({ level: 40, err, msg: 'night checks could not be recorded' }));
    expect(line).toBe('2026-11-26 08:00:12 WARN  night checks could not be recorded err="connection reset"');
    expect(line).not.toContain('at Socket');
  });

  it('takes the message from the error when there is no other, and does not say it twice', () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' };
    expect(formatLogLine(record({ level: 50, err, msg: 'boom' }))).toBe('2026-11-26 08:00:12 ERROR boom');
    expect(formatLogLine(record({ level: 50, err }))).toBe('2026-11-26 08:00:12 ERROR boom');
    expect(formatLogLine(record({ level: 50, err: 'plain text error', msg: 'failed' }))).toBe(
      '2026-11-26 08:00:12 ERROR failed err="plain text error"',
    );
  });

  it('ignores an err that carries no message', () => {
    expect(formatLogLine(record({ err: { code: 'X' }, msg: 'm' }))).toBe('2026-11-26 08:00:12 INFO  m');
  });

  describe('text typed into the table never reaches the terminal raw', () => {
    it('escapes the selection, the message and every value', () => {
      const line = formatLogLine(
        record({
          level: 40,
          notification: 3,
          selection: 'evil\x1b[2J\u202e',
          msg: 'unknown term "GMOZ"\nforged line',
          reply: '550\rOK',
          to: ['a@x.org\x07'],
          totals: { 'sent\x1b': 1 },
        }),
      );
      expect(line).toBe(
        '2026-11-26 08:00:12 WARN  #3 evil\\x1b[2J\\u202e: unknown term "GMOZ"\\nforged line totals=sent\\x1b:1 reply=550\\rOK to=a@x.org\\x07',
      );
    });

    it('escapes an error message and a level it was given as text', () => {
      expect(formatLogLine({ level: 'warn\x1b', err: { message: 'a\nb' } })).toBe('WARN\\x1b a\\nb');
    });

    it('is one line of printable text whatever the record holds', () => {
      fc.assert(
        fc.property(
          fc.record({
            level: fc.constantFrom(10, 20, 30, 40, 50, 60),
            time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
            notification: fc.integer({ min: 1, max: 99_999 }),
            selection: fc.string({ unit: 'binary' }),
            msg: fc.string({ unit: 'binary' }),
            url: fc.string({ unit: 'binary' }),
            reply: fc.string({ unit: 'binary' }),
            to: fc.array(fc.string({ unit: 'binary' })),
            err: fc.record({ message: fc.string({ unit: 'binary' }), stack: fc.constant('Error\n    at secretFrame (job.js:1:1)') }),
          }),
          (fields) => {
            const line = formatLogLine(fields);
            expect(line).not.toMatch(/[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u);
            expect(line).not.toContain('secretFrame');
          },
        ),
      );
    });
  });

  it('clips a message that would fill the screen', () => {
    const line = formatLogLine(record({ msg: 'x'.repeat(5_000) }));
    expect(line.length).toBeLessThan(1_100);
    expect(line.endsWith('x…')).toBe(true);
  });

  it('never cuts an astral character in two', () => {
    for (const pad of [998, 999]) {
      const line = formatLogLine({ msg: `${'x'.repeat(pad)}${'🔭'.repeat(10)}` });
      expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
      expect(line.endsWith('…')).toBe(true);
    }
  });

  it('survives a record that is nothing like pino', () => {
    expect(formatLogLine({})).toBe('-    ');
    expect(formatLogLine({ msg: 42, notification: { id: 1 }, night: ['a', { b: 1 }] })).toBe('-     night=a');
  });

  it('formats what pino itself writes, from a child logger of the pipeline', () => {
    const lines: string[] = [];
    const log = pino({ base: { pid: 1 }, timestamp: pino.stdTimeFunctions.isoTime }, { write: (line: string) => lines.push(line) });
    log
      .child({ notification: 17, selection: 'GN-2026B-Q-101' })
      .warn({ night: '20261125', recipient: 'pi@example.org', reply: '550 user unknown' }, 'recipient refused');
    const line = formatLogLine(JSON.parse(lines[0] ?? '{}'));
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WARN {2}#17 GN-2026B-Q-101: recipient refused night=20261125 recipient=pi@example.org reply="550 user unknown"$/,
    );
  });
});
