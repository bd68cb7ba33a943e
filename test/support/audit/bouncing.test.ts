import { describe, expect, it } from 'vitest';
import type { Standing } from '../../../src/delivery/standing.js';
import { loopNotes } from '../../../src/support/audit/bouncing.js';
import { failure } from '../../delivery/samples.js';
import { kinds, manual, one, synced } from './sample-rows.js';

const dead = failure('pi1@uni.test', '2026-12-07T19:14:48Z', {
  diagnostic: '550 5.1.1 <pi1@uni.test>: Recipient address rejected: User unknown',
  remoteMta: 'mx.uni.test',
});
const bouncing = (address: string, standing: Partial<Extract<Standing, { bouncing: true }>> = {}) =>
  new Map<string, Standing>([[address, { bouncing: true, reason: 'dead-address', latest: dead, count: 1, lastClean: null, ...standing }]]);

describe('bouncing-address', () => {
  it("a synced row's PI: the server's words, and the fix in the observing database", () => {
    expect(one([synced(1)], 'bouncing-address', { bouncing: bouncing('pi1@uni.test') })).toEqual({
      id: 1,
      label: 'Auto - GN-2026B-Q-1',
      selection: 'GN-2026B-Q-1/science',
      kind: 'bouncing-address',
      field: 'piemail',
      detail:
        'pi1@uni.test bounces: a dead address and no delivery has gone through since; the latest report, on 2026-12-07, said ' +
        '"550 5.1.1 <pi1@uni.test>: Recipient address rejected: User unknown" (5.1.1: the address does not exist; from mx.uni.test)',
      fix:
        "Correct the PI email address pi1@uni.test in the observing database's contact details for program GN-2026B-Q-1 " +
        '(from its Phase I/II proposal); the sync copies it into row #1 each day, so an edit of the row would be undone.',
      ids: [1],
      source: 'sync',
    });
  });

  it('a row added by hand: the edit of the row; soft failures say how many and what', () => {
    const full = failure('ngo@partner.test', '2026-12-06T08:00:00Z', {
      status: '4.2.2',
      class: 'mailbox-full',
      hard: false,
      diagnostic: '452 4.2.2 Mailbox full',
      remoteMta: null,
    });
    const problem = one([manual(2)], 'bouncing-address', {
      bouncing: bouncing('ngo@partner.test', { reason: 'soft', latest: full, count: 3, lastClean: new Date('2026-11-20T08:00:00Z') }),
    });
    expect(problem).toMatchObject({
      field: 'ngoemail',
      detail:
        'ngo@partner.test bounces: 3 soft failures in 14 days (the mailbox is full); the latest report, on 2026-12-06, said "452 4.2.2 Mailbox full" (4.2.2: the mailbox is full)',
      fix: 'Edit row #2 (added by hand): correct or remove ngo@partner.test in ngoemail.',
      source: 'manual',
    });
  });

  it('every row holding the address, whatever the case it is written in; none for an address not bouncing', () => {
    const rows = [synced(1), manual(2, { csemail: 'PI1@UNI.test' }), synced(3)];
    expect(kinds(rows, { bouncing: bouncing('pi1@uni.test') })).toEqual(['bouncing-address', 'bouncing-address']);
    expect(kinds(rows, { bouncing: new Map([['pi1@uni.test', { bouncing: false, lastClean: null }]]) })).toEqual([]);
  });
});

describe('notes on the bounce loop', () => {
  const facts = { bounceAddress: true, messagesSent: 12, reportsRead: 0, kept: 0 };

  it('mail went out with a bounce address and nothing ever came back: the loop may not be wired', () => {
    expect(loopNotes(facts)).toEqual([
      'BOUNCE_ADDRESS is set and 12 messages went out in the last 30 days, but no report has ever been read: ' +
        'is the bounce address wired to `yougotdata bounce` (README, "Bounces")?',
    ]);
    expect(loopNotes({ ...facts, bounceAddress: false })).toEqual([]);
    expect(loopNotes({ ...facts, messagesSent: 0 })).toEqual([]);
    expect(loopNotes({ ...facts, reportsRead: 1 })).toEqual([]);
  });

  it('messages kept for a person are counted', () => {
    expect(loopNotes({ ...facts, reportsRead: 5, kept: 2 })).toEqual([
      '2 messages to the bounce address in the last 30 days matched no message sent, had a forged token or were not reports: ' +
        'they are kept for a person (README, "Bounces", says how to read them).',
    ]);
  });
});
