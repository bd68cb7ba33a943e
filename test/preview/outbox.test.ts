import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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
