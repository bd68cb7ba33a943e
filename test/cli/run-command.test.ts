import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/process-context.js';
import { type CommandEnd, runCommand } from '../../src/cli/run-command.js';
import { RunLockBusy } from '../../src/db/run-lock.js';

/** A context whose stdout and stderr are kept as text, in a folder without .env. */
function contextOf(env: Record<string, string> = {}) {
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  const text = { stdout: '', stderr: '' };
  streams.stdout.on('data', (chunk: Buffer) => (text.stdout += chunk.toString('utf8')));
  streams.stderr.on('data', (chunk: Buffer) => (text.stderr += chunk.toString('utf8')));
  const context: CommandContext = { env, cwd: mkdtempSync(join(tmpdir(), 'ygd-command-')), now: () => new Date(), ...streams };
  return { context, text };
}

describe('runCommand: the shape every command shares', () => {
  it('closes what the command opened, newest first, each told the exit code', async () => {
    const { context, text } = contextOf();
    const closed: string[] = [];
    const code = await runCommand(context, { json: true }, async (scope) => {
      for (const name of ['database', 'lock', 'mailer']) scope.atEnd((end: CommandEnd) => closed.push(`${name} ${end.exitCode}`));
      context.stdout.write('{"done":true}\n');
      return 1;
    });
    expect([code, closed, text.stdout, text.stderr]).toEqual([1, ['mailer 1', 'lock 1', 'database 1'], '{"done":true}\n', '']);
  });

  it('a fatal error: one line on stderr, the error document with --json, and still everything closed', async () => {
    const { context, text } = contextOf();
    const ends: CommandEnd[] = [];
    const code = await runCommand(context, { json: true }, async (scope) => {
      scope.atEnd((end: CommandEnd) => ends.push(end));
      throw new RunLockBusy('another pi run holds the lock');
    });
    expect(code).toBe(75);
    expect(text.stderr).toBe('yougotdata: another pi run holds the lock\n');
    expect(JSON.parse(text.stdout)).toEqual({ error: { kind: 'locked', message: 'another pi run holds the lock' }, exitCode: 75 });
    expect(ends).toEqual([{ exitCode: 75, fatal: expect.objectContaining({ kind: 'locked', exitCode: 75 }) }]);
  });

  it('a setting that cannot be read: exit 2 before the command opens anything; no JSON without --json', async () => {
    const { context, text } = contextOf({ LOG_FORMAT: 'xml' });
    let ran = false;
    const code = await runCommand(context, {}, async () => {
      ran = true;
      return 0;
    });
    expect([code, ran, text.stdout]).toEqual([2, false, '']);
    expect(text.stderr).toBe('yougotdata: configuration: LOG_FORMAT must be text or json\n');
  });
});
