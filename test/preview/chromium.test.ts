/**
 * The preview page in a real headless Chromium (Debian's, driven by playwright-core; CI installs it):
 * it loads, shows one entry per message, shows markup from archive and table values as text, and a
 * message's own HTML can neither run script nor break out of its frame.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import type { Night } from '../../src/domain/night.js';
import type { Result } from '../../src/domain/result.js';
import { indexPage } from '../../src/preview/index-page.js';
import { type Peers, scienceFiles, startPeers, yougotdata } from '../harness/peers.js';
import { debianTool } from '../harness/tools.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const NIGHT = '20261126';
const OBJECT = '<b>NGC 1068</b><script>document.title="pwned"</script>';
const LABEL = '<img src=x onerror="document.body.dataset.pwned=1">Team';

const available = debianTool([CHROMIUM], 'chromium') !== null;

let browser: Browser;
let peers: Peers;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  [browser, peers, dir] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ARGS }),
    startPeers(),
    mkdtemp(join(tmpdir(), 'yougotdata-preview-')),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await peers?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens a page, failing the test on any script error or request leaving the folder. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file://') && !request.url().startsWith('about:')) problems.push(`request: ${request.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems };
}

const bodyFrames = (page: Page): Frame[] => page.frames().filter((frame) => frame !== page.mainFrame());

describe.skipIf(!available)('the preview page in Chromium', () => {
  it('loads, one entry per message, archive and table markup shown as text', async () => {
    await peers.addNotifications([
      {
        id: 101,
        label: 'Auto - GN-2026B-Q-101',
        selection: 'GN-2026B-Q-101/science',
        piemail: '"Doe, Jane" <jane.doe@uni.test>',
        ngoemail: 'N/A',
        csemail: 'cs@gemini.test',
      },
      { id: 102, label: LABEL, selection: 'GN-2026B-Q-102/science', piemail: 'kai@uni.test' },
      { id: 103, label: 'empty night', selection: 'GN-2026B-Q-103/science', piemail: 'lee@uni.test' },
    ]);
    peers.archive.addEntries([
      ...scienceFiles('GN-2026B-Q-101', 2, NIGHT, { object: OBJECT }),
      ...scienceFiles('GN-2026B-Q-102', 1, NIGHT),
    ]);
    const out = join(dir, 'run');
    const run = await yougotdata(['send', '--date', NIGHT, '--dry-run', '--out', out], peers.env);
    expect(run.code).toBe(0);

    const { page, problems } = await open(join(out, 'index.html'));
    try {
      expect(await page.title()).toBe(`yougotdata preview: PI messages for night ${NIGHT}`);
      expect(await page.locator('section.message').count()).toBe(2);
      expect(await page.locator('table.summary tbody tr').count()).toBe(2);
      expect(await page.locator('table.others tbody tr').count()).toBe(1);
      expect(await page.locator('section.message iframe').count()).toBe(2);
      // The label with markup is text in the page: no image, no handler run.
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('table.summary').textContent()).toContain(LABEL);
      expect(await page.locator('body').getAttribute('data-pwned')).toBeNull();

      await page.locator('iframe').nth(1).waitFor();
      const frames = bodyFrames(page);
      expect(frames).toHaveLength(2);
      for (const frame of frames) await frame.waitForLoadState('load');
      const texts = await Promise.all(frames.map(async (frame) => (await frame.locator('body').textContent()) ?? ''));
      const withObject = texts.findIndex((text) => text.includes('NGC 1068'));
      const frame = frames[withObject];
      if (!frame) throw new Error(`no message body shows the object; bodies: ${texts.join('\n---\n')}`);
      expect(texts[withObject]).toContain(OBJECT);
      expect(await frame.locator('b, script').count()).toBe(0);
      expect(await frame.title()).toBe('New Data for GN-2026B-Q-101/science');
      expect(texts[withObject]).toContain('Hello,');
      expect(await frame.locator('table tbody tr').count()).toBe(2);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a message whose HTML holds script and a closing iframe tag runs nothing and breaks nothing', async () => {
    const hostile =
      '<!doctype html><html><head><title>hostile</title></head><body><p id="x">untouched</p>' +
      '<script>document.getElementById("x").textContent = "ran"; top.document.title = "pwned"; alert(1)</script>' +
      '<img src="x" onerror="document.getElementById(\'x\').textContent=\'ran\'"></iframe></section><h1 id="escaped">broke out</h1>"\'</body></html>';
    const at = new Date('2026-11-26T18:00:00Z');
    const result: Result = {
      id: 7,
      label: 'L',
      selection: 'GN-2026B-Q-7/science',
      night: NIGHT as Night,
      status: 'dry-run',
      files: 1,
      to: ['a@uni.test'],
      cc: [],
      rejected: [],
      refused: [],
      error: null,
      notTried: null,
      messageId: '<m@x>',
      url: null,
    };
    const message = {
      from: { name: 'Archive', address: 'archive@gemini.test' as EmailAddress },
      to: [{ name: null, address: 'a@uni.test' as EmailAddress }],
      cc: [],
      bcc: [],
      subject: 'New Data for GN-2026B-Q-7/science',
      text: 'text',
      html: hostile,
      messageId: '<m@x>',
      date: at,
    };
    const html = indexPage({
      mode: 'pi',
      date: NIGHT,
      generatedAt: at,
      messages: [
        { file: '7.eml', result, message },
        { file: '8.eml', result: { ...result, id: 8 }, message },
      ],
    });
    // Twice: as written, and without the page's Content-Security-Policy, so the sandbox alone is shown to hold.
    const withoutPolicy = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    expect(withoutPolicy).not.toBe(html);
    for (const [name, content] of [
      ['hostile.html', html],
      ['hostile-no-csp.html', withoutPolicy],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, content);
      await expectInert(file);
    }
  });
});

/** The hostile page: two intact sections, nothing run in either frame, nothing outside them. */
async function expectInert(file: string): Promise<void> {
  const { page, problems } = await open(file);
  try {
    expect(await page.locator('section.message').count()).toBe(2);
    expect(await page.locator('#escaped').count()).toBe(0);
    expect(await page.title()).toBe(`yougotdata preview: PI messages for night ${NIGHT}`);
    const frames = bodyFrames(page);
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      await frame.waitForLoadState('load');
      expect(await frame.locator('#x').textContent()).toBe('untouched');
      expect(await frame.locator('#escaped').textContent()).toBe('broke out');
    }
    expect(await page.locator('iframe[sandbox=""]').count()).toBe(2);
    expect(problems.filter((p) => p.startsWith('dialog') || p.startsWith('page error'))).toEqual([]);
  } finally {
    await page.close();
  }
}
