import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, LogFileError } from '../../src/log/logger.js';
import { progressLine } from '../../src/log/progress-line.js';
import { FakeTerminal } from './fake-terminal.js';

const folder = mkdtempSync(join(tmpdir(), 'yougotdata-log-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
const logFile = () => {
  files += 1;
  return join(folder, `run-${files}.log`);
};

const TEXT_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO |WARN |ERROR) /;
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createLogger on stderr', () => {
  it('writes text lines by default', () => {
    const stderr = new FakeTerminal(false);
    const log = createLogger({ stderr });
    log.child({ notification: 17, selection: 'GN-2026B-Q-101' }).warn({ night: '20261125', status: 'failed' }, 'archive search failed');
    expect(stderr.writes).toHaveLength(1);
    expect(stderr.output).toMatch(TEXT_LINE);
    expect(stderr.output).toMatch(/WARN {2}#17 GN-2026B-Q-101: archive search failed night=20261125 status=failed\n$/);
  });

  it("keeps pino's JSON lines with LOG_FORMAT=json", () => {
    const stderr = new FakeTerminal(false);
    createLogger({ stderr, format: 'json' }).error({ exitCode: 1 }, 'the digest could not be sent');
    const [record] = jsonLines(stderr.output);
    expect(record).toMatchObject({ level: 50, msg: 'the digest could not be sent', exitCode: 1, pid: process.pid });
    expect(typeof record?.time).toBe('string');
  });

  it('under cron (no terminal) writes only what needs attention: warn and up', () => {
    const stderr = new FakeTerminal(false);
    const log = createLogger({ stderr });
    log.info('run starts');
    log.warn('recipient refused');
    log.error('the digest could not be sent');
    expect(stderr.output).not.toContain('run starts');
    expect(stderr.output.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('writes info and up on a terminal', () => {
    const stderr = new FakeTerminal(true);
    createLogger({ stderr }).info('run starts');
    expect(stderr.output).toMatch(/INFO {2}run starts\n$/);
  });

  it('writes info and up off a terminal when verbose', () => {
    const stderr = new FakeTerminal(false);
    createLogger({ stderr, verbose: true }).info('run starts');
    expect(stderr.output).toContain('INFO  run starts');
  });

  it('never writes debug', () => {
    const stderr = new FakeTerminal(true);
    createLogger({ stderr, verbose: true }).debug('noise');
    expect(stderr.writes).toEqual([]);
  });

  it('shows an error without its stack', () => {
    const stderr = new FakeTerminal(false);
    createLogger({ stderr }).warn({ err: new Error('connection reset') }, 'night checks could not be recorded');
    expect(stderr.output).toMatch(/WARN {2}night checks could not be recorded err="connection reset"\n$/);
    expect(stderr.output).not.toContain('    at ');
  });
});

describe('createLogger with a log file', () => {
  it('appends JSON lines from info up, whatever the format and the stderr level', () => {
    const path = logFile();
    writeFileSync(path, '{"msg":"an earlier run"}\n');
    const stderr = new FakeTerminal(false);
    const log = createLogger({ stderr, logFile: path });
    log.info({ night: '20261125' }, 'run starts');
    log.warn({ recipient: 'pi@example.org' }, 'recipient refused');
    log.debug('noise');
    const records = jsonLines(readFileSync(path, 'utf8'));
    expect(records.map((r) => r.msg)).toEqual(['an earlier run', 'run starts', 'recipient refused']);
    expect(records[1]).toMatchObject({ level: 30, night: '20261125', pid: process.pid });
    // stderr stays text, and warn and up only.
    expect(stderr.output).toMatch(TEXT_LINE);
    expect(stderr.output).not.toContain('run starts');
  });

  it('gets JSON lines with LOG_FORMAT=json too', () => {
    const path = logFile();
    createLogger({ stderr: new FakeTerminal(false), format: 'json', logFile: path }).info('run starts');
    expect(jsonLines(readFileSync(path, 'utf8'))[0]).toMatchObject({ level: 30, msg: 'run starts' });
  });

  it('is written when the call returns: nothing is lost to process.exit', () => {
    const path = logFile();
    const log = createLogger({ stderr: new FakeTerminal(false), logFile: path });
    log.error('the run ends badly');
    log.flush();
    expect(readFileSync(path, 'utf8')).toContain('the run ends badly');
  });

  it('keeps the stack of an error in the file, for whoever digs deeper', () => {
    const path = logFile();
    createLogger({ stderr: new FakeTerminal(false), logFile: path }).warn({ err: new Error('connection reset') }, 'lost');
    const [record] = jsonLines(readFileSync(path, 'utf8'));
    expect((record!.err as { stack?: string }).stack).toContain('Error: connection reset');
  });

  it.each([
    ['in a folder that does not exist', () => join(folder, 'missing', 'run.log'), 'ENOENT'],
    [
      'that is a folder',
      () => {
        const path = join(folder, 'a-folder');
        mkdirSync(path, { recursive: true });
        return path;
      },
      'EISDIR',
    ],
  ])('throws a LogFileError of one line for a file %s', (_what, pathOf, code) => {
    const path = pathOf();
    let thrown: unknown;
    try {
      createLogger({ stderr: new FakeTerminal(false), logFile: path });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LogFileError);
    expect((thrown as LogFileError).path).toBe(path);
    expect((thrown as Error).message).toMatch(new RegExp(`^cannot append to the log file: ${code}`));
    expect((thrown as Error).message).not.toContain('\n');
  });

  it('says once on stderr that the file can no longer be written, and the run goes on', () => {
    const stderr = new FakeTerminal(false);
    const log = createLogger({ stderr, logFile: '/dev/full' });
    expect(() => {
      log.warn('first');
      log.warn('second');
    }).not.toThrow();
    const lines = stderr.output.split('\n').filter(Boolean);
    expect(lines.filter((line) => line.includes('the log file can no longer be written'))).toHaveLength(1);
    expect(lines.filter((line) => TEXT_LINE.test(line)).map((line) => line.slice(26))).toEqual(['first', 'second']);
  });
});

describe('createLogger sharing a progress line on a terminal', () => {
  it('writes log lines above the progress, never inside it', () => {
    const stderr = new FakeTerminal(true);
    const progress = progressLine(stderr);
    const log = createLogger({ stderr, progress });
    log.info({ night: '20261125', mode: 'pi' }, 'run starts');
    const pipeline = (done: number, total: number) => progress.show(`${done}/${total} notifications`);
    for (let done = 1; done <= 6; done += 1) {
      pipeline(done, 6);
      if (done % 2 === 0)
        log
          .child({ notification: done, selection: `GN-2026B-Q-${done}` })
          .warn({ night: '20261125', status: 'failed' }, 'archive search failed');
    }
    progress.end();
    log.info({ exitCode: 1 }, 'run ends');

    // What is left of each written row once the terminal has cleared it: a whole log line or the progress, never both.
    for (const row of stderr.output.split('\n')) {
      const visible = row.split('\r\x1b[2K').at(-1) ?? '';
      expect(
        visible === '' || /^\d\/6 notifications$/.test(visible) || (TEXT_LINE.test(visible) && !visible.includes('notifications')),
      ).toBe(true);
    }
    const screen = stderr.screen;
    expect(screen).toHaveLength(6);
    expect(screen[0]).toMatch(/INFO {2}run starts night=20261125 mode=pi$/);
    expect(screen.slice(1, 4).map((row) => row.slice(20))).toEqual([
      'WARN  #2 GN-2026B-Q-2: archive search failed night=20261125 status=failed',
      'WARN  #4 GN-2026B-Q-4: archive search failed night=20261125 status=failed',
      'WARN  #6 GN-2026B-Q-6: archive search failed night=20261125 status=failed',
    ]);
    expect(screen[4]).toBe('6/6 notifications');
    expect(screen[5]).toMatch(/INFO {2}run ends exitCode=1$/);
  });

  it('keeps JSON lines whole above the progress too', () => {
    const stderr = new FakeTerminal(true);
    const progress = progressLine(stderr);
    const log = createLogger({ stderr, progress, format: 'json' });
    progress.show('1/2 notifications');
    log.warn({ status: 'failed' }, 'archive search failed');
    progress.show('2/2 notifications');
    progress.end();
    const screen = stderr.screen;
    expect(screen).toHaveLength(2);
    expect(JSON.parse(screen[0] ?? '')).toMatchObject({ level: 40, msg: 'archive search failed' });
    expect(screen[1]).toBe('2/2 notifications');
  });

  it('off a terminal the shared progress draws nothing and log lines are plain', () => {
    const stderr = new FakeTerminal(false);
    const progress = progressLine(stderr);
    const log = createLogger({ stderr, progress });
    progress.show('1/2 notifications');
    log.warn('archive search failed');
    progress.end();
    expect(stderr.output).not.toContain('notifications');
    expect(stderr.output).not.toContain('\r');
    expect(stderr.output).toMatch(/^[^\n]+ WARN {2}archive search failed\n$/);
  });
});
