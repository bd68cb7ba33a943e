import { emptyReading, type FailedRecipient, type ReportReading } from '../../src/bounce/index.js';
import type { DeliveryEvent, FoundSends, SentMessage } from '../../src/db/delivery-record.js';
import type { Night } from '../../src/domain/night.js';

/** A reading of a report, each part replaceable: what src/bounce would give, without a message to read. */
export const reading = (extra: Partial<ReportReading> = {}): ReportReading => ({
  ...emptyReading('bounce', []),
  messageId: '<report-1@relay.test>',
  date: '2026-12-03T08:01:13.000Z',
  ...extra,
});

export const failed = (address: string, extra: Partial<FailedRecipient> = {}): FailedRecipient => ({
  address,
  originalRecipient: null,
  action: 'failed',
  status: '5.1.1',
  replyCode: '550',
  class: 'dead-address',
  hard: true,
  diagnostic: `550 5.1.1 <${address}>: User unknown`,
  remoteMta: 'mx.uni.test',
  source: 'delivery-status',
  ...extra,
});

/** Message 17 of #101 to the PI, a partner office, a contact scientist and a Bcc, each in a transaction of its own. */
export const sent = (extra: Partial<SentMessage> = {}): SentMessage => ({
  id: 17,
  notificationId: 101,
  night: '20261202' as Night,
  mode: 'pi',
  messageId: '<yougotdata.101.20261202.pi.u1@gemini.test>',
  recipients: ['Jane.Doe@uni.test', 'ngo@office.test', 'cs@gemini.test', 'copies@gemini.test'],
  accepted: ['Jane.Doe@uni.test', 'ngo@office.test', 'cs@gemini.test', 'copies@gemini.test'],
  relay: [
    { recipients: ['Jane.Doe@uni.test'], reply: '250 2.0.0 Ok: queued as 4AAA', queueId: '4AAA' },
    { recipients: ['ngo@office.test'], reply: '250 2.0.0 Ok: queued as 4BBB', queueId: '4BBB' },
    { recipients: ['cs@gemini.test', 'copies@gemini.test'], reply: '250 2.0.0 Ok: queued as 4CCC', queueId: '4CCC' },
  ],
  sentAt: new Date('2026-12-03T08:00:12Z'),
  ...extra,
});

export const nothingFound: FoundSends = { byId: null, byMessageId: [], byQueueId: [], byAddress: [] };

export const at = (iso: string) => new Date(iso);

/** A failure of an address, as the delivery record gives it back. */
export const failure = (address: string, occurredAt: string, extra: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  address,
  finalRecipient: address,
  sendId: 17,
  action: 'failed',
  status: '5.1.1',
  replyCode: '550',
  class: 'dead-address',
  hard: true,
  diagnostic: '550 5.1.1 User unknown',
  remoteMta: 'mx.uni.test',
  occurredAt: at(occurredAt),
  matchedBy: 'token',
  report: 1,
  readAt: at(occurredAt),
  notificationId: 101,
  mode: 'pi',
  ...extra,
});
