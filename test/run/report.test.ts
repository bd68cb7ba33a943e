import { describe, expect, it } from 'vitest';
import type { Night } from '../../src/domain/night.js';
import { notTried, type Result, type RunReport } from '../../src/domain/result.js';
import { digestText, exitCodeOf, joinReports, problemsOf, reportJson, reportTable } from '../../src/run/report.js';
import { RESULT_NIGHT, result } from '../harness/result.js';

const night = RESULT_NIGHT;
const report = (...results: Result[]): RunReport => ({ nights: [night], mode: 'pi', dryRun: false, results, interrupted: null });
const jsonOf = (r: RunReport) => JSON.parse([...reportJson(r)].join('')) as Record<string, unknown>;

describe('the report', () => {
  it('is the JSON document of docs/commands.md#report-json', () => {
    const json = jsonOf(
      report(
        result({
          status: 'sent',
          files: 3,
          to: ['a@x.org'],
          cc: ['b@x.org'],
          refused: [{ address: 'c@x.org', reply: '550 no' }],
          messageId: '<m@x>',
        }),
        result({ id: 2, status: 'no-data' }),
        result({ id: 3, status: 'no-data' }),
      ),
    );
    expect(json).toEqual({
      date: '20261126',
      mode: 'pi',
      dryRun: false,
      results: [
        {
          id: 1,
          label: 'Auto - GN-2026B-Q-1',
          selection: 'GN-2026B-Q-1/science',
          night,
          status: 'sent',
          files: 3,
          to: ['a@x.org'],
          cc: ['b@x.org'],
          rejected: [],
          refused: ['c@x.org'],
          error: null,
          messageId: '<m@x>',
        },
        expect.objectContaining({ id: 2, status: 'no-data' }),
        expect.objectContaining({ id: 3, status: 'no-data' }),
      ],
      totals: { sent: 1, 'no-data': 2 },
    });
  });

  it.each([
    [['sent', 'no-data', 'already-sent', 'no-recipients', 'dry-run'], 0],
    [['sent', 'failed'], 1],
    [['invalid-selection'], 1],
    [[], 0],
  ] as const)('statuses %j exit %i', (statuses, code) => {
    expect(exitCodeOf(report(...statuses.map((status, id) => result({ id, status }))))).toBe(code);
  });

  it('prints one aligned line per result and the totals', () => {
    const table = [
      ...reportTable(
        report(
          result({ status: 'sent', files: 2, to: ['a@x.org'] }),
          result({ id: 22, status: 'invalid-selection', selection: 'GN2026BQ1/science', error: 'not recognised' }),
        ),
      ),
    ].join('');
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toBe('PI notifications for night 20261126');
    expect(lines[1]).toMatch(/^id\s+night\s+status\s+files\s+selection\s+detail$/);
    expect(lines[2]).toBe('1   20261126  sent               2      GN-2026B-Q-1/science  to a@x.org');
    expect(lines[3]).toContain('not recognised');
    expect(lines.at(-1)).toBe('2 notifications: sent 1, invalid-selection 1');
  });

  it('writes the JSON of an empty run and of a large one as one valid document ending in a newline', () => {
    expect([...reportJson(report())].join('')).toBe('{"date":"20261126","mode":"pi","dryRun":false,"results":[],"totals":{}}\n');
    const many = report(...Array.from({ length: 5000 }, (_, i) => result({ id: i + 1, label: `Auto "${i}"` })));
    const pieces = [...reportJson(many)];
    expect(pieces.length).toBeGreaterThan(5000);
    const json = JSON.parse(pieces.join('')) as { results: { id: number; label: string }[]; totals: Record<string, number> };
    expect(json.results.map((r) => r.id)).toEqual(many.results.map((r) => r.id));
    expect(json.results[4999]?.label).toBe('Auto "4999"');
    expect(json.totals).toEqual({ 'no-data': 5000 });
  });

  it('joins a range into one report dated A..B', () => {
    const a = report(result({ status: 'sent' }));
    const b = { ...report(result({ night: '20261127' as Night })), nights: ['20261127' as Night] };
    const joined = joinReports([a, b]);
    expect(jsonOf(joined).date).toBe('20261126..20261127');
    expect(joined.results).toHaveLength(2);
  });
});

describe('the digest', () => {
  it('is null when nothing needs a person', () => {
    expect(digestText(report(result({ status: 'sent', to: ['a@x.org'] }), result({ status: 'no-data' })))).toBeNull();
  });

  it('lists every problem with what to do', () => {
    const text = digestText(
      report(
        result({ id: 1, status: 'failed', error: 'archive search failed: HTTP 500', url: 'https://archive/jsonsummary/x' }),
        result({ id: 2, status: 'invalid-selection', selection: 'GN2026BQ1/science', error: 'not recognised' }),
        result({ id: 3, status: 'no-recipients', rejected: ['TBD'] }),
        result({ id: 4, status: 'sent', refused: [{ address: 'c@x.org', reply: '550 5.1.1 no such user' }] }),
        result({ id: 5, status: 'sent', night: '20261124' as Night, rejected: ['N/A'] }),
        result({ id: 6, status: 'no-data' }),
      ),
    )!;
    expect(text).toContain('5 notification(s) need attention');
    expect(text).toContain('#1 Auto - GN-2026B-Q-1 [GN-2026B-Q-1/science]: failed');
    expect(text).toContain('to try now: yougotdata send --date 20261126 --match 1');
    expect(text).toContain('archive: https://archive/jsonsummary/x');
    expect(text).toContain('fix the selection');
    expect(text).toContain('not an address, ignored: "TBD"');
    expect(text).toContain('refused: c@x.org (550 5.1.1 no such user)');
    expect(text).toContain('(night 20261124)');
    expect(text).not.toContain('#6');
  });

  it('says once why the run stopped, and counts the notifications it left in one paragraph', () => {
    const reason = 'the archive is unavailable (no answer within 1000 ms (after 2 attempts))';
    const left = Array.from({ length: 40 }, (_, i) => result({ id: i + 2, status: 'failed', ...notTried(reason) }));
    const smtp = result({ id: 50, status: 'failed', ...notTried('the SMTP server could not be reached (ECONNREFUSED)') });
    const text = digestText({
      ...report(result({ id: 1, status: 'failed', error: 'archive search failed: HTTP 503' }), ...left, smtp),
      interrupted: reason,
    })!;
    expect(text.split('the archive is unavailable')).toHaveLength(2);
    expect(text).toContain(`The run stopped early: ${reason}. It exited 75 (try again later).`);
    expect(text).toContain('40 notification(s) not tried once the run stopped.\n  #2, #3,');
    expect(text).toContain('… and 10 more');
    // Another reason for not trying keeps its own words.
    expect(text).toContain('1 notification(s) not tried: the SMTP server could not be reached (ECONNREFUSED).\n  #50');
    expect(text).toContain('#1 Auto - GN-2026B-Q-1 [GN-2026B-Q-1/science]: failed\n  error: archive search failed: HTTP 503');
  });
});

describe('problemsOf: what a monitor may be told', () => {
  const run = {
    ...report(
      result({
        id: 1,
        status: 'sent',
        to: ['a@x.org'],
        refused: [{ address: 'jane@uni.test', reply: '550 5.1.1 <jane@uni.test> no such user' }],
      }),
      result({ id: 2, status: 'no-recipients', rejected: ['Jane Doe N/A', 'TBD'] }),
      result({ id: 3, status: 'failed', error: 'no recipient accepted the message: kai@uni.test: 550 mailbox unavailable' }),
      result({ id: 4, status: 'no-data' }),
    ),
    interrupted: 'stopped by SIGTERM',
  };

  it('gives each problem in brief: ids, nights, statuses and counts, no address, name, selection or reply', () => {
    expect(problemsOf(run).map((p) => p.brief)).toEqual([
      'the run stopped early',
      '#1 20261126 sent: 1 recipient refused',
      '#2 20261126 no-recipients: 2 pieces rejected',
      '#3 20261126 failed',
    ]);
    expect(
      problemsOf(run)
        .map((p) => p.brief)
        .join('\n'),
    ).not.toMatch(/@|Jane|TBD|550|GN-2026B|SIGTERM/);
  });

  it('and in full, with the selection and the reason', () => {
    expect(problemsOf(run).map((p) => p.full)).toEqual([
      'the run stopped early: stopped by SIGTERM',
      '#1 GN-2026B-Q-1/science 20261126 sent: jane@uni.test refused',
      '#2 GN-2026B-Q-1/science 20261126 no-recipients: "Jane Doe N/A" not an address, "TBD" not an address',
      '#3 GN-2026B-Q-1/science 20261126 failed: no recipient accepted the message: kai@uni.test: 550 mailbox unavailable',
    ]);
  });
});
