/**
 * The metrics file's text as a pure function of one run: what each series holds, the CHECK run's file, and the last
 * success, which comes with the run (from the run log), never from an earlier file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODES, type Mode } from '../../src/domain/mode.js';
import { STATUSES } from '../../src/domain/result.js';
import { escapeLabelValue, metricsFileText } from '../../src/monitoring/metrics-text.js';
import { bouncesByClass, type RunSummary } from '../../src/monitoring/run-summary.js';
import { failedCheckSummary, problem, runSummary, statusTotals } from '../harness/run-summary.js';

/** The sample lines as series → value text (our own label order makes the series text a key). */
function series(text: string): Map<string, string> {
  const samples = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    expect(samples.has(line.slice(0, space)), `${line} appears once`).toBe(false);
    samples.set(line.slice(0, space), line.slice(space + 1));
  }
  return samples;
}

const afterPi = metricsFileText(runSummary());

describe('the file after one run', () => {
  it('holds every series with HELP and TYPE gauge, in a fixed order', () => {
    expect(afterPi).toBe(
      [
        '# HELP yougotdata_last_run_start_timestamp_seconds When the last run of yougotdata send started (Unix time).',
        '# TYPE yougotdata_last_run_start_timestamp_seconds gauge',
        'yougotdata_last_run_start_timestamp_seconds{mode="pi"} 1795802400.005',
        '# HELP yougotdata_last_run_end_timestamp_seconds When the last run of yougotdata send ended (Unix time).',
        '# TYPE yougotdata_last_run_end_timestamp_seconds gauge',
        'yougotdata_last_run_end_timestamp_seconds{mode="pi"} 1795802412.345',
        '# HELP yougotdata_last_run_duration_seconds How long the last run of yougotdata send took.',
        '# TYPE yougotdata_last_run_duration_seconds gauge',
        'yougotdata_last_run_duration_seconds{mode="pi"} 12.340',
        '# HELP yougotdata_last_run_exit_code Exit code of the last run of yougotdata send: 0 fine, 1 something failed, 2 usage or configuration, 75 try again later.',
        '# TYPE yougotdata_last_run_exit_code gauge',
        'yougotdata_last_run_exit_code{mode="pi"} 0',
        '# HELP yougotdata_last_run_notifications Notifications of the last run of yougotdata send, per status (every status, 0 where none).',
        '# TYPE yougotdata_last_run_notifications gauge',
        'yougotdata_last_run_notifications{mode="pi",status="sent"} 3',
        'yougotdata_last_run_notifications{mode="pi",status="dry-run"} 0',
        'yougotdata_last_run_notifications{mode="pi",status="no-data"} 10',
        'yougotdata_last_run_notifications{mode="pi",status="already-sent"} 1',
        'yougotdata_last_run_notifications{mode="pi",status="invalid-selection"} 0',
        'yougotdata_last_run_notifications{mode="pi",status="no-recipients"} 0',
        'yougotdata_last_run_notifications{mode="pi",status="failed"} 0',
        'yougotdata_last_run_notifications{mode="pi",status="unknown"} 0',
        '# HELP yougotdata_last_run_messages_sent Messages the mail server accepted in the last run of yougotdata send (notifications and follow-ups, not the digest).',
        '# TYPE yougotdata_last_run_messages_sent gauge',
        'yougotdata_last_run_messages_sent{mode="pi"} 4',
        '# HELP yougotdata_last_run_archive_requests Requests the last run of yougotdata send made to the archive or the summit FITS server, retries included.',
        '# TYPE yougotdata_last_run_archive_requests gauge',
        'yougotdata_last_run_archive_requests{mode="pi"} 15',
        "# HELP yougotdata_last_run_bounces Failures of this mode's messages that yougotdata bounce recorded since the mode's last digest, one per recipient per report, per class (every class, 0 where none).",
        '# TYPE yougotdata_last_run_bounces gauge',
        'yougotdata_last_run_bounces{mode="pi",class="dead-address"} 0',
        'yougotdata_last_run_bounces{mode="pi",class="mailbox-full"} 0',
        'yougotdata_last_run_bounces{mode="pi",class="policy"} 0',
        'yougotdata_last_run_bounces{mode="pi",class="spam-block"} 0',
        'yougotdata_last_run_bounces{mode="pi",class="expired"} 0',
        'yougotdata_last_run_bounces{mode="pi",class="other"} 0',
        '# HELP yougotdata_last_success_timestamp_seconds When the last run of yougotdata send that exited 0 ended (Unix time).',
        '# TYPE yougotdata_last_success_timestamp_seconds gauge',
        'yougotdata_last_success_timestamp_seconds{mode="pi"} 1795802412.345',
        '',
      ].join('\n'),
    );
  });

  it("counts the bounces recorded since the mode's last digest per class, every class written", () => {
    const text = metricsFileText(
      runSummary({ bounces: bouncesByClass([{ class: 'dead-address' }, { class: 'policy' }, { class: null }, { class: 'dead-address' }]) }),
    );
    const bounces = [...series(text)].filter(([key]) => key.startsWith('yougotdata_last_run_bounces{'));
    expect(bounces).toEqual([
      ['yougotdata_last_run_bounces{mode="pi",class="dead-address"}', '2'],
      ['yougotdata_last_run_bounces{mode="pi",class="mailbox-full"}', '0'],
      ['yougotdata_last_run_bounces{mode="pi",class="policy"}', '1'],
      ['yougotdata_last_run_bounces{mode="pi",class="spam-block"}', '0'],
      ['yougotdata_last_run_bounces{mode="pi",class="expired"}', '0'],
      ['yougotdata_last_run_bounces{mode="pi",class="other"}', '1'],
    ]);
  });

  it('has one notifications sample for every status, in STATUSES order, 0 where none', () => {
    const text = metricsFileText(runSummary({ totals: statusTotals() }));
    const statuses = [...series(text).keys()].filter((key) => key.startsWith('yougotdata_last_run_notifications{'));
    expect(statuses).toEqual(STATUSES.map((status) => `yougotdata_last_run_notifications{mode="pi",status="${status}"}`));
    expect(new Set(statuses.map((key) => series(text).get(key)))).toEqual(new Set(['0']));
  });

  it('writes seconds with millisecond decimals and counts as integers', () => {
    const text = metricsFileText(
      runSummary({
        startedAt: new Date(1_000_000_000_007),
        endedAt: new Date(1_000_000_003_050),
        messagesSent: 1234567,
        archiveRequests: 0,
      }),
    );
    const values = series(text);
    expect(values.get('yougotdata_last_run_start_timestamp_seconds{mode="pi"}')).toBe('1000000000.007');
    expect(values.get('yougotdata_last_run_end_timestamp_seconds{mode="pi"}')).toBe('1000000003.050');
    expect(values.get('yougotdata_last_run_duration_seconds{mode="pi"}')).toBe('3.043');
    expect(values.get('yougotdata_last_run_messages_sent{mode="pi"}')).toBe('1234567');
    expect(values.get('yougotdata_last_run_archive_requests{mode="pi"}')).toBe('0');
  });

  it('writes a run of no length, and a wall clock stepped back, as a duration of 0', () => {
    const at = new Date('2026-11-27T18:00:00Z');
    const still = series(metricsFileText(runSummary({ startedAt: at, endedAt: at })));
    expect(still.get('yougotdata_last_run_duration_seconds{mode="pi"}')).toBe('0.000');
    const back = series(metricsFileText(runSummary({ startedAt: at, endedAt: new Date(at.getTime() - 2000) })));
    expect(back.get('yougotdata_last_run_duration_seconds{mode="pi"}')).toBe('0.000');
  });

  it.each([0, 1, 2, 75])('writes exit code %i', (exitCode) => {
    expect(series(metricsFileText(runSummary({ exitCode }))).get('yougotdata_last_run_exit_code{mode="pi"}')).toBe(String(exitCode));
  });

  it('has no last success, not even its HELP, when the first run ever fails', () => {
    const text = metricsFileText(runSummary({ exitCode: 1 }));
    expect(text).not.toContain('yougotdata_last_success_timestamp_seconds');
    expect(text).toContain('yougotdata_last_run_exit_code{mode="pi"} 1\n');
  });

  it('does not depend on the run id, the date or the problems', () => {
    expect(metricsFileText(runSummary({ runId: 'other', date: '20261120..20261126', problems: [problem('x')] }))).toBe(afterPi);
  });

  it.each([
    ['an invalid start', { startedAt: new Date(Number.NaN) }, /startedAt/],
    ['an end before 1970', { endedAt: new Date(-1000) }, /endedAt/],
    ['a negative count', { messagesSent: -1 }, /messagesSent/],
    ['a fractional count', { archiveRequests: 1.5 }, /archiveRequests/],
    ['a missing status', { totals: { ...statusTotals(), failed: undefined as unknown as number } }, /totals\.failed/],
    ['an exit code out of range', { exitCode: 256 }, /exitCode/],
  ])('refuses a summary with %s, naming the field', (_, changes, field) => {
    expect(() => metricsFileText(runSummary(changes as Partial<RunSummary>))).toThrow(field);
  });
});

describe("the CHECK run's file", () => {
  it('holds the CHECK series only, whatever the PI file holds', () => {
    const check = series(metricsFileText(failedCheckSummary()));
    expect([...check.keys()].every((key) => key.includes('{mode="check"'))).toBe(true);
    expect(check.get('yougotdata_last_run_exit_code{mode="check"}')).toBe('1');
    expect(check.get('yougotdata_last_run_duration_seconds{mode="check"}')).toBe('90.250');
    expect(check.get('yougotdata_last_run_notifications{mode="check",status="failed"}')).toBe('1');
    expect(check.get('yougotdata_last_run_archive_requests{mode="check"}')).toBe('7');
    expect(check.size).toBe(series(afterPi).size - 1);
  });
});

describe('the last success', () => {
  const lastSuccess = (text: string) => [...series(text)].find(([key]) => key.startsWith('yougotdata_last_success_timestamp_seconds'))?.[1];
  const nextDay = { startedAt: new Date('2026-11-28T18:00:00Z'), endedAt: new Date('2026-11-28T18:01:00Z') };
  const earlier = new Date('2026-11-27T18:00:12.345Z');

  it("is this run's end when it exits 0, whatever the run log said before", () => {
    expect(lastSuccess(metricsFileText(runSummary({ ...nextDay, lastSuccessAt: earlier })))).toBe('1795888860.000');
  });

  it.each([1, 2, 75])('is the earlier success the run log holds when the run exits %i', (exitCode) => {
    const text = metricsFileText(runSummary({ ...nextDay, exitCode, lastSuccessAt: earlier }));
    expect(lastSuccess(text)).toBe('1795802412.345');
    expect(series(text).get('yougotdata_last_run_end_timestamp_seconds{mode="pi"}')).toBe('1795888860.000');
  });

  it('is left out, not even its HELP, when the run failed and no earlier success is known', () => {
    const text = metricsFileText(failedCheckSummary({ lastSuccessAt: null }));
    expect(text).not.toContain('yougotdata_last_success_timestamp_seconds');
    expect(lastSuccess(metricsFileText(failedCheckSummary({ lastSuccessAt: earlier })))).toBe('1795802412.345');
  });

  it('refuses an earlier success that is no time', () => {
    expect(() => metricsFileText(runSummary({ exitCode: 1, lastSuccessAt: new Date(Number.NaN) }))).toThrow(/lastSuccessAt/);
  });
});

describe('label values', () => {
  it('escapes backslash, double quote and line feed as the exposition format wants', () => {
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('\\n')).toBe('\\\\n');
  });

  it('leaves no line feed and no bare double quote in any value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const label = escapeLabelValue(value);
        expect(label).not.toMatch(/\n/);
        expect(label).not.toMatch(/(^|[^\\])(\\\\)*"/);
      }),
    );
  });
});

describe('any run', () => {
  const time = fc.integer({ min: 1, max: 4_102_444_800_000 });
  const total = fc.nat({ max: 1_000_000 });
  const summary = fc
    .record({
      mode: fc.constantFrom<Mode>(...MODES),
      start: time,
      length: fc.integer({ min: -5_000, max: 86_400_000 }),
      exitCode: fc.constantFrom(0, 1, 2, 75),
      counts: fc.array(total, { minLength: STATUSES.length, maxLength: STATUSES.length }),
      messagesSent: total,
      archiveRequests: total,
      lastSuccess: fc.option(time, { nil: null }),
    })
    .map(
      (r): RunSummary =>
        runSummary({
          mode: r.mode,
          startedAt: new Date(r.start),
          endedAt: new Date(Math.max(1, r.start + r.length)),
          exitCode: r.exitCode,
          totals: Object.fromEntries(STATUSES.map((status, i) => [status, r.counts[i]])) as RunSummary['totals'],
          messagesSent: r.messagesSent,
          archiveRequests: r.archiveRequests,
          lastSuccessAt: r.lastSuccess === null ? null : new Date(r.lastSuccess),
        }),
    );

  it('gives well-formed lines of its own mode only, each series once, this run as given', () => {
    fc.assert(
      fc.property(summary, (run) => {
        const text = metricsFileText(run);
        expect(text.endsWith('\n')).toBe(true);
        for (const line of text.split('\n').slice(0, -1)) {
          expect(line).toMatch(
            new RegExp(
              `^(# (HELP|TYPE) yougotdata_\\S+ .+|yougotdata_[a-z_]+\\{mode="${run.mode}"(,(status|class)="[a-z-]+")?\\} \\d+(\\.\\d{3})?)$`,
            ),
          );
        }
        const values = series(text);
        expect([...values.keys()].filter((key) => key.startsWith('yougotdata_last_run_notifications{'))).toHaveLength(STATUSES.length);
        expect(Number(values.get(`yougotdata_last_run_end_timestamp_seconds{mode="${run.mode}"}`))).toBe(run.endedAt.getTime() / 1000);
        const success = run.exitCode === 0 ? run.endedAt : run.lastSuccessAt;
        const written = values.get(`yougotdata_last_success_timestamp_seconds{mode="${run.mode}"}`);
        expect(written === undefined ? null : Number(written)).toBe(success && success.getTime() / 1000);
      }),
      { numRuns: 300 },
    );
  });
});
