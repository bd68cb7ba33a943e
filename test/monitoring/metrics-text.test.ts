/**
 * The metrics file's text as a pure function of the previous file and the run: what each series
 * holds, how the two modes share the file, and what survives of a previous file that was damaged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODES, type Mode } from '../../src/domain/mode.js';
import { STATUSES } from '../../src/domain/result.js';
import { escapeLabelValue, METRIC_FAMILIES, metricsFileText, readOwnSamples } from '../../src/monitoring/metrics-text.js';
import type { RunSummary } from '../../src/monitoring/run-summary.js';
import { failedCheckSummary, problem, runSummary, totalsOf } from '../harness/run-summary.js';

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

const modeOf = (key: string) => /mode="([^"]*)"/.exec(key)?.[1];
const ofMode = (text: string, mode: Mode) => new Map([...series(text)].filter(([key]) => modeOf(key) === mode));

const afterPi = metricsFileText(null, runSummary());
const afterPiThenCheck = metricsFileText(afterPi, failedCheckSummary());

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
        '# HELP yougotdata_last_run_messages_sent Messages the mail server accepted in the last run of yougotdata send (notifications and follow-ups, not the digest).',
        '# TYPE yougotdata_last_run_messages_sent gauge',
        'yougotdata_last_run_messages_sent{mode="pi"} 4',
        '# HELP yougotdata_last_run_archive_requests Requests the last run of yougotdata send made to the archive or the summit FITS server, retries included.',
        '# TYPE yougotdata_last_run_archive_requests gauge',
        'yougotdata_last_run_archive_requests{mode="pi"} 15',
        '# HELP yougotdata_last_success_timestamp_seconds When the last run of yougotdata send that exited 0 ended (Unix time).',
        '# TYPE yougotdata_last_success_timestamp_seconds gauge',
        'yougotdata_last_success_timestamp_seconds{mode="pi"} 1795802412.345',
        '',
      ].join('\n'),
    );
  });

  it('has one notifications sample for every status, in STATUSES order, 0 where none', () => {
    const text = metricsFileText(null, runSummary({ totals: totalsOf() }));
    const statuses = [...series(text).keys()].filter((key) => key.startsWith('yougotdata_last_run_notifications{'));
    expect(statuses).toEqual(STATUSES.map((status) => `yougotdata_last_run_notifications{mode="pi",status="${status}"}`));
    expect(new Set(statuses.map((key) => series(text).get(key)))).toEqual(new Set(['0']));
  });

  it('writes seconds with millisecond decimals and counts as integers', () => {
    const text = metricsFileText(
      null,
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
    const still = series(metricsFileText(null, runSummary({ startedAt: at, endedAt: at })));
    expect(still.get('yougotdata_last_run_duration_seconds{mode="pi"}')).toBe('0.000');
    const back = series(metricsFileText(null, runSummary({ startedAt: at, endedAt: new Date(at.getTime() - 2000) })));
    expect(back.get('yougotdata_last_run_duration_seconds{mode="pi"}')).toBe('0.000');
  });

  it.each([0, 1, 2, 75])('writes exit code %i', (exitCode) => {
    expect(series(metricsFileText(null, runSummary({ exitCode }))).get('yougotdata_last_run_exit_code{mode="pi"}')).toBe(String(exitCode));
  });

  it('has no last success, not even its HELP, when the first run ever fails', () => {
    const text = metricsFileText(null, runSummary({ exitCode: 1 }));
    expect(text).not.toContain('yougotdata_last_success_timestamp_seconds');
    expect(text).toContain('yougotdata_last_run_exit_code{mode="pi"} 1\n');
  });

  it('does not depend on the run id, the date or the problems', () => {
    expect(metricsFileText(null, runSummary({ runId: 'other', date: '20261120..20261126', problems: [problem('x')] }))).toBe(afterPi);
  });

  it.each([
    ['an invalid start', { startedAt: new Date(Number.NaN) }, /startedAt/],
    ['an end before 1970', { endedAt: new Date(-1000) }, /endedAt/],
    ['a negative count', { messagesSent: -1 }, /messagesSent/],
    ['a fractional count', { archiveRequests: 1.5 }, /archiveRequests/],
    ['a missing status', { totals: { ...totalsOf(), failed: undefined as unknown as number } }, /totals\.failed/],
    ['an exit code out of range', { exitCode: 256 }, /exitCode/],
  ])('refuses a summary with %s, naming the field', (_, changes, field) => {
    expect(() => metricsFileText(null, runSummary(changes as Partial<RunSummary>))).toThrow(field);
  });
});

describe('the two modes in one file', () => {
  it('keeps the PI series, unchanged, when a CHECK run rewrites its own', () => {
    expect(ofMode(afterPiThenCheck, 'pi')).toEqual(ofMode(afterPi, 'pi'));
    const check = ofMode(afterPiThenCheck, 'check');
    expect(check.get('yougotdata_last_run_exit_code{mode="check"}')).toBe('1');
    expect(check.get('yougotdata_last_run_duration_seconds{mode="check"}')).toBe('90.250');
    expect(check.get('yougotdata_last_run_notifications{mode="check",status="failed"}')).toBe('1');
    expect(check.get('yougotdata_last_run_archive_requests{mode="check"}')).toBe('7');
  });

  it('writes PI before CHECK within each family whichever ran last', () => {
    const checkThenPi = metricsFileText(metricsFileText(null, failedCheckSummary()), runSummary());
    expect(checkThenPi).toBe(afterPiThenCheck);
    const order = [...series(afterPiThenCheck).keys()].map((key) => `${key.slice(0, key.indexOf('{'))} ${modeOf(key)}`);
    const families: string[] = METRIC_FAMILIES.map((family) => family.name);
    const rank = (entry: string) => {
      const [name, mode] = entry.split(' ') as [string, Mode];
      return families.indexOf(name) * 2 + MODES.indexOf(mode);
    };
    expect(order).toEqual([...order].sort((a, b) => rank(a) - rank(b)));
  });

  it('replaces the series of the same mode rather than adding to them', () => {
    const nextPi = runSummary({
      startedAt: new Date('2026-11-28T18:00:00Z'),
      endedAt: new Date('2026-11-28T18:01:00Z'),
      totals: totalsOf(),
      messagesSent: 0,
    });
    const text = metricsFileText(afterPiThenCheck, nextPi);
    const pi = ofMode(text, 'pi');
    expect(pi.size).toBe(ofMode(afterPi, 'pi').size);
    expect(pi.get('yougotdata_last_run_start_timestamp_seconds{mode="pi"}')).toBe('1795888800.000');
    expect(pi.get('yougotdata_last_run_notifications{mode="pi",status="sent"}')).toBe('0');
    expect(ofMode(text, 'check')).toEqual(ofMode(afterPiThenCheck, 'check'));
  });
});

describe('the last success', () => {
  const lastSuccess = (text: string, mode: Mode) => series(text).get(`yougotdata_last_success_timestamp_seconds{mode="${mode}"}`);
  const nextDay = { startedAt: new Date('2026-11-28T18:00:00Z'), endedAt: new Date('2026-11-28T18:01:00Z') };

  it("is this run's end when it exits 0", () => {
    expect(lastSuccess(metricsFileText(afterPi, runSummary(nextDay)), 'pi')).toBe('1795888860.000');
  });

  it.each([1, 2, 75])('is kept from the previous file when the run exits %i', (exitCode) => {
    const text = metricsFileText(afterPi, runSummary({ ...nextDay, exitCode }));
    expect(lastSuccess(text, 'pi')).toBe('1795802412.345');
    expect(series(text).get('yougotdata_last_run_end_timestamp_seconds{mode="pi"}')).toBe('1795888860.000');
  });

  it('is kept through several failed runs, and per mode', () => {
    let text = afterPiThenCheck;
    for (let day = 0; day < 3; day++) text = metricsFileText(text, runSummary({ exitCode: 1 }));
    expect(lastSuccess(text, 'pi')).toBe('1795802412.345');
    expect(lastSuccess(text, 'check')).toBeUndefined();
    text = metricsFileText(text, failedCheckSummary({ exitCode: 0 }));
    expect(lastSuccess(text, 'check')).toBe('1795802790.250');
    expect(lastSuccess(text, 'pi')).toBe('1795802412.345');
  });

  it("is not taken from the other mode's", () => {
    expect(lastSuccess(metricsFileText(afterPi, failedCheckSummary()), 'check')).toBeUndefined();
  });
});

describe('a damaged previous file', () => {
  const piLines = afterPi.split('\n').filter((line) => line.startsWith('yougotdata_'));
  const keep = (text: string) => metricsFileText(text, failedCheckSummary());

  it('keeps the well-formed samples among junk lines, and none of the junk', () => {
    const junk = [
      'hello world',
      '{mode="pi"} 3',
      'node_cpu_seconds_total{cpu="0"} 1',
      'yougotdata_other{mode="pi"} 1',
      '\u0000\u00ff\ufffd',
      '',
    ];
    const mixed = piLines.flatMap((line, index) => [line, junk[index % junk.length]]).join('\n');
    const text = keep(`${mixed}\n`);
    expect(text).toBe(afterPiThenCheck);
    const junkLines = piLines.map((_, index) => junk[index % junk.length]).filter((line) => line !== '');
    expect(readOwnSamples(`${mixed}\n`).dropped).toBe(junkLines.length);
  });

  it('takes nothing from a file that is not ours at all', () => {
    const expected = metricsFileText(null, failedCheckSummary());
    for (const previous of ['', '\n', 'garbage', '\u0000'.repeat(4096), '<html>502 Bad Gateway</html>\n', '# only a comment\n']) {
      expect(keep(previous)).toBe(expected);
    }
  });

  it.each([
    ['a wrong mode', 'yougotdata_last_run_exit_code{mode="PI"} 0'],
    ['a mode of neither', 'yougotdata_last_run_exit_code{mode="both"} 0'],
    ['no labels', 'yougotdata_last_run_exit_code 0'],
    ['empty labels', 'yougotdata_last_run_exit_code{} 0'],
    ['an extra label', 'yougotdata_last_run_exit_code{mode="pi",instance="x"} 0'],
    ['a repeated label', 'yougotdata_last_run_exit_code{mode="pi",mode="pi"} 0'],
    ['an unquoted label value', 'yougotdata_last_run_exit_code{mode=pi} 0'],
    ['an unterminated label value', 'yougotdata_last_run_exit_code{mode="pi} 0'],
    ['no status on notifications', 'yougotdata_last_run_notifications{mode="pi"} 3'],
    ['an unknown status', 'yougotdata_last_run_notifications{mode="pi",status="bounced"} 3'],
    ['a status where none belongs', 'yougotdata_last_run_exit_code{mode="pi",status="sent"} 0'],
    ['no value', 'yougotdata_last_run_exit_code{mode="pi"}'],
    ['a word for a value', 'yougotdata_last_run_exit_code{mode="pi"} zero'],
    ['NaN', 'yougotdata_last_run_end_timestamp_seconds{mode="pi"} NaN'],
    ['+Inf', 'yougotdata_last_run_end_timestamp_seconds{mode="pi"} +Inf'],
    ['a hex value', 'yougotdata_last_run_messages_sent{mode="pi"} 0x10'],
    ['a value too large for a Date', 'yougotdata_last_success_timestamp_seconds{mode="pi"} 1e300'],
    ['a zero timestamp', 'yougotdata_last_success_timestamp_seconds{mode="pi"} 0'],
    ['a negative timestamp', 'yougotdata_last_success_timestamp_seconds{mode="pi"} -1795802412'],
    ['a negative duration', 'yougotdata_last_run_duration_seconds{mode="pi"} -3'],
    ['a fractional count', 'yougotdata_last_run_messages_sent{mode="pi"} 2.5'],
    ['a negative count', 'yougotdata_last_run_messages_sent{mode="pi"} -2'],
    ['an exit code out of range', 'yougotdata_last_run_exit_code{mode="pi"} 300'],
    ['a client timestamp', 'yougotdata_last_run_exit_code{mode="pi"} 0 1795802412345'],
    ['two values', 'yougotdata_last_run_exit_code{mode="pi"} 0 0 0'],
    ['a name in capitals', 'YOUGOTDATA_LAST_RUN_EXIT_CODE{mode="pi"} 0'],
    ['a leading space', ' yougotdata_last_run_exit_code{mode="pi"} 0'],
    ['a carriage return', 'yougotdata_last_run_exit_code{mode="pi"} 0\r'],
  ])('drops a sample with %s', (_, line) => {
    expect(readOwnSamples(`${line}\n`)).toEqual({ samples: [], dropped: 1 });
    expect(keep(`${line}\n`)).toBe(metricsFileText(null, failedCheckSummary()));
  });

  it('reads what the exposition format allows and we do not write: other label order, blanks, a trailing comma, exponents', () => {
    const { samples, dropped } = readOwnSamples(
      [
        'yougotdata_last_run_notifications{status="failed",mode="pi"} 2',
        'yougotdata_last_run_messages_sent{ mode = "pi" , }\t4',
        'yougotdata_last_success_timestamp_seconds{mode="pi"} 1.795802412345e+09',
        '',
      ].join('\n'),
    );
    expect(dropped).toBe(0);
    expect(samples).toEqual([
      { name: 'yougotdata_last_run_notifications', mode: 'pi', status: 'failed', value: 2 },
      { name: 'yougotdata_last_run_messages_sent', mode: 'pi', value: 4 },
      { name: 'yougotdata_last_success_timestamp_seconds', mode: 'pi', value: 1795802412.345 },
    ]);
    const written = metricsFileText(
      'yougotdata_last_success_timestamp_seconds{mode="pi"} 1.795802412345e+09\n',
      runSummary({ exitCode: 1 }),
    );
    expect(written).toContain('yougotdata_last_success_timestamp_seconds{mode="pi"} 1795802412.345\n');
  });

  it('drops a series given twice, even with the same value, since which one is meant cannot be known', () => {
    const twice = 'yougotdata_last_run_exit_code{mode="pi"} 0\nyougotdata_last_run_exit_code{mode="pi"} 1\n';
    expect(readOwnSamples(twice)).toEqual({ samples: [], dropped: 2 });
    const same = `${piLines.join('\n')}\n${piLines[0]}\n`;
    const { samples, dropped } = readOwnSamples(same);
    expect(dropped).toBe(2);
    expect(samples.map((sample) => sample.name)).not.toContain('yougotdata_last_run_start_timestamp_seconds');
  });

  it('drops a family the file types as anything but a gauge', () => {
    const retyped = afterPi.replace(
      '# TYPE yougotdata_last_success_timestamp_seconds gauge',
      '# TYPE yougotdata_last_success_timestamp_seconds counter',
    );
    const { samples } = readOwnSamples(retyped);
    expect(samples.map((sample) => sample.name)).not.toContain('yougotdata_last_success_timestamp_seconds');
    expect(samples).toHaveLength(series(afterPi).size - 1);
    expect(metricsFileText(retyped, runSummary({ exitCode: 1 }))).not.toContain('yougotdata_last_success_timestamp_seconds');
  });

  it('ignores its HELP texts and writes its own', () => {
    const rehelped = afterPi.replace(/^# HELP (\S+) .*$/gm, '# HELP $1 something else entirely');
    expect(metricsFileText(rehelped, failedCheckSummary())).toBe(afterPiThenCheck);
  });

  it('loses only the line cut short when the file was written in part', () => {
    for (let cut = 0; cut <= afterPi.length; cut++) {
      const part = afterPi.slice(0, cut);
      const complete = part.slice(0, part.lastIndexOf('\n') + 1);
      const { samples } = readOwnSamples(part);
      expect(samples).toEqual(readOwnSamples(complete).samples);
      expect(series(keep(part)).size).toBeGreaterThanOrEqual(series(metricsFileText(null, failedCheckSummary())).size);
    }
    // Cut inside the last success's value: "1795802412.345" read as "17958" would be a wrong, well-formed time.
    const cutValue = afterPi.slice(0, afterPi.length - 10);
    expect(metricsFileText(cutValue, runSummary({ exitCode: 1 }))).not.toContain('yougotdata_last_success_timestamp_seconds');
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

describe('any previous file and any run', () => {
  const mode = fc.constantFrom<Mode>(...MODES);
  const time = fc.integer({ min: 1, max: 4_102_444_800_000 });
  const total = fc.nat({ max: 1_000_000 });
  const summary = fc
    .record({
      mode,
      start: time,
      length: fc.integer({ min: -5_000, max: 86_400_000 }),
      exitCode: fc.constantFrom(0, 1, 2, 75),
      counts: fc.array(total, { minLength: STATUSES.length, maxLength: STATUSES.length }),
      messagesSent: total,
      archiveRequests: total,
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
        }),
    );
  /** Our own files, then cut, spliced with junk, or with characters changed. */
  const damaged = fc
    .tuple(
      fc.array(summary, { minLength: 1, maxLength: 3 }),
      fc.nat(),
      fc.string(),
      fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 }))),
    )
    .map(([runs, cut, junk, edits]) => {
      let text = runs.reduce<string | null>((previous, run) => metricsFileText(previous, run), null) ?? '';
      text = text.slice(0, text.length - (cut % 40)) + junk;
      for (const [at, insert] of edits) text = text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + 1);
      return text;
    });

  it('never throws, writes only samples it would read back, and holds this run as given', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.string(), damaged), { nil: null }), summary, (previous, run) => {
        const text = metricsFileText(previous, run);
        const { samples, dropped } = readOwnSamples(text);
        expect(dropped).toBe(0);
        expect(text.endsWith('\n')).toBe(true);
        for (const line of text.split('\n').slice(0, -1)) {
          expect(line).toMatch(
            /^(# (HELP|TYPE) yougotdata_\S+ .+|yougotdata_[a-z_]+\{mode="(pi|check)"(,status="[a-z-]+")?\} \d+(\.\d{3})?)$/,
          );
        }
        const own = samples.filter((sample) => sample.mode === run.mode);
        expect(own.filter((sample) => sample.name === 'yougotdata_last_run_notifications')).toHaveLength(STATUSES.length);
        expect(own.find((sample) => sample.name === 'yougotdata_last_run_end_timestamp_seconds')?.value).toBe(run.endedAt.getTime() / 1000);
        expect(metricsFileText(text, run)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps exactly the other mode of a file of its own', () => {
    fc.assert(
      fc.property(summary, summary, (first, second) => {
        const text = metricsFileText(metricsFileText(null, first), second);
        const other = (mode: Mode) => readOwnSamples(text).samples.filter((sample) => sample.mode === mode);
        const alone = readOwnSamples(metricsFileText(null, second)).samples;
        if (first.mode !== second.mode) {
          expect(other(first.mode)).toEqual(readOwnSamples(metricsFileText(null, first)).samples);
          expect(other(second.mode)).toEqual(alone);
          return;
        }
        const isSuccess = (sample: { name: string }) => sample.name === 'yougotdata_last_success_timestamp_seconds';
        expect(other(second.mode).filter((sample) => !isSuccess(sample))).toEqual(alone.filter((sample) => !isSuccess(sample)));
        const success = second.exitCode === 0 ? second.endedAt : first.exitCode === 0 ? first.endedAt : undefined;
        expect(other(second.mode).find(isSuccess)?.value).toBe(success && success.getTime() / 1000);
      }),
      { numRuns: 200 },
    );
  });
});
