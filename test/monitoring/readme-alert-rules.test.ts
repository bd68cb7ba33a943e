/**
 * The alert rules README.md's "Monitoring" section gives operators, taken from the README itself so the two cannot
 * drift: promtool accepts them, they fire when they should and only then, and they name series the job writes.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_FAMILIES } from '../../src/monitoring/metrics-text.js';
import { findPromtool, promtool } from '../harness/prometheus.js';

const PROMTOOL = findPromtool();

/** The text of README.md's `## Monitoring` section, up to the next `## ` heading. */
function monitoringSection(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Monitoring\n');
  if (start < 0) throw new Error('README.md has no "## Monitoring" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The one ```yaml block of the section. */
function rulesYaml(): string {
  const blocks = [...monitoringSection().matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
  expect(blocks).toHaveLength(1);
  return blocks[0] as string;
}

/**
 * promtool's unit tests of the rules (times from 0): the PI mode succeeded at 1 h and then stops; the CHECK mode
 * succeeded at 1 h and again at 25 h. A PI run exits 1 and stays so; a CHECK run exits 75 and its retry, 15
 * minutes later, exits 0. Both modes' files are read every minute until the CHECK file goes missing at 60 minutes.
 */
const RULE_TESTS = `rule_files:
  - rules.yaml
evaluation_interval: 1m
tests:
  - interval: 1h
    input_series:
      - series: 'yougotdata_last_success_timestamp_seconds{mode="pi"}'
        values: '3600x40'
      - series: 'yougotdata_last_success_timestamp_seconds{mode="check"}'
        values: '3600x24 90000x16'
    alert_rule_test:
      - eval_time: 26h
        alertname: YougotdataNoSuccess
        exp_alerts: []
      - eval_time: 28h
        alertname: YougotdataNoSuccess
        exp_alerts:
          - exp_labels: { severity: warning, mode: pi }
            exp_annotations:
              summary: "yougotdata pi: no successful run for more than 26 hours"
              description: "Did the job run? yougotdata history --days 3 says; the cron mail or the journal says why it failed."
  # Every minute, as a scrape would: promtool forgets a sample after 5 minutes, as Prometheus does.
  - interval: 1m
    input_series:
      - series: 'yougotdata_last_run_exit_code{mode="pi"}'
        values: '1x120'
      - series: 'yougotdata_last_run_exit_code{mode="check"}'
        values: '0 75x14 0x100'
    alert_rule_test:
      - eval_time: 20m
        alertname: YougotdataLastRunFailed
        exp_alerts: []
      - eval_time: 45m
        alertname: YougotdataLastRunFailed
        exp_alerts:
          - exp_labels: { severity: warning, mode: pi }
            exp_annotations:
              summary: "yougotdata pi: the last run exited 1"
              description: "1: a notification failed (the ERRORS_TO digest says which); 2: fix the configuration; 75: try again later."
  - interval: 1m
    input_series:
      - series: 'yougotdata_last_run_exit_code{mode="pi"}'
        values: '0x150'
      - series: 'yougotdata_last_run_exit_code{mode="check"}'
        values: '0x60 _x90'
    alert_rule_test:
      - eval_time: 60m
        alertname: YougotdataMetricsMissing
        exp_alerts: []
      # The last sample is seen for 5 minutes more, then the rule waits its 30 minutes.
      - eval_time: 90m
        alertname: YougotdataMetricsMissing
        exp_alerts: []
      - eval_time: 100m
        alertname: YougotdataMetricsMissing
        exp_alerts:
          - exp_labels: { severity: warning, mode: check }
            exp_annotations:
              summary: "yougotdata check: no metrics, so no other alert can fire for it"
              description: "Is its .prom file beside METRICS_FILE in node_exporter's textfile folder? A run of that mode writes it; ls -l the folder and yougotdata history say more."
  # A new host, no file yet: both modes.
  - interval: 1m
    input_series:
      - series: 'up{job="node"}'
        values: '1x60'
    alert_rule_test:
      - eval_time: 45m
        alertname: YougotdataMetricsMissing
        exp_alerts:
          - exp_labels: { severity: warning, mode: pi }
            exp_annotations:
              summary: "yougotdata pi: no metrics, so no other alert can fire for it"
              description: "Is its .prom file beside METRICS_FILE in node_exporter's textfile folder? A run of that mode writes it; ls -l the folder and yougotdata history say more."
          - exp_labels: { severity: warning, mode: check }
            exp_annotations:
              summary: "yougotdata check: no metrics, so no other alert can fire for it"
              description: "Is its .prom file beside METRICS_FILE in node_exporter's textfile folder? A run of that mode writes it; ls -l the folder and yougotdata history say more."
`;

describe('the alert rules in README.md', () => {
  it('name only series the metrics file holds', () => {
    const names = new Set(METRIC_FAMILIES.map((family) => family.name as string));
    const named = [...rulesYaml().matchAll(/\byougotdata_[a-z_]+/g)].map((match) => match[0]);
    expect(named).toEqual([
      'yougotdata_last_success_timestamp_seconds',
      'yougotdata_last_run_exit_code',
      'yougotdata_last_run_exit_code',
      'yougotdata_last_run_exit_code',
    ]);
    for (const name of named) expect(names.has(name), name).toBe(true);
    // Every series the section mentions is one the file holds.
    for (const [name] of monitoringSection().matchAll(/\byougotdata_[a-z_]+_[a-z_]+/g)) expect(names.has(name), name).toBe(true);
  });

  describe.skipIf(!PROMTOOL)('with promtool', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'yougotdata-rules-'));
      await writeFile(join(dir, 'rules.yaml'), rulesYaml());
      await writeFile(join(dir, 'rules.test.yaml'), RULE_TESTS);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('pass promtool check rules: three rules, no lint', async () => {
      const result = await promtool(PROMTOOL as string, ['check', 'rules', join(dir, 'rules.yaml')]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('SUCCESS: 3 rules found');
    });

    it('fire for a mode without a success for 26 h, for a failed last run (not a 75 retried in time), and for a missing file', async () => {
      const result = await promtool(PROMTOOL as string, ['test', 'rules', join(dir, 'rules.test.yaml')]);
      expect(result.stdout + result.stderr).toContain('SUCCESS');
      expect(result.code).toBe(0);
    });
  });
});
