import type { Night } from '../domain/night.js';
import type { Notification } from '../domain/notification.js';
import { makeSequence, type StandInFileSpec } from './archive-stand-in/index.js';

/**
 * The demo's notification table: real-looking rows, messy email fields included, chosen so one
 * night shows every status the job can report.
 */
export const demoNotifications: Notification[] = [
  {
    id: 1,
    label: 'Auto - GN-2026B-Q-101',
    selection: 'GN-2026B-Q-101/science',
    piemail: '"Doe, Jane" <jane.doe@example.edu>',
    ngoemail: 'ngo-us@example.org; N/A',
    csemail: 'Testy McTestFace cs.north@example.org',
  },
  {
    id: 2,
    label: 'Auto - GS-2026B-LP-7',
    selection: 'GS-2026B-LP-7/science',
    piemail: 'ana.silva@example.cl,  bruno.costa@example.br\n',
    ngoemail: 'mailto:ngo-br@example.br',
    csemail: 'Silva, Ana <ana.silva@example.cl>; cs.south@example.cl',
  },
  {
    id: 3,
    label: 'Auto - GN-2026B-FT-12',
    selection: 'GN-2026B-FT-12/science',
    piemail: 'kai@example.jp',
    ngoemail: null,
    csemail: 'cs.north@example.org',
  },
  {
    id: 4,
    label: 'GN-2026B-Q-55 team (typo in the selection)',
    selection: 'GN2026BQ55/science',
    piemail: 'lee@example.kr',
    ngoemail: '',
    csemail: 'cs.north@example.org',
  },
  {
    id: 5,
    label: 'Auto - GS-2026B-Q-33',
    selection: 'GS-2026B-Q-33/science',
    piemail: 'TBD',
    ngoemail: 'ngo-ar@example.ar',
    csemail: null,
  },
  {
    id: 6,
    label: 'GMOS-N B600 spectra of GN-2026B-Q-101',
    selection: 'GN-2026B-Q-101/B600',
    piemail: 'jane.doe@example.edu (Jane Doe)',
    ngoemail: null,
    csemail: 'cs.north@example.org',
  },
];

/** `count` files of one program, twenty minutes apart from `firstUt` (ISO, UTC). */
const observe = (programId: string, firstUt: string, count: number, spec: Partial<StandInFileSpec> = {}) =>
  makeSequence(programId, firstUt, count, 20 * 60_000, spec);

/** The files both sites took on the night: science and calibrations, one proprietary object, some set to QA CHECK. */
export function demoNight(night: Night): Record<string, unknown>[] {
  const date = `${night.slice(0, 4)}-${night.slice(4, 6)}-${night.slice(6, 8)}`;
  const dayBefore = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return [
    ...observe('GN-2026B-Q-101', `${date}T06:05:12Z`, 5),
    ...observe('GN-2026B-Q-101', `${date}T08:02:40Z`, 1, { observationClass: 'partnerCal', observationType: 'FLAT' }),
    ...observe('GN-2026B-Q-101', `${date}T09:41:07.5Z`, 1, { observationNumber: 7, qaState: 'CHECK', object: null }),
    // Gemini-South's night began at 18:00 UTC the day before: its files straddle two UTC dates.
    ...observe('GS-2026B-LP-7', `${dayBefore}T23:30:00Z`, 4, { telescope: 'Gemini-South' }),
    ...observe('GS-2026B-LP-7', `${date}T03:12:44Z`, 1, {
      telescope: 'Gemini-South',
      observationNumber: 9,
      qaState: 'CHECK',
      object: '<b>NGC 1068</b>',
    }),
    ...observe('GS-2026B-Q-33', `${date}T05:00:00Z`, 2, { telescope: 'Gemini-South' }),
    ...observe('GN-2026B-Q-55', `${date}T11:15:00Z`, 3),
  ];
}
