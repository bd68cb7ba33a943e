import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARCHIVE_RESULT_LIMIT, type ArchiveEntry, archiveEntrySchema } from '../../src/archive/entry.js';
import type { Mode } from '../../src/domain/mode.js';
import { parseNight } from '../../src/domain/night.js';
import { type MessageInput, renderMessage } from '../../src/mail/render.js';

/** The project's sample of archive entries, parsed as the client parses an answer. */
const fixture: ArchiveEntry[] = (
  JSON.parse(readFileSync(new URL('../../fixtures/archive/jsonsummary-sample.json', import.meta.url), 'utf8')) as unknown[]
).map((raw) => archiveEntrySchema.parse(raw));

const night = parseNight('20260814', new Date(0));
const selection = 'GN-2026B-Q-101/science';
const searchUrl = `https://archive.gemini.edu/searchform/night=20260814/${selection}`;

function entry(fields: Partial<ArchiveEntry> = {}): ArchiveEntry {
  return {
    name: 'N20260814S0101.fits',
    filename: 'N20260814S0101.fits.bz2',
    program_id: 'GN-2026B-Q-101',
    observation_id: 'GN-2026B-Q-101-12',
    data_label: 'GN-2026B-Q-101-12-001',
    telescope: 'Gemini-North',
    instrument: 'GMOS-N',
    ut_datetime: '2026-08-14 05:54:07.200000',
    object: 'NGC 4151',
    observation_class: 'science',
    observation_type: 'OBJECT',
    qa_state: 'Pass',
    exposure_time: 119.9986,
    ...fields,
  };
}

function render(fields: Partial<MessageInput> = {}) {
  return renderMessage({ mode: 'pi', night, selection, searchUrl, files: [entry()], cutAt: null, ...fields });
}

/** `count` distinct files, cycling through the fixture's entries. */
function manyEntries(count: number): ArchiveEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    ...fixture[i % fixture.length]!,
    name: `N20260814S${String(i).padStart(4, '0')}.fits`,
  }));
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|[a-z]+);/gi, (whole, code: string) =>
    code.startsWith('#x') ? String.fromCodePoint(parseInt(code.slice(2), 16)) : (ENTITIES[code] ?? whole),
  );
}

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'body', 'p', 'strong', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
const VOID_TAGS = new Set(['meta']);
const ALLOWED_ATTRIBUTES = new Set([
  'lang',
  'charset',
  'name',
  'content',
  'style',
  'href',
  'cellpadding',
  'cellspacing',
  'border',
  'align',
]);

/**
 * A strict reader for the renderer's own HTML: every `<` must open a known tag with double-quoted attributes free of
 * `<`, `>` and `"`, tags must nest, and text is collected per table cell. Anything else fails the test.
 */
function readHtml(html: string): { rows: string[][]; hrefs: string[]; text: string } {
  expect(html.startsWith('<!doctype html>\n')).toBe(true);
  const stack: string[] = [];
  const rows: string[][] = [];
  const hrefs: string[] = [];
  let text = '';
  const token = /<(\/?)([a-z]+)((?:\s+[a-z-]+="[^"<>]*")*)>|[^<]+/gy;
  token.lastIndex = '<!doctype html>'.length;
  while (token.lastIndex < html.length) {
    const at = token.lastIndex;
    const match = token.exec(html);
    if (!match) throw new Error(`not well-formed at ${at}: ${html.slice(at, at + 60)}`);
    const [whole, closing, tag, attributes] = match;
    if (tag === undefined) {
      const value = decode(whole);
      text += value;
      const cells = rows.at(-1);
      if (cells && (stack.at(-1) === 'td' || stack.at(-1) === 'th')) cells[cells.length - 1] += value;
      continue;
    }
    if (!ALLOWED_TAGS.has(tag)) throw new Error(`unexpected <${tag}>`);
    if (closing) {
      if (stack.pop() !== tag) throw new Error(`</${tag}> does not close the open element`);
      continue;
    }
    for (const [, name = '', value] of (attributes ?? '').matchAll(/([a-z-]+)="([^"]*)"/g)) {
      if (!ALLOWED_ATTRIBUTES.has(name)) throw new Error(`unexpected attribute ${name} on <${tag}>`);
      if (name === 'href') hrefs.push(decode(value ?? ''));
    }
    if (tag === 'tr') rows.push([]);
    if (tag === 'td' || tag === 'th') rows.at(-1)?.push('');
    if (!VOID_TAGS.has(tag)) stack.push(tag);
  }
  expect(stack).toEqual([]);
  return { rows, hrefs, text };
}

describe('subject', () => {
  it('is exactly the old PI subject', () => {
    expect(render({ mode: 'pi' }).subject).toBe('New Data for GN-2026B-Q-101/science');
  });

  it('is exactly the old CHECK subject', () => {
    expect(render({ mode: 'check' }).subject).toBe('Data set to CHECK for GN-2026B-Q-101/science');
  });

  it('keeps a selection with markup verbatim (a header is plain text)', () => {
    expect(render({ selection: '<b>GN</b>' }).subject).toBe('New Data for <b>GN</b>');
  });

  it.each(['\r\n', '\n', '\r', '\r\n\r\n'])('cannot gain a header line from %j in the selection', (breaks) => {
    const { subject, text } = render({ selection: `GN-2026B-Q-101${breaks}Bcc: thief@example.com`, mode: 'check' });
    expect(subject).toBe('Data set to CHECK for GN-2026B-Q-101 Bcc: thief@example.com');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(text).not.toMatch(/^Bcc:/m);
  });
});

describe('file listing', () => {
  /** 250 files, each of the fixture's entries in turn: over two UT dates, and with its nulls. */
  const files = manyEntries(250);
  const message = render({ files: files });
  const { rows } = readHtml(message.html);

  it('lists every file in the text part, one line each', () => {
    for (const { name, data_label } of files) {
      expect(message.text.split('\n').filter((line) => line.startsWith(`${name} `))).toHaveLength(1);
      expect(message.text).toContain(` ${data_label} `);
    }
  });

  it('lists every file in the HTML table, in the archive order', () => {
    expect(rows.slice(1).map((cells) => cells[0])).toEqual(files.map((e) => e.name));
    expect(rows.slice(1).map((cells) => cells[2])).toEqual(files.map((e) => e.data_label));
  });

  it('has one <tr> per entry plus the header, each with nine cells', () => {
    expect(message.html.match(/<tr[ >]/g)).toHaveLength(files.length + 1);
    expect(rows).toHaveLength(files.length + 1);
    for (const cells of rows) expect(cells).toHaveLength(9);
    expect(rows[0]).toEqual(['File', 'UT', 'Data label', 'Instrument', 'Object', 'Class', 'Type', 'QA', 'Exposure']);
  });

  it('shows every field of an entry, a time with its date when the files span two UT dates', () => {
    const first = files[0]!;
    expect(rows[1]).toEqual([
      first.name,
      '2026-03-14 08:12:31',
      first.data_label,
      'GMOS-N',
      'NGC 4051',
      'science',
      'OBJECT',
      'Pass',
      '300 s',
    ]);
  });

  it('shows a null object and observation class as a dash', () => {
    const proprietary = files.findIndex((e) => e.observation_class === null);
    expect(rows[proprietary + 1]).toEqual([
      files[proprietary]!.name,
      '2026-03-14 10:27:50',
      'GN-2026A-FT-7-1-004',
      'GMOS-N',
      '—',
      '—',
      'OBJECT',
      'Pass',
      '450 s',
    ]);
  });

  it('says how many files there are', () => {
    expect(message.text).toContain('250 files. The same search');
    expect(readHtml(message.html).text).toContain('250 files. The same search');
    expect(render().text).toContain('1 file, observed on UT date 2026-08-14. The same search');
  });

  it('aligns the text table: every table line has the same width', () => {
    const lines = message.text.split('\n');
    const start = lines.findIndex((line) => line.startsWith('File '));
    const table = lines.slice(start, start + files.length + 2);
    expect(table[1]).toMatch(/^[- ]+$/);
    expect(new Set(table.map((line) => [...line].length)).size).toBe(1);
  });

  it('keeps a typical night of raw files within about 100 characters a line, the object column squeezed first', () => {
    const night = Array.from({ length: 40 }, (_, i) =>
      entry({ name: `N20260814S${String(100 + i).padStart(4, '0')}.fits`, object: 'M101-southern field', exposure_time: 1200 }),
    );
    const { text } = render({ files: night });
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(110);
    expect(text).toContain(' M101-southern f…  science ');
  });

  it('is deterministic', () => {
    expect(render({ files: files })).toEqual(message);
  });
});

describe('untrusted values', () => {
  // short data labels leave the text table room to show each object whole
  const hostile = [
    entry({ name: 'N1.fits', data_label: 'GN-1', object: '<script>alert(1)</script>' }),
    entry({ name: 'N2.fits', data_label: 'GN-2', object: '"><img src=x onerror=f()>' }),
    entry({ name: 'N3.fits', data_label: "GN-'&-1", object: '{{x}}' }),
    entry({ name: 'N4&<i>.fits', data_label: 'GN-4', instrument: '<u>', qa_state: '`=' }),
  ];
  const message = render({ files: hostile, selection: '<b>GN</b>' });
  const { rows, text } = readHtml(message.html);

  it('escapes archive values and the selection in HTML', () => {
    expect(message.html).not.toMatch(/<(script|img|b|i|u)[\s>]/i);
    expect(message.html).not.toContain('onerror=');
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;f()&gt;');
    expect(message.html).toContain('<strong>&lt;b&gt;GN&lt;/b&gt;</strong>');
    expect(message.html).toContain('<title>New Data for &lt;b&gt;GN&lt;/b&gt;</title>');
  });

  it('shows the exact values once the HTML is decoded', () => {
    expect(rows.slice(1).map((cells) => cells[4])).toEqual(['<script>alert(1)</script>', '"><img src=x onerror=f()>', '{{x}}', 'NGC 4151']);
    expect(rows[3]?.[2]).toBe("GN-'&-1");
    expect(rows[4]?.slice(0, 4)).toEqual(['N4&<i>.fits', '05:54:07', 'GN-4', '<u>']);
    expect(rows[4]?.[7]).toBe('`=');
    expect(text).toContain('New data for your selection <b>GN</b> from night 2026-08-14');
  });

  it('writes the same values verbatim in the text part', () => {
    for (const value of ['<script>alert(1)</script>', '"><img src=x onerror=f()>', '{{x}}', "GN-'&-1", 'N4&<i>.fits', '<u>', '`=']) {
      expect(message.text).toContain(value);
    }
    expect(message.text).toContain('New data for your selection <b>GN</b> from night 2026-08-14');
    expect(message.text).not.toMatch(/&(lt|gt|amp|quot|#x[0-9A-F]+);/);
  });

  it('does not evaluate template syntax coming from the data', () => {
    const { text, html } = render({ files: [entry({ object: '{{subject}}' })], selection: '{{> layout}}' });
    expect(text).toContain('{{subject}}');
    expect(text).toContain('{{> layout}}');
    expect(html).toContain('{{subject}}');
  });

  it('keeps line breaks and bidi overrides in a value from breaking or disguising a table line', () => {
    const { text, html } = render({ files: [entry({ object: 'a\r\nBcc: x', data_label: 'GN-1\u202Estxt.exe' })] });
    expect(text).toContain(' a Bcc: x ');
    expect(text).not.toMatch(/^Bcc/m);
    expect(text).not.toContain('\u202E');
    expect(readHtml(html).rows[1]?.slice(2, 5)).toEqual(['GN-1 stxt.exe', 'GMOS-N', 'a Bcc: x']);
  });

  it('cuts a long value with an ellipsis in the text part only', () => {
    const object = 'An extremely long target name typed by a very thorough PI';
    const { text, html } = render({ files: [entry({ object })] });
    expect(text).not.toContain(object);
    expect(text).toContain(' An extremely lo…  science ');
    expect(readHtml(html).rows[1]?.[4]).toBe(object);
  });
});

describe('missing values', () => {
  const bare = entry({
    data_label: null,
    instrument: null,
    ut_datetime: null,
    object: null,
    observation_class: null,
    observation_type: null,
    qa_state: null,
    exposure_time: null,
  });

  it('renders nulls as an em dash in both parts', () => {
    const { text, html } = render({ files: [bare] });
    expect(readHtml(html).rows[1]).toEqual(['N20260814S0101.fits', '—', '—', '—', '—', '—', '—', '—', '—']);
    expect(text.split('\n').find((line) => line.startsWith('N20260814S0101.fits'))).toMatch(/^N20260814S0101\.fits(\s+—){8}$/);
  });

  it('treats a blank string like a null', () => {
    expect(readHtml(render({ files: [entry({ object: '  ' })] }).html).rows[1]?.[4]).toBe('—');
  });
});

describe('UT time', () => {
  const times = (entries: ArchiveEntry[]) => readHtml(render({ files: entries }).html).rows.map((cells) => cells[1]);

  it('shows fractional and whole seconds as HH:MM:SS, cut not rounded, naming the one date once', () => {
    const entries = [
      entry({ ut_datetime: '2026-08-14 05:54:07.200000' }),
      entry({ ut_datetime: '2026-08-14 23:59:59.999999' }),
      entry({ ut_datetime: '2026-08-14 06:00:00' }),
    ];
    expect(times(entries)).toEqual(['UT', '05:54:07', '23:59:59', '06:00:00']);
    const { text, html } = render({ files: entries });
    expect(text).toContain('3 files, observed on UT date 2026-08-14.');
    expect(readHtml(html).text).toContain('3 files, observed on UT date 2026-08-14.');
    expect(text).toMatch(/^N20260814S0101\.fits {2}23:59:59 {2}GN-/m);
  });

  it('shows the date on every time when the night spans two UTC dates (Gemini-South)', () => {
    const entries = [
      entry({ telescope: 'Gemini-South', ut_datetime: '2026-08-13 23:41:02.5' }),
      entry({ telescope: 'Gemini-South', ut_datetime: '2026-08-14 03:12:45' }),
    ];
    expect(times(entries)).toEqual(['UT', '2026-08-13 23:41:02', '2026-08-14 03:12:45']);
    const { text } = render({ files: entries });
    expect(text).toContain(' 2026-08-13 23:41:02 ');
    expect(text).toContain('2 files. The same search');
  });

  it('shows an unexpected timestamp as it came', () => {
    expect(times([entry({ ut_datetime: 'yesterday-ish' })])).toEqual(['UT', 'yesterday-ish']);
  });
});

describe('exposure', () => {
  it.each([
    [119.9986, '120 s'],
    [99.9983, '100 s'],
    [1234.4, '1234 s'],
    [30.04, '30 s'],
    [30.5, '30.5 s'],
    [1.5, '1.5 s'],
    [0.06, '0.06 s'],
    [0, '0 s'],
  ])('%d seconds shows as %s', (seconds, shown) => {
    expect(readHtml(render({ files: [entry({ exposure_time: seconds })] }).html).rows[1]?.[8]).toBe(shown);
  });
});

describe('result limit notice', () => {
  const notice = `the archive returns at most ${ARCHIVE_RESULT_LIMIT} files`;

  it('is absent when the answer is whole, however many files it lists', () => {
    const { text, html } = render({ files: manyEntries(ARCHIVE_RESULT_LIMIT - 1) });
    expect(text).not.toContain(notice);
    expect(html).not.toContain(notice);
  });

  it.each([ARCHIVE_RESULT_LIMIT, ARCHIVE_RESULT_LIMIT + 1])(
    'appears in both parts when the answer reached the limit, with %d files, all listed',
    (count) => {
      const entries = manyEntries(count);
      const { text, html } = render({ files: entries, cutAt: ARCHIVE_RESULT_LIMIT });
      expect(text).toContain(notice);
      expect(text).toContain('may be cut short. Follow the link above for the full list.');
      const read = readHtml(html);
      expect(read.text).toContain(notice);
      expect(read.rows).toHaveLength(count + 1);
      expect(text).toContain(entries.at(-1)!.name);
    },
  );
});

describe('follow-ups and late nights', () => {
  it('a follow-up names the notice it follows, in both parts', () => {
    const { text, html } = render({ previousNotice: new Date('2026-08-14T18:00:12.345Z') });
    expect(text).toContain(
      'This follows up our notice of 2026-08-14 18:00:12 UTC: it lists only the files that\nreached the archive since then.',
    );
    expect(readHtml(html).text).toContain('This follows up our notice of 2026-08-14 18:00:12 UTC');
  });

  it('the first files of an earlier night say they came late', () => {
    const { text, html } = render({ late: true });
    expect(text).toContain('These are the first files of that night to reach the archive');
    expect(readHtml(html).text).toContain('they arrived after the morning');
  });

  it('a morning message says neither', () => {
    const { text } = render();
    expect(text).not.toMatch(/follows up|first files of that night/);
  });
});

describe('wording by mode', () => {
  it.each<[Mode, string, string]>([
    ['pi', 'has been ingested into the Gemini Observatory Archive', 'contact scientist'],
    ['check', 'were set to QA state CHECK', 'ingested'],
  ])('%s mode says what the message is', (mode, says, doesNotSay) => {
    const { text, html } = render({ mode });
    expect(text.replace(/\s+/g, ' ')).toContain(says);
    expect(readHtml(html).text.replace(/\s+/g, ' ')).toContain(says);
    expect(text).not.toContain(doesNotSay);
    expect(html).not.toContain(doesNotSay);
  });

  it('check mode asks the contact scientist to look', () => {
    const { text, html } = render({ mode: 'check' });
    expect(text).toMatch(
      /Files of GN-2026B-Q-101\/science from night 2026-08-14 were set to QA state CHECK\s+and need a look by the contact scientist\./,
    );
    expect(readHtml(html).text).toContain('were set to QA state CHECK and need a look by the contact scientist.');
  });
});

describe('search link', () => {
  it('is in both parts, the href decoding to the exact URL', () => {
    const { text, html } = render();
    expect(text.split('\n')).toContain(searchUrl);
    expect(readHtml(html).hrefs).toEqual([searchUrl]);
    expect(readHtml(html).text).toContain(searchUrl);
  });

  it('stays inside its attribute whatever characters it holds', () => {
    const url = `https://archive.gemini.edu/searchform/night=20260814/object='"><svg onload=x>`;
    const { text, html } = render({ searchUrl: url });
    const { hrefs } = readHtml(html);
    expect(hrefs).toEqual([new URL(url).href]);
    expect(text).toContain(new URL(url).href);
    expect(html).not.toContain('<svg');
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>x</script>', 'not a url', 'https://user:secret@fits.example/searchform/x'])(
    'refuses %s',
    (bad) => {
      expect(() => render({ searchUrl: bad })).toThrow(/http\(s\) URL without credentials/);
    },
  );
});

describe('HTML part', () => {
  const { html } = render({ files: fixture.slice(0, 5) });

  it('is a complete document declaring its charset', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('uses only inline styles: no style block, stylesheet, image, script or class', () => {
    expect(html).not.toMatch(/<(style|link|img|script)\b|\bclass=|url\(/i);
    readHtml(html);
  });
});
