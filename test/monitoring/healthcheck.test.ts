import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipToBytes, PING_BODY_LIMIT_BYTES, pingUrl, summaryBody } from '../../src/monitoring/healthcheck.js';
import { problem, RUN_ID, runSummary } from '../harness/run-summary.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
/** A string cut inside a surrogate pair does not survive a trip through UTF-8. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('pingUrl', () => {
  const base = 'https://hc-ping.com/5f1e0c3a';

  it.each([
    ['the start', 'start', `${base}/start?rid=${RUN_ID}`],
    ['a success', { exitCode: 0 }, `${base}?rid=${RUN_ID}`],
    ['a failure', { exitCode: 1 }, `${base}/1?rid=${RUN_ID}`],
    ['a configuration error', { exitCode: 2 }, `${base}/2?rid=${RUN_ID}`],
    ['a try-later', { exitCode: 75 }, `${base}/75?rid=${RUN_ID}`],
    ['the largest exit status', { exitCode: 255 }, `${base}/255?rid=${RUN_ID}`],
    ['an exit code out of range', { exitCode: 256 }, `${base}/fail?rid=${RUN_ID}`],
    ['a negative exit code', { exitCode: -1 }, `${base}/fail?rid=${RUN_ID}`],
    ['a fractional exit code', { exitCode: 1.5 }, `${base}/fail?rid=${RUN_ID}`],
  ] as const)('%s', (_what, event, url) => {
    expect(pingUrl(base, event, RUN_ID)).toBe(url);
  });

  it('drops trailing slashes instead of doubling them', () => {
    expect(pingUrl(`${base}/`, 'start', RUN_ID)).toBe(`${base}/start?rid=${RUN_ID}`);
    expect(pingUrl(`${base}//`, { exitCode: 1 }, RUN_ID)).toBe(`${base}/1?rid=${RUN_ID}`);
    expect(pingUrl(`${base}/`, { exitCode: 0 }, RUN_ID)).toBe(`${base}?rid=${RUN_ID}`);
  });

  it("keeps the check's own query, as written, and adds rid after it", () => {
    const slug = 'https://hc-ping.com/ping-key/yougotdata-pi?create=1';
    expect(pingUrl(slug, 'start', RUN_ID)).toBe(`https://hc-ping.com/ping-key/yougotdata-pi/start?create=1&rid=${RUN_ID}`);
    expect(pingUrl(slug, { exitCode: 0 }, RUN_ID)).toBe(`https://hc-ping.com/ping-key/yougotdata-pi?create=1&rid=${RUN_ID}`);
    expect(pingUrl('https://m.example/p/x?a=b%20c&d=e+f', { exitCode: 75 }, RUN_ID)).toBe(
      `https://m.example/p/x/75?a=b%20c&d=e+f&rid=${RUN_ID}`,
    );
  });

  it('handles a trailing slash and a query together', () => {
    expect(pingUrl('https://hc-ping.com/uuid/?create=1', 'start', RUN_ID)).toBe(`https://hc-ping.com/uuid/start?create=1&rid=${RUN_ID}`);
  });

  it('replaces a rid already in the URL: the two pings must carry the same one', () => {
    expect(pingUrl('https://hc-ping.com/uuid?rid=old&x=1', 'start', RUN_ID)).toBe(`https://hc-ping.com/uuid/start?x=1&rid=${RUN_ID}`);
  });

  it('ignores an empty query and drops a fragment', () => {
    expect(pingUrl('https://hc-ping.com/uuid?', 'start', RUN_ID)).toBe(`https://hc-ping.com/uuid/start?rid=${RUN_ID}`);
    expect(pingUrl('https://hc-ping.com/uuid#top', { exitCode: 1 }, RUN_ID)).toBe(`https://hc-ping.com/uuid/1?rid=${RUN_ID}`);
  });

  it('keeps the port, user info and a check at the root', () => {
    expect(pingUrl('http://127.0.0.1:8000', 'start', RUN_ID)).toBe(`http://127.0.0.1:8000/start?rid=${RUN_ID}`);
    expect(pingUrl('http://127.0.0.1:8000/', { exitCode: 0 }, RUN_ID)).toBe(`http://127.0.0.1:8000/?rid=${RUN_ID}`);
    expect(pingUrl('https://u:p@m.example/ping/x', 'start', RUN_ID)).toBe(`https://m.example/ping/x/start?rid=${RUN_ID}`);
  });

  it('encodes the run id', () => {
    expect(pingUrl('https://m.example/x', 'start', 'a b&c')).toBe('https://m.example/x/start?rid=a%20b%26c');
  });

  it('is the same URL for start and end but for the event', () => {
    fc.assert(
      fc.property(fc.constantFrom('', '/', '?create=1', '/?create=1'), fc.integer({ min: 1, max: 255 }), (tail, code) => {
        const start = new URL(pingUrl(`https://hc-ping.com/key/slug${tail}`, 'start', RUN_ID));
        const end = new URL(pingUrl(`https://hc-ping.com/key/slug${tail}`, { exitCode: code }, RUN_ID));
        expect(start.searchParams.get('rid')).toBe(RUN_ID);
        expect(end.searchParams.get('rid')).toBe(RUN_ID);
        expect(start.pathname.replace(/\/start$/, '')).toBe(end.pathname.replace(/\/\d+$/, ''));
      }),
    );
  });
});

describe('clipToBytes', () => {
  it('leaves text within the limit alone', () => {
    expect(clipToBytes('night 20261125', 14)).toBe('night 20261125');
  });

  it('cuts and marks the cut', () => {
    expect(clipToBytes('abcdefghij', 8)).toBe('abcde…');
  });

  it('never cuts a character in two', () => {
    const clipped = clipToBytes('🔭🔭🔭🔭', 9);
    expect(clipped).toBe('🔭…');
    expect(wellFormed(clipped)).toBe(true);
  });

  it('gives nothing when even the mark does not fit', () => {
    expect(clipToBytes('abcdef', 2)).toBe('');
  });

  it('always fits and stays well formed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 0, max: 120 }), (text, limit) => {
        const clipped = clipToBytes(text, limit);
        expect(bytes(clipped)).toBeLessThanOrEqual(limit);
        expect(wellFormed(clipped)).toBe(true);
        if (bytes(text) <= limit) expect(clipped).toBe(text);
        else if (clipped) expect(text.startsWith(clipped.slice(0, -1))).toBe(true);
      }),
    );
  });
});

describe('summaryBody', () => {
  it('says how the run went in a few lines', () => {
    expect(summaryBody(runSummary())).toBe(
      [
        'yougotdata send, PI mode, night 20261126: exit code 0',
        `run ${RUN_ID}, 2026-11-27 18:00:00 to 2026-11-27 18:00:12 UTC (12 s)`,
        'sent 3, dry-run 0, no-data 10, already-sent 1, invalid-selection 0, no-recipients 0, failed 0, unknown 0',
        '4 messages sent, 15 archive requests',
        '',
      ].join('\n'),
    );
  });

  it('names a CHECK run over a range of nights', () => {
    const body = summaryBody(runSummary({ mode: 'check', date: '20261120..20261125', exitCode: 75 }));
    expect(body.split('\n')[0]).toBe('yougotdata send, CHECK mode, nights 20261120..20261125: exit code 75');
  });

  it('lists the problems after the counts', () => {
    const body = summaryBody(
      runSummary({
        exitCode: 1,
        problems: [
          problem('#17 GN-2026B-Q-101 20261125 failed: archive search failed: HTTP 503'),
          problem('#21 GS-2026B-FT-4 invalid-selection: unknown term "GMOZ"'),
        ],
      }),
    );
    expect(body).toContain('\n\n2 problems:\n#17 GN-2026B-Q-101 20261125 failed: archive search failed: HTTP 503\n#21 GS-');
    expect(body.endsWith('"GMOZ"\n')).toBe(true);
  });

  it('tells each problem in brief unless asked for full details: the monitor is a third party', () => {
    const refused = problem(
      '#2 GN-2026B-Q-2/science 20261126 failed: no recipient accepted the message: "Jane Doe" <pi2@uni.test>: 550 no such user',
      '#2 20261126 failed: 1 recipient refused',
    );
    const summary = runSummary({ exitCode: 1, problems: [refused] });
    expect(summaryBody(summary)).toContain('\n1 problem:\n#2 20261126 failed: 1 recipient refused\n');
    expect(summaryBody(summary)).not.toMatch(/pi2|Jane|550|GN-2026B/);
    expect(summaryBody(summary, 'brief')).toBe(summaryBody(summary));
    expect(summaryBody(summary, 'full')).toContain(`\n1 problem:\n${refused.full}\n`);
  });

  it('counts one message and one archive request in the singular', () => {
    expect(summaryBody(runSummary({ messagesSent: 1, archiveRequests: 1 }))).toContain('\n1 message sent, 1 archive request\n');
    expect(summaryBody(runSummary({ messagesSent: 0, archiveRequests: 0 }))).toContain('\n0 messages sent, 0 archive requests\n');
  });

  it('says "1 problem"', () => {
    expect(summaryBody(runSummary({ problems: [problem('lost the database')] }))).toContain('\n1 problem:\nlost the database\n');
  });

  it('shows a zero for a status missing from the totals', () => {
    const totals = { sent: 1 } as ReturnType<typeof runSummary>['totals'];
    expect(summaryBody(runSummary({ totals }))).toContain('sent 1, dry-run 0, no-data 0,');
  });

  it('escapes control characters typed into the table', () => {
    const body = summaryBody(runSummary({ problems: [problem('#3 evil\x1b[2J\rFAILED\u202e: x\ny')] }), 'full');
    expect(body).toContain('#3 evil\\x1b[2J\\rFAILED\\u202e: x\\ny\n');
    expect(body.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\u202e]/u);
  });

  it('never counts a negative duration', () => {
    const body = summaryBody(runSummary({ endedAt: new Date('2026-11-26T08:00:00Z') }));
    expect(body).toContain('(0 s)');
  });

  it('cuts a long list with "… and N more", within 10 KB', () => {
    const lines500 = Array.from({ length: 500 }, (_, i) => `#${i} GN-2026B-Q-${i} failed: archive search failed: timeout after 30000 ms`);
    const body = summaryBody(runSummary({ exitCode: 1, problems: lines500.map((line) => problem(line)) }));
    expect(bytes(body)).toBeLessThanOrEqual(PING_BODY_LIMIT_BYTES);
    const lines = body.trimEnd().split('\n');
    const shown = lines.filter((line) => line.startsWith('#')).length;
    expect(shown).toBeGreaterThan(50);
    expect(lines.at(-1)).toBe(`… and ${500 - shown} more`);
    expect(lines.at(-2)).toBe(lines500[shown - 1]);
  });

  it('clips one enormous problem instead of dropping every other', () => {
    const body = summaryBody(runSummary({ problems: [problem(`#1 ${'x'.repeat(50_000)}`), problem('#2 short')] }));
    expect(bytes(body)).toBeLessThanOrEqual(PING_BODY_LIMIT_BYTES);
    expect(body).toMatch(/#1 x+…\n#2 short\n$/);
  });

  it('cuts multi-byte text on a character boundary', () => {
    const problems = Array.from({ length: 400 }, (_, i) => problem(`#${i} 山田 🔭 ${'観測'.repeat(20)}`));
    const body = summaryBody(runSummary({ problems }));
    expect(bytes(body)).toBeLessThanOrEqual(PING_BODY_LIMIT_BYTES);
    expect(wellFormed(body)).toBe(true);
    expect(body).toMatch(/… and \d+ more\n$/);
  });

  it('fills the room it has: the first problem left out would not have fitted', () => {
    const texts = Array.from({ length: 300 }, (_, i) => `#${i} ${'y'.repeat(i % 97)}`);
    const body = summaryBody(runSummary({ problems: texts.map((text) => problem(text)) }));
    const lines = body.trimEnd().split('\n');
    const shown = lines.filter((line) => line.startsWith('#')).length;
    const without = body.slice(0, body.lastIndexOf('…'));
    const next = texts[shown] ?? '';
    expect(bytes(without) + bytes(next) + 1 + bytes(`… and ${300 - shown - 1} more\n`)).toBeGreaterThan(PING_BODY_LIMIT_BYTES);
  });

  it('stays within any limit, well formed, with every problem shown or counted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), { maxLength: 60 }),
        fc.integer({ min: 400, max: 3000 }),
        (texts, limit) => {
          const problems = texts.map((text, i) => problem(`#${i} ${text}`));
          const body = summaryBody(runSummary({ exitCode: 1, problems }), 'full', limit);
          expect(bytes(body)).toBeLessThanOrEqual(limit);
          expect(wellFormed(body)).toBe(true);
          const lines = body.trimEnd().split('\n');
          const shown = lines.filter((line) => /^#\d+ /.test(line)).length;
          const counted = Number(/… and (\d+) more$/.exec(lines.at(-1) ?? '')?.[1] ?? 0);
          expect(shown + counted).toBe(problems.length);
        },
      ),
    );
  });
});
