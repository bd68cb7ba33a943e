import { describe, expect, it } from 'vitest';
import { bounceDigestText } from '../../src/run/bounce-digest.js';
import { failure } from '../delivery/samples.js';

const dead = (address: string, at: string, extra = {}) =>
  failure(address, at, { diagnostic: `550 5.1.1 <${address}>: User unknown`, remoteMta: 'mx.uni.test', ...extra });
const blocked = failure('cs@lab.test', '2026-12-07T09:00:00Z', {
  status: '5.7.1',
  class: 'policy',
  hard: false,
  diagnostic: '550 5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org',
  remoteMta: 'mx.lab.test',
  notificationId: 204,
});

describe("the digest's bounces", () => {
  it('lists each address that bounced hard once (its latest report), then what IT must look at', () => {
    const text = bounceDigestText(
      [
        dead('jane@uni.test', '2026-12-07T08:01:13Z'),
        blocked,
        dead('Jane@uni.test', '2026-12-07T10:00:00Z', { remoteMta: 'mx2.uni.test' }),
      ],
      'pi',
    );
    expect(text).toBe(
      [
        '1 address(es) bounced since the last PI run: the address does not exist any more.',
        '  Jane@uni.test (#101), 2026-12-07 10:00:00 UTC: "550 5.1.1 <Jane@uni.test>: User unknown" (5.1.1: the address does not exist; from mx2.uni.test)',
        "  to do: correct or remove each where it is kept (the program's record for an `Auto -` row); `yougotdata why ADDRESS` says where",
        '',
        "For IT: 1 receiving server(s) refused this server's mail since the last PI run (X.7.x: its address, name, SPF, DKIM or reputation), not the recipients:",
        '  cs@lab.test (#204), 2026-12-07 09:00:00 UTC: "550 5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org" (5.7.1: the receiving server refused our server\'s mail (its address, name or signature): for IT, not the recipient; from mx.lab.test)',
        '  to do: have IT look at the relay (README, "Bounces and signing: what to ask IT for"); the addresses are fine',
        '',
      ].join('\n'),
    );
  });

  it('says nothing of soft failures, delays or a spam filter, and nothing at all when nothing is new', () => {
    const full = failure('a@x.test', '2026-12-07T08:00:00Z', { status: '4.2.2', class: 'mailbox-full', hard: false });
    const filtered = failure('b@x.test', '2026-12-07T08:00:00Z', { status: '5.6.0', class: 'spam-block', hard: false });
    expect(bounceDigestText([full, filtered], 'check')).toBeNull();
    expect(bounceDigestText([], 'pi')).toBeNull();
  });

  it('an X.7.x code goes to IT whatever its class; a report of a message no longer recorded has no row', () => {
    const content = failure('c@x.test', '2026-12-07T08:00:00Z', {
      status: '5.7.1',
      class: 'spam-block',
      hard: false,
      diagnostic: null,
      remoteMta: null,
      notificationId: null,
    });
    expect(bounceDigestText([content], 'check')).toContain('  c@x.test, 2026-12-07 08:00:00 UTC (5.7.1: refused as spam or by a filter)\n');
  });

  it('at most 50 addresses a paragraph, the rest counted; control characters escaped', () => {
    const many = Array.from({ length: 53 }, (_, i) => dead(`pi${i}@uni.test`, '2026-12-07T08:00:00Z'));
    const text = bounceDigestText([...many, dead('evil@x.test', '2026-12-07T08:00:00Z', { diagnostic: 'x\u001b[2Jy' })], 'pi') ?? '';
    expect(text).toMatch(/^54 address\(es\) bounced/);
    expect(text).toContain('  … and 4 more: yougotdata audit lists them\n');
    expect(bounceDigestText([dead('evil@x.test', '2026-12-07T08:00:00Z', { diagnostic: 'x\u001b[2Jy' })], 'pi')).toContain(
      '"x\\u001b[2Jy"',
    );
  });
});
