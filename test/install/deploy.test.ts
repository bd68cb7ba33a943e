/**
 * The systemd units in deploy/, read by systemd's own parser (`systemd-analyze verify`), and their timers' times
 * as systemd computes them: 08:00 and 08:05 at Gemini-North are 18:00 and 18:05 UTC, the UTC date being the night.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/settings.js';
import { debianTool } from '../harness/tools.js';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const ANALYZE = debianTool(['/usr/bin/systemd-analyze', 'systemd-analyze'], 'systemd');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yougotdata-units-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!ANALYZE)('deploy/: systemd units', () => {
  // In UTC, whatever this machine's zone: the times below are UTC.
  const analyze = (...args: string[]) =>
    run(ANALYZE as string, args, { env: { ...process.env, TZ: 'UTC' } }).then(({ stdout, stderr }) => ({ stdout, stderr }));

  it('every unit passes systemd-analyze verify (the command pointed at this build)', async () => {
    const units = await readdir(DEPLOY);
    expect(units.sort()).toEqual([
      'yougotdata-bounce.service',
      'yougotdata-bounce.timer',
      'yougotdata-check.service',
      'yougotdata-check.timer',
      'yougotdata-pi.service',
      'yougotdata-pi.timer',
    ]);
    for (const unit of units) {
      const text = await readFile(join(DEPLOY, unit), 'utf8');
      await writeFile(join(dir, unit), text.replaceAll('/opt/yougotdata/node_modules/.bin/yougotdata', CLI));
    }
    const { stderr } = await analyze('verify', '--man=no', ...units.map((unit) => join(dir, unit)));
    expect(stderr).toBe('');
  });

  it.each([
    ['pi', '18:00:00', 'send --log-file'],
    ['check', '18:05:00', 'send --check --log-file'],
  ])('the %s run: at %s UTC, a missed morning caught up at boot, retried on exit 75 only', async (mode, utc, command) => {
    const timer = await readFile(join(DEPLOY, `yougotdata-${mode}.timer`), 'utf8');
    const calendar = /^OnCalendar=(.+)$/m.exec(timer)?.[1] ?? '';
    expect(timer).toMatch(/^Persistent=true$/m);
    const { stdout } = await analyze('calendar', '--iterations=3', calendar);
    const elapses = [...stdout.matchAll(/(?:Next elapse|Iter\. #\d): \w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)];
    expect(elapses).toHaveLength(3);
    for (const [, , time] of elapses) expect(time).toBe(utc);
    const service = await readFile(join(DEPLOY, `yougotdata-${mode}.service`), 'utf8');
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(service).toMatch(/^EnvironmentFile=/m);
    expect(service).toMatch(/^Restart=on-failure$/m);
    expect(service).toMatch(/^RestartPreventExitStatus=1 2$/m);
    expect(service).toContain(command);
    // A stop waits up to SMTP_TIMEOUT_MS for the replies of the messages on the wire, then reports: systemd must wait
    // longer before its SIGKILL, whose rerun could send those messages again (docs/commands.md#signals).
    const stopSeconds = Number(/^TimeoutStopSec=(\d+)s$/m.exec(service)?.[1]);
    expect(stopSeconds).toBeGreaterThanOrEqual(readSettings({}).SMTP_TIMEOUT_MS / 1000 + 30);
    // The log files it appends to name every recipient: created for owner and group only.
    expect(service).toMatch(/^UMask=0027$/m);
  });
  it('the bounce mailbox: polled every 5 minutes with bounce --imap, a missed poll made up at boot', async () => {
    const timer = await readFile(join(DEPLOY, 'yougotdata-bounce.timer'), 'utf8');
    const calendar = /^OnCalendar=(.+)$/m.exec(timer)?.[1] ?? '';
    const { stdout } = await analyze('calendar', '--iterations=3', '--base-time=2026-12-07 10:02:00 UTC', calendar);
    expect([...stdout.matchAll(/(?:Next elapse|Iter\. #\d): \w{3} \d{4}-\d\d-\d\d (\d\d:\d\d:\d\d) UTC/g)].map((m) => m[1])).toEqual([
      '10:05:00',
      '10:10:00',
      '10:15:00',
    ]);
    expect(timer).toMatch(/^Persistent=true$/m);
    const service = await readFile(join(DEPLOY, 'yougotdata-bounce.service'), 'utf8');
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(service).toMatch(/^EnvironmentFile=\/etc\/yougotdata\/yougotdata\.env$/m);
    expect(service).toMatch(/^ExecStart=\/opt\/yougotdata\/node_modules\/\.bin\/yougotdata bounce --imap$/m);
  });
});

describe('crontab.example', () => {
  /** The command of each active line (after the five time fields), pointed at this build and a scratch log folder. */
  async function cronCommands(logs: string): Promise<string[]> {
    const crontab = await readFile(new URL('../../crontab.example', import.meta.url), 'utf8');
    return crontab
      .split('\n')
      .filter((line) => /^[\d*]/.test(line))
      .map((line) =>
        line
          .replace(/^(\S+\s+){5}/, '')
          .replace('cd /opt/yougotdata', `cd ${dir}`)
          .replace('node_modules/.bin/yougotdata', CLI)
          .replaceAll('/var/log/yougotdata/', `${logs}/`),
      );
  }

  it('each line, run by sh under the usual umask 022, creates its log file 0640: the report names every recipient', async () => {
    const logs = join(dir, 'cron-logs');
    await mkdir(logs);
    const commands = await cronCommands(logs);
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      // No settings: the job stops at once (exit 2), which is enough for the shell to have created the file.
      const exited = await run('/bin/sh', ['-c', `umask 022; ${command}`], { env: { PATH: process.env.PATH ?? '' } }).catch(
        (error: { code: number }) => error,
      );
      expect((exited as { code?: number }).code, command).toBe(2);
    }
    const files = (await readdir(logs)).sort();
    expect(files).toEqual(['check.log', 'pi.log']);
    for (const file of files) expect((await stat(join(logs, file))).mode & 0o777, file).toBe(0o640);
  });
});
