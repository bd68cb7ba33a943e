import { describe, expect, it } from 'vitest';
import { triageJson, triageText } from '../../../src/support/why/output.js';
import { verdictOf } from '../../../src/support/why/verdict.js';
import { message, run, triage } from './sample-facts.js';

describe('triageText and triageJson', () => {
  it('the text shows the verdict first, then every part', () => {
    const text = triageText(
      triage({
        notification: {
          id: 101,
          label: 'L',
          selection: ' GN-2026B-Q-101/science\n',
          piemail: 'a@x.test',
          ngoemail: null,
          csemail: 'c@z.test',
        },
      }),
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('#101 L — PI mode, night 20261126');
    expect(lines[1]).toMatch(/^Verdict: Sent at /);
    expect(text).toContain('  selection " GN-2026B-Q-101/science\\n"');
    expect(text).toContain('  ngoemail  NULL');
    expect(text).toContain('  search   https://archive/jsonsummary/night=20261126/GN-2026B-Q-101/science');
    expect(text).toContain('    refused: c@z.test (550 no such user)');
    expect(text).toContain('    files (2) announced by it: N1.fits, N2.fits');
  });

  it('a message never answered: its error, and no word on who accepted it', () => {
    const unanswered = message({
      status: 'unknown',
      sentAt: null,
      accepted: [],
      refused: [],
      error: 'no reply after the whole message was sent',
    });
    const text = triageText(triage({ record: { state: 'present', runs: [run()], outcome: null, messages: [unanswered] } }));
    expect(text).toContain('  message 1: unknown (created 2026-11-26 08:00:11 UTC)  <m1@gemini.test>');
    expect(text).toContain('    error: no reply after the whole message was sent');
    expect(text).not.toContain('accepted: none');
  });

  it('the JSON has dates as ISO text and the verdict', () => {
    const json = triageJson(triage());
    expect(json.verdict).toBe(verdictOf(triage()));
    expect(json.record.messages[0]?.sentAt).toBe('2026-11-26T08:00:12.000Z');
    expect(json.record.runs[0]?.startedAt).toBe('2026-11-26T08:00:00.000Z');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
