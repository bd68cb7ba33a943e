import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/domain/notification.js';
import { auditJson, auditText } from '../../../src/support/audit/output.js';
import { PROBLEM_KINDS } from '../../../src/support/audit/problem.js';
import { auditNotifications } from '../../../src/support/audit/report.js';

const row = (id: number, extra: Partial<Notification> = {}): Notification => ({
  id,
  label: `Auto - GN-2026B-Q-${id}`,
  selection: `GN-2026B-Q-${id}/science`,
  piemail: `pi${id}@uni.test`,
  ngoemail: null,
  csemail: `cs${id}@gemini.edu`,
  ...extra,
});

/** A small messy table: one problem of most kinds. */
const messy: Notification[] = [
  row(1, { piemail: 'Doe, Jane <jane@uni.test>' }),
  row(2, { piemail: 'N/A', csemail: 'TBD' }),
  row(3, { label: 'Jane extra', selection: 'science/GN-2026B-Q-1', piemail: 'JANE@uni.test', csemail: null }),
  row(4, { label: 'Staff: all GMOS-N', selection: 'GMOS-N/science', piemail: 'staff@gemini.edu', csemail: null }),
  row(5, { selection: 'GN2026BQ5/science', ngoemail: 'N/A' }),
  row(6, { label: 'hand', selection: '' }),
];

describe('auditJson', () => {
  it('has exactly the documented shape, every kind in the totals', () => {
    const json = auditJson(auditNotifications([row(1, { piemail: 'N/A' })]));
    expect(JSON.stringify(json)).toBe(
      JSON.stringify({
        notifications: 1,
        problems: [
          {
            id: 1,
            label: 'Auto - GN-2026B-Q-1',
            selection: 'GN-2026B-Q-1/science',
            kind: 'no-pi-address',
            field: 'piemail',
            detail:
              'piemail holds no address, only "N/A": PI mode mails nobody for this row (ngoemail and csemail are only copied on the mail to the PI)',
            fix: "Add a PI email address in the observing database's contact details for program GN-2026B-Q-1 (from its Phase I/II proposal); the sync copies it into row #1 each day, so an edit of the row would be undone.",
            ids: [1],
            source: 'sync',
          },
        ],
        totals: Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, kind === 'no-pi-address' ? 1 : 0])),
        notes: [],
      }),
    );
  });

  it('totals count every problem, and the problems are worst first', () => {
    const json = auditJson(auditNotifications(messy));
    expect(json.notifications).toBe(6);
    expect(Object.values(json.totals).reduce((a, b) => a + b, 0)).toBe(json.problems.length);
    expect(json.problems.map((p) => p.kind)).toEqual([
      'unscoped-selection',
      'invalid-selection',
      'no-pi-address',
      'no-cs-address',
      'no-cs-address',
      'no-cs-address',
      'unconfirmed-selection',
      'duplicate',
      'rejected-piece',
    ]);
  });
});

describe('auditText', () => {
  it('a clean table says so', () => {
    expect(auditText(auditNotifications([row(1), row(2)]))).toBe(
      'Audit of 2 notifications (offline: terms only the archive knows are not checked)\nNo problems found: every row would be read and mailed as it is.\n',
    );
  });

  it('says when the archive was asked', () => {
    expect(auditText(auditNotifications([row(1)], { confirmations: new Map() }))).toMatch(
      /^Audit of 1 notification \(selections checked with the archive\)\n/,
    );
  });

  it('groups problems by kind, worst first, each with its fix, and ends with the totals', () => {
    const text = auditText(auditNotifications(messy));
    const headings = text.split('\n').filter((line) => /^\S.*\(\d+\):$/.test(line));
    expect(headings).toEqual([
      "Data leak: the selection names no program, so every program's matching data is mailed (1):",
      'Invalid selection: nothing is sent for the row (1):',
      'No PI address: PI mode sends nothing for the row (1):',
      'No contact scientist address: CHECK mode sends nothing for the row (3):',
      'Selection terms only the archive can confirm (1):',
      'The same mail more than once (1):',
      'Email fields with pieces that are not addresses (1):',
    ]);
    expect(text).toContain(
      [
        '  #4  Staff: all GMOS-N  [GMOS-N/science]  selection  (added by hand)',
        '      the selection "GMOS-N/science" names no program, observation or data label: every program\'s files matching it each night are mailed to staff@gemini.edu',
        '      Fix: Edit row #4 (added by hand): add the program id to the selection (e.g. "GN-2026B-Q-101/science"); if the row is meant to send every program\'s data, make sure each address on it is staff.',
      ].join('\n'),
    );
    expect(text).toContain('  #1, #3  [GN-2026B-Q-1/science]  piemail  (added by hand)\n');
    expect(text).toContain('  #2  Auto - GN-2026B-Q-2  [GN-2026B-Q-2/science]  piemail  (synced for GN-2026B-Q-2)\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'Totals: 9 problems in 6 rows (unscoped-selection 1, invalid-selection 1, no-pi-address 1, no-cs-address 3, unconfirmed-selection 1, duplicate 1, rejected-piece 1).',
    );
  });

  it('shows control and bidi characters from the table as escapes', () => {
    const text = auditText(
      auditNotifications([
        row(1, { label: 'Evil\u001b[2J\u202e', piemail: 'x\u001b]0;pwned\u0007 pi1@uni.test', selection: 'GN-2026B-Q-1/science\r' }),
      ]),
    );
    for (const unsafe of ['\u001b', '\u0007', '\u202e', '\r']) expect(text).not.toContain(unsafe);
    expect(text).toContain('Evil\\x1b[2J\\u202e');
  });

  it('a row of megabytes of junk prints a few bounded lines', () => {
    const junk = `${'N/A '.repeat(250_000)}\u001b`;
    const text = auditText(
      auditNotifications([row(1, { label: junk, selection: `GN-2026B-Q-1/${junk}`, piemail: junk, ngoemail: junk, csemail: junk })]),
    );
    expect(text.length).toBeLessThan(10_000);
    expect(text.split('\n').length).toBeLessThan(40);
  });
});
