import { existsSync } from 'node:fs';
import { chown, lchown, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addresses, scienceFiles, usePeers, yougotdata } from '../harness/peers.js';

const NIGHT = '20261126';
const peers = usePeers();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yougotdata-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rows = [
  {
    id: 101,
    label: 'Auto - GN-2026B-Q-101',
    selection: 'GN-2026B-Q-101/science',
    piemail: '"Doe, Jane" <jane.doe@uni.test>',
    ngoemail: 'ngo@office.test; N/A',
    csemail: 'cs@gemini.test',
  },
  { id: 102, label: 'Auto - GN-2026B-Q-102', selection: 'GN-2026B-Q-102/science', piemail: 'kai@uni.test' },
  { id: 103, label: 'typo', selection: 'GN2026BQ103/science', piemail: 'lee@uni.test' },
  { id: 104, label: 'Auto - GN-2026B-Q-104', selection: 'GN-2026B-Q-104/science', piemail: 'ana@uni.test' },
];

describe('send --dry-run --out DIR', () => {
  it('writes one real RFC 822 message per draft, named by id (and night for other nights), and index.html', async () => {
    await peers.addNotifications(rows);
    peers.archive.addEntries([
      ...scienceFiles('GN-2026B-Q-101', 2, NIGHT, { object: '<b>NGC 1068</b><script>document.title="pwned"</script>' }),
      ...scienceFiles('GN-2026B-Q-101', 1, '20261125'),
      ...scienceFiles('GN-2026B-Q-102', 3),
    ]);
    const run = await yougotdata(['send', '--date', NIGHT, '--dry-run', '--out', dir], {
      ...peers.env,
      LOOKBACK_NIGHTS: '1',
      EMAIL_BCC: 'audit@gemini.test',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Preview: 3 messages in ${dir}; open ${join(dir, 'index.html')}`);
    expect((await readdir(dir)).sort()).toEqual(['101-20261125.eml', '101.eml', '102.eml', 'index.html']);

    const mail = await simpleParser(await readFile(join(dir, '101.eml')));
    expect(mail.subject).toBe('New Data for GN-2026B-Q-101/science');
    expect(addresses(mail.to)).toEqual(['jane.doe@uni.test']);
    expect((mail.to as AddressObject).value[0]?.name).toBe('Doe, Jane');
    expect(addresses(mail.cc)).toEqual(['ngo@office.test', 'cs@gemini.test']);
    expect(addresses(mail.replyTo)).toEqual(['helpdesk@gemini.test']);
    expect(addresses(mail.from)).toEqual(['archive@gemini.test']);
    expect(mail.messageId).toMatch(/^<yougotdata\.101\.20261126\.pi\./);
    expect(mail.date).toBeInstanceOf(Date);
    expect(mail.bcc).toBeUndefined();
    expect(mail.html).toContain('&lt;b&gt;NGC 1068&lt;/b&gt;&lt;script&gt;');
    expect(mail.text).toContain('N20261126S');
    const raw = (await readFile(join(dir, '101.eml'))).toString();
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw).toMatch(/^MIME-Version: 1\.0$/m);
    const late = await simpleParser(await readFile(join(dir, '101-20261125.eml')));
    expect(late.text).toContain('from night 2026-11-25');

    const index = await readFile(join(dir, 'index.html'), 'utf8');
    expect(index.match(/<section class="message"/g)).toHaveLength(3);
    expect(index).toContain('<a href="101-20261125.eml" download>101-20261125.eml</a>');
    expect(index).toContain('audit@gemini.test (envelope only)');
    expect(index).toContain('Notifications without a message (2)');
    expect(index).toMatch(/103 typo[\s\S]*invalid-selection[\s\S]*GN2026BQ103/);
    expect(index).toMatch(/104 Auto - GN-2026B-Q-104[\s\S]*no-data/);
    expect(index).not.toContain('<script');
    expect(peers.sink.messages()).toHaveLength(0);
    const tables = await peers.db.pool.query("SELECT to_regclass('yougotdata_message') AS t");
    expect(tables.rows[0].t).toBeNull();
  });

  it('--json stays one JSON document; an empty night still gets a page', async () => {
    await peers.addNotifications([rows[1]!]);
    const run = await yougotdata(['send', '--date', NIGHT, '--dry-run', '--json', '--out', dir], peers.env);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.json().totals).toEqual({ 'no-data': 1 });
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    expect(index).toContain('No message would be sent.');
  });

  it('a --date range names every file by its night', async () => {
    await peers.addNotifications([rows[1]!]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-102', 1, '20261125'), ...scienceFiles('GN-2026B-Q-102', 1, NIGHT)]);
    const run = await yougotdata(['send', '--date', '20261125..20261126', '--dry-run', '--out', dir], peers.env);
    expect(run.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['102-20261125.eml', '102-20261126.eml', 'index.html']);
  });

  it('--out without --dry-run is a usage error: exit 2, nothing sent or written', async () => {
    await peers.addNotifications([rows[1]!]);
    peers.archive.addEntries(scienceFiles('GN-2026B-Q-102', 1));
    const out = join(dir, 'never');
    const run = await yougotdata(['send', '--date', NIGHT, '--out', out], peers.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--out needs --dry-run');
    expect(existsSync(out)).toBe(false);
    expect(peers.sink.messages()).toHaveLength(0);
    expect(peers.archive.requests).toHaveLength(0);
  });

  it('send --help describes --out', async () => {
    const run = await yougotdata(['send', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--out <dir>\s+with --dry-run: write each message as DIR\/<id>\.eml/);
  });

  it('a run that cannot start writes nothing', async () => {
    const out = join(dir, 'never');
    const run = await yougotdata(['send', '--date', '20261399', '--dry-run', '--out', out], peers.env);
    expect(run.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('send --dry-run --out DIR keeps the preview to this user (it names every recipient)', () => {
  const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
  const ROOT = process.getuid?.() === 0;
  /** A folder of another user: made and given away as root; otherwise one root owns. */
  async function othersFolder(): Promise<string> {
    if (!ROOT) return '/';
    const folder = join(dir, 'theirs');
    await mkdir(folder, { mode: 0o777 });
    await chown(folder, 65534, 65534);
    return folder;
  }

  /** `send --dry-run --out out` in this process under `umask`; the process's own umask is put back after. */
  async function preview(out: string, extra: string[] = [], umask = 0o022) {
    const previous = process.umask(umask);
    try {
      return await yougotdata(['send', '--date', NIGHT, '--dry-run', '--out', out, ...extra], peers.env);
    } finally {
      process.umask(previous);
    }
  }

  async function twoMessages() {
    await peers.addNotifications([rows[0]!, rows[1]!]);
    peers.archive.addEntries([...scienceFiles('GN-2026B-Q-101', 1), ...scienceFiles('GN-2026B-Q-102', 1)]);
  }

  it('a new folder is made 0700 and each file 0600, even under a umask of 000', async () => {
    await twoMessages();
    const out = join(dir, 'new', 'preview');
    const run = await preview(out, [], 0o000);
    expect(run.code).toBe(0);
    expect(await modeOf(out)).toBe(0o700);
    const files = (await readdir(out)).sort();
    expect(files).toEqual(['101.eml', '102.eml', 'index.html']);
    for (const file of files) expect(await modeOf(join(out, file)), file).toBe(0o600);
  });

  it('links planted in the folder under the names it writes are replaced, never followed: the files they name are untouched', async () => {
    await twoMessages();
    const out = join(dir, 'preview');
    await mkdir(out, { mode: 0o700 });
    const victims = { 'index.html': join(dir, 'victim.conf'), '101.eml': join(dir, 'other-victim.conf') };
    for (const [name, victim] of Object.entries(victims)) {
      await writeFile(victim, 'keep me\n', { mode: 0o644 });
      await symlink(victim, join(out, name));
    }
    // A dangling link too: following it would create the file it names.
    await symlink(join(dir, 'created-through-a-link'), join(out, '102.eml'));
    const run = await preview(out);
    expect(run.code).toBe(0);
    for (const victim of Object.values(victims)) {
      expect(await readFile(victim, 'utf8')).toBe('keep me\n');
      expect(await modeOf(victim)).toBe(0o644);
    }
    expect(existsSync(join(dir, 'created-through-a-link'))).toBe(false);
    for (const name of ['index.html', '101.eml', '102.eml']) {
      const entry = await lstat(join(out, name));
      expect(entry.isFile(), name).toBe(true);
      expect(entry.mode & 0o777, name).toBe(0o600);
    }
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('<section class="message"');
  });

  it("another user's folder is refused: exit 2, one line, the JSON error document, nothing written or asked", async () => {
    await twoMessages();
    const out = await othersFolder();
    const before = await readdir(out);
    const run = await preview(out, ['--json']);
    expect(run.code).toBe(2);
    const line = `--out ${out}: is owned by another user (uid ${(await stat(out)).uid}); the preview names every recipient, so it goes only in a folder of your own: give a new path (it is created readable by you alone), e.g. ~/preview`;
    expect(run.stderr).toBe(`yougotdata: ${line}\n`);
    expect(run.json()).toEqual({ error: { kind: 'usage', message: line }, exitCode: 2 });
    expect(await readdir(out)).toEqual(before);
    expect(peers.archive.requests).toEqual([]);
  });

  it.runIf(ROOT)("a link to our folder planted by another user, and our link to another user's folder, are refused alike", async () => {
    await twoMessages();
    const ours = join(dir, 'ours');
    await mkdir(ours, { mode: 0o700 });
    const planted = join(dir, 'planted');
    await symlink(ours, planted);
    await lchown(planted, 65534, 65534);
    const mine = join(dir, 'mine');
    await symlink(await othersFolder(), mine);
    for (const out of [planted, mine]) {
      const run = await preview(out);
      expect(run.code, out).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^yougotdata: --out ${out}: is owned by another user \\(uid 65534\\)`));
    }
    expect(await readdir(ours)).toEqual([]);
  });

  it('a file where the folder should be is refused: exit 2, left as it is', async () => {
    await twoMessages();
    const out = join(dir, 'a-file');
    await writeFile(out, 'not a folder\n');
    const run = await preview(out);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`yougotdata: --out ${out}: is not a folder\n`);
    expect(await readFile(out, 'utf8')).toBe('not a folder\n');
  });
});
