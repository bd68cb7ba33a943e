import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { scienceFiles, spawnYougotdata, usePeers, yougotdata } from '../harness/peers.js';
import { NIGHT, reliabilityEnv } from '../harness/reliability.js';

/**
 * Text from the notification table is typed by people and may hold terminal controls: ESC sequences (clear the
 * screen, recolour, move the cursor), BEL, CR (overwrite what was printed) and bidi overrides (reorder a line).
 * None reaches a terminal or a mail raw: the report table, the digest, `why`, `history` and the text logs show
 * each escaped. The newlines of the output itself are its own.
 */

const peers = usePeers();

const OPS = 'ops@gemini.test';
/** Every control character (C0, DEL, C1) and the bidi controls; the output's own newlines are taken out first. */
const RAW_CONTROL = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const HOSTILE = '\x1b[2J\x07\r\u202e';

/**
 * Notification 1: a label and selection full of controls (an invalid selection). Notification 2: a valid selection
 * with data, a label with controls, and a piece of its PI field that is no address and holds them too.
 */
async function hostileRows(): Promise<void> {
  await peers.addNotifications([
    { id: 1, label: `Auto - ${HOSTILE}evil`, selection: `GN-2026B-Q-1/science${HOSTILE}`, piemail: 'pi1@uni.test' },
    { id: 2, label: `Auto - GN-2026B-Q-2 ${HOSTILE}`, selection: 'GN-2026B-Q-2/science', piemail: `pi2@uni.test, ${HOSTILE}N/A` },
  ]);
  peers.archive.addEntries([...scienceFiles('GN-2026B-Q-1', 1), ...scienceFiles('GN-2026B-Q-2', 1)]);
}

function expectEscaped(output: string, what: string): void {
  const raw = RAW_CONTROL.exec(output.replace(/\n/g, ' '));
  expect(
    raw,
    `${what} holds a raw ${JSON.stringify(raw?.[0])} at ${raw?.index}: …${JSON.stringify(output.slice(Math.max(0, (raw?.index ?? 0) - 60), (raw?.index ?? 0) + 20))}`,
  ).toBeNull();
}

describe('control characters from the table', () => {
  it('are escaped in the report table, the digest, why, history and the text logs on stderr', async () => {
    await hostileRows();
    const env = reliabilityEnv(peers, { ERRORS_TO: OPS, LOG_FORMAT: 'text' });
    const send = await yougotdata(['send', '--date', NIGHT], env);
    expect(send.code).toBe(1);
    expectEscaped(send.stdout, 'the report table');
    expect(send.stdout).toContain('\\x1b[2J\\x07\\r\\u202e');
    expectEscaped(send.stderr, 'the text logs of send');
    expect(send.stderr).toMatch(/#1 GN-2026B-Q-1\/science\\x1b\[2J\\x07\\r\\u202e: /);

    const [digest] = peers.sink.messages().filter((m) => m.envelope.to.includes(OPS));
    const digestText = (await simpleParser(digest!.raw)).text ?? '';
    expectEscaped(digestText, 'the digest');
    expect(digestText).toContain('#1 Auto - \\x1b[2J\\x07\\r\\u202eevil [GN-2026B-Q-1/science\\x1b[2J\\x07\\r\\u202e]: invalid-selection');
    expect(digestText).toMatch(/not an address, ignored: .*\\u202eN\/A/);

    for (const query of ['1', '2', 'evil']) {
      const why = await yougotdata(['why', '--date', NIGHT, query], env);
      expect(why.code).toBe(0);
      expect(why.stdout).toContain('\\x1b[2J\\x07\\r\\u202e');
      expectEscaped(why.stdout, `why ${query}`);
      expectEscaped(why.stderr, `the text logs of why ${query}`);
    }
    // A query that matches nothing lists near matches, labels and selections included.
    const near = await yougotdata(['why', '--date', NIGHT, 'GN-2026B-Q-3'], env);
    expect(near.code).toBe(1);
    expect(near.stdout).toContain('Near matches:');
    expectEscaped(near.stdout, 'why with near matches');

    // Nothing of the table reaches history; the host a run names does (a crashed run's, here written by hand).
    await peers.db.pool.query(
      "INSERT INTO yougotdata_run (night, mode, dry_run, host, pid, started_at) VALUES ($1, 'check', false, $2, 4242, now() - interval '1 hour')",
      [NIGHT, `cron${HOSTILE}host`],
    );
    const history = await yougotdata(['history'], env);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('sent 1, invalid-selection 1');
    expect(history.stdout).toContain('pid 4242 on cron\\x1b[2J\\x07\\r\\u202ehost');
    expectEscaped(history.stdout, 'history');
    expectEscaped(history.stderr, 'the text logs of history');
  });

  it('are escaped in every text log line a terminal shows (info and up: the sent line names the notification and its recipients)', async () => {
    await hostileRows();
    // stderr as a terminal, so info lines are shown; --json keeps the progress line (its own controls) off it.
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
    const chunks: Buffer[] = [];
    stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    stdout.resume();
    const env = reliabilityEnv(peers, { LOG_FORMAT: 'text' });
    const code = await runCli(['send', '--date', NIGHT, '--json'], { env, cwd: process.cwd(), stdout, stderr, now: () => new Date() });
    expect(code).toBe(1);
    const logs = Buffer.concat(chunks).toString('utf8');
    expect(logs).toMatch(/INFO +#2 GN-2026B-Q-2\/science: sent /);
    expect(logs).toMatch(/WARN +#1 GN-2026B-Q-1\/science\\x1b\[2J\\x07\\r\\u202e: /);
    expectEscaped(logs, 'the text logs on a terminal');
  });
});

describe('control characters in JSON', () => {
  /** C1 controls (U+009B is a CSI, U+0085 a line break) and bidi controls, which JSON.stringify leaves raw. */
  const HOSTILE_JSON = `${HOSTILE}\u009b31m\u0085\u2066\u200f`;
  const LABEL = `Auto - GN-2026B-Q-2 ${HOSTILE_JSON}`;

  /** One JSON document or line per line of `output`, each free of raw controls, each parsed. */
  function jsonLines(output: string, what: string): unknown[] {
    expectEscaped(output, what);
    return output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  }

  it('are escaped as \\u in --json documents, LOG_FORMAT=json lines and the --log-file, which still parse to the stored text', async () => {
    // Notification 1's selection is invalid: its warning, on stderr too, carries the selection.
    await peers.addNotifications([
      { id: 1, label: 'Auto - GN-2026B-Q-1', selection: `GN-2026B-Q-1/science${HOSTILE_JSON}`, piemail: 'pi1@uni.test' },
      { id: 2, label: LABEL, selection: 'GN-2026B-Q-2/science', piemail: `pi2@uni.test, ${HOSTILE_JSON}N/A` },
    ]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-2', 1));
    const dir = await mkdtemp(join(tmpdir(), 'yougotdata-json-escapes-'));
    try {
      const logFile = join(dir, 'send.jsonl');
      const env = reliabilityEnv(peers, { LOG_FORMAT: 'json' });
      const send = await spawnYougotdata(['send', '--date', NIGHT, '--json', '--log-file', logFile], env);
      expect(send.code).toBe(1);
      const [report] = jsonLines(send.stdout, 'send --json') as [{ results: { label: string; rejected: string[] }[] }];
      expect(report.results[1]!.label).toBe(LABEL);
      expect(report.results[1]!.rejected.join(' ')).toContain('\u202e');
      expect(send.stdout).toContain('\\u202e\\u009b31m\\u0085\\u2066\\u200f');

      // The controls reach each output escaped, and its parser gives them back.
      const holdsHostile = (parsed: unknown[]) => JSON.stringify(parsed).includes('\u202e');
      expect(holdsHostile(jsonLines(send.stderr, 'LOG_FORMAT=json on stderr'))).toBe(true);
      expect(holdsHostile(jsonLines(await readFile(logFile, 'utf8'), 'the --log-file'))).toBe(true);
      for (const argv of [
        ['why', '2', '--date', NIGHT, '--json'],
        ['audit', '--json'],
        ['addresses', '--json', `pi2@uni.test, ${HOSTILE_JSON}N/A`],
      ]) {
        const run = await spawnYougotdata(argv, env);
        expect(holdsHostile(jsonLines(run.stdout, argv.join(' '))), argv.join(' ')).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
