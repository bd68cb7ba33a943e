import type { RunEntry } from '../../../src/db/run-log.js';
import type { MessageRecord } from '../../../src/db/send-record.js';
import type { Night } from '../../../src/domain/night.js';
import type { ArchiveFinding, Triage } from '../../../src/support/why/facts.js';

/** A sent message's facts for #101 on one night, each part replaceable: what `why` gathered, without gathering it. */
const NIGHT = '20261126' as Night;
export const at = (time: string) => new Date(`2026-11-26T${time}Z`);

export const answered = (extra: Partial<Extract<ArchiveFinding, { state: 'answered' }>> = {}): ArchiveFinding => ({
  state: 'answered',
  url: 'https://archive/jsonsummary/night=20261126/GN-2026B-Q-101/science',
  searchUrl: 'https://archive/searchform/night=20261126/GN-2026B-Q-101/science',
  files: 2,
  programs: { 'GN-2026B-Q-101': 2 },
  qaStates: { Pass: 2 },
  foreignPrograms: [],
  unannounced: [],
  ...extra,
});

export const message = (extra: Partial<MessageRecord> = {}): MessageRecord => ({
  id: 1,
  notificationId: 101,
  night: NIGHT,
  mode: 'pi',
  status: 'sent',
  messageId: '<m1@gemini.test>',
  followsUp: null,
  to: ['a@x.test'],
  cc: ['b@y.test', 'c@z.test'],
  bcc: [],
  accepted: ['a@x.test', 'b@y.test'],
  refused: [{ address: 'c@z.test', reply: '550 no such user' }],
  relay: [{ recipients: ['a@x.test', 'b@y.test'], reply: '250 2.0.0 Ok: queued as 4XyZ1k', queueId: '4XyZ1k' }],
  files: ['N1.fits', 'N2.fits'],
  error: null,
  createdAt: at('08:00:11'),
  sentAt: at('08:00:12'),
  ...extra,
});

export const run = (extra: Partial<RunEntry> = {}): RunEntry => ({
  id: 1,
  startedAt: at('08:00:00'),
  finishedAt: at('08:00:30'),
  night: NIGHT,
  mode: 'pi',
  dryRun: false,
  host: 'cron',
  pid: 9,
  totals: { sent: 1 },
  exitCode: 0,
  ...extra,
});

export function triage(extra: Partial<Triage> = {}): Triage {
  return {
    notification: {
      id: 101,
      label: 'Auto - GN-2026B-Q-101',
      selection: 'GN-2026B-Q-101/science',
      piemail: 'a@x.test',
      ngoemail: 'b@y.test',
      csemail: 'c@z.test',
    },
    night: NIGHT,
    mode: 'pi',
    fields: [
      { field: 'piemail', stored: 'a@x.test', addresses: [{ name: null, address: 'a@x.test' }], rejected: [] },
      { field: 'ngoemail', stored: 'b@y.test', addresses: [{ name: null, address: 'b@y.test' }], rejected: [] },
      { field: 'csemail', stored: 'c@z.test', addresses: [{ name: null, address: 'c@z.test' }], rejected: [] },
    ],
    recipients: { to: ['a@x.test'], cc: ['b@y.test', 'c@z.test'], rejected: [] },
    selection: { state: 'valid', text: 'GN-2026B-Q-101/science', scope: { kind: 'program', id: 'GN-2026B-Q-101' }, checkedBy: 'grammar' },
    archiveAskedAnyway: false,
    archive: answered(),
    record: { state: 'present', runs: [run()], outcome: null, messages: [message()] },
    deliveries: [],
    ...extra,
  };
}

export const outcome = (status: string, extra: object = {}) => ({
  notificationId: 101,
  night: NIGHT,
  mode: 'pi' as const,
  status,
  selection: 'GN-2026B-Q-101/science',
  files: 0,
  rejected: [],
  error: null,
  complete: true,
  checkedAt: at('08:00:05'),
  url: 'https://archive.gemini.edu/jsonsummary/nightrange=20261123-20261126/GN-2026B-Q-101/science',
  ...extra,
});
