import { describe, expect, it } from 'vitest';
import type { Acceptance } from '../../src/db/delivery-record.js';
import { standingOf, standings } from '../../src/delivery/standing.js';
import { at, failure } from './samples.js';

const now = at('2026-12-10T12:00:00Z');
const accepted = (sendId: number, sentAt: string, address = 'jane.doe@uni.test'): Acceptance => ({ sendId, address, sentAt: at(sentAt) });
const soft = (occurredAt: string, sendId: number, extra = {}) =>
  failure('jane.doe@uni.test', occurredAt, { sendId, status: '4.2.2', class: 'mailbox-full', hard: false, ...extra });

describe('whether an address is bouncing', () => {
  it('one dead-address failure is enough', () => {
    const standing = standingOf([failure('jane.doe@uni.test', '2026-12-03T08:01:13Z')], [accepted(17, '2026-12-03T08:00:12Z')], now);
    expect(standing).toMatchObject({ bouncing: true, reason: 'dead-address', count: 1, lastClean: null });
  });

  it('a later delivery the server accepted and nothing bounced clears it, once it has settled for an hour', () => {
    const dead = failure('jane.doe@uni.test', '2026-12-03T08:01:13Z');
    expect(standingOf([dead], [accepted(17, '2026-12-03T08:00:12Z'), accepted(21, '2026-12-04T08:00:12Z')], now)).toEqual({
      bouncing: false,
      lastClean: at('2026-12-04T08:00:12Z'),
    });
    expect(standingOf([dead], [accepted(21, '2026-12-10T11:30:00Z')], now)).toMatchObject({ bouncing: true });
  });

  it('a later delivery that bounced too clears nothing', () => {
    const failures = [
      failure('jane.doe@uni.test', '2026-12-03T08:01:13Z'),
      failure('jane.doe@uni.test', '2026-12-04T08:01:13Z', { sendId: 21 }),
    ];
    expect(standingOf(failures, [accepted(17, '2026-12-03T08:00:12Z'), accepted(21, '2026-12-04T08:00:12Z')], now)).toMatchObject({
      bouncing: true,
      count: 2,
      latest: { sendId: 21 },
    });
  });

  it('soft failures: three within 14 days, about the address itself', () => {
    const two = [soft('2026-12-05T08:00:00Z', 1), soft('2026-12-06T08:00:00Z', 2)];
    expect(standingOf(two, [], now)).toEqual({ bouncing: false, lastClean: null });
    const three = [...two, soft('2026-12-07T08:00:00Z', 3, { class: 'expired', status: '4.4.7' })];
    expect(standingOf(three, [], now)).toMatchObject({ bouncing: true, reason: 'soft', count: 3, latest: { sendId: 3 } });
    const spread = [soft('2026-11-20T08:00:00Z', 1), ...three.slice(1)];
    expect(standingOf(spread, [], now)).toMatchObject({ bouncing: false });
  });

  it('never for blocks of our server or of the content, for delays, answers, or a 4.x.x dead address', () => {
    const blocked = [1, 2, 3, 4].map((n) =>
      soft(`2026-12-0${n + 4}T08:00:00Z`, n, { class: n % 2 ? 'policy' : 'spam-block', status: '5.7.1' }),
    );
    expect(standingOf(blocked, [], now)).toMatchObject({ bouncing: false });
    const delays = [1, 2, 3].map((n) => soft(`2026-12-0${n + 4}T08:00:00Z`, n, { action: 'delayed' }));
    expect(standingOf(delays, [], now)).toMatchObject({ bouncing: false });
    const transient = failure('jane.doe@uni.test', '2026-12-05T08:00:00Z', { status: '4.1.1', hard: false });
    expect(standingOf([transient], [], now)).toMatchObject({ bouncing: false });
  });

  it('per address, case ignored, each with its own deliveries', () => {
    const found = standings(
      [failure('Jane.Doe@uni.test', '2026-12-03T08:01:13Z'), failure('ngo@office.test', '2026-12-03T08:01:13Z')],
      [accepted(30, '2026-12-05T08:00:00Z', 'ngo@office.test')],
      now,
    );
    expect([...found].map(([address, s]) => [address, s.bouncing])).toEqual([
      ['jane.doe@uni.test', true],
      ['ngo@office.test', false],
    ]);
  });

  it('a year of reports about thousands of addresses is judged in well under a second (audit reads them all)', () => {
    const addresses = 4000;
    const failures = Array.from({ length: 20_000 }, (_, i) =>
      soft(new Date(now.getTime() - i * 60_000).toISOString(), i, { address: `pi${i % addresses}@uni.test` }),
    );
    const deliveries = Array.from({ length: 40_000 }, (_, i) =>
      accepted(100_000 + i, new Date(now.getTime() - i * 120_000).toISOString(), `pi${i % addresses}@uni.test`),
    );
    const started = performance.now();
    const found = standings(failures, deliveries, now);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(found.size).toBe(addresses);
    const own = <T extends { address: string }>(list: T[]) => list.filter((item) => item.address === 'pi7@uni.test');
    expect(found.get('pi7@uni.test')).toEqual(standingOf(own(failures), own(deliveries), now));
  });
});
