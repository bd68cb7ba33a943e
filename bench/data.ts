/** The benchmark's notification table and the archive's files for it: the same every run. */

import { makeSequence } from '../src/demo/archive-stand-in/index.js';
import type { NotificationRow } from '../src/demo/fitsstorage-table.js';
import type { Night } from '../src/domain/night.js';

/** A fixed past night, so every run of the benchmark does the same work. */
export const NIGHT = '20260115' as Night;
const SEMESTER = '2025B';

/** Gemini-North and -South alternate in blocks of ten rows, so both sites get data. */
export const programOf = (id: number) => `G${Math.floor((id - 1) / 10) % 2 === 0 ? 'N' : 'S'}-${SEMESTER}-Q-${id}`;
/** Whether row `id` gets data when `percent` % of rows do, spread evenly: at 10%, ids 1, 11, 21, … */
export const hasData = (id: number, percent: number) => Math.floor(((id - 1) * percent) / 100) !== Math.floor(((id - 2) * percent) / 100);

/** Rows as the proposal database writes them: `Auto - <progid>`, `<progid>/science`; the partner office and contact scientists repeat. */
export function notificationsOf(n: number): NotificationRow[] {
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const program = programOf(id);
    return {
      id,
      label: `Auto - ${program}`,
      selection: `${program}/science`,
      piemail: `PI ${id} <pi${id}@example.edu>`,
      ngoemail: 'ngo@example.org',
      csemail: `cs.${program[1] === 'S' ? 'south' : 'north'}@example.org`,
    };
  });
}

/** `count` science files of a program, a minute apart from 06:00 UTC on the night's date: inside both sites' nights. */
export const scienceFiles = (programId: string, count: number): Record<string, unknown>[] =>
  makeSequence(programId, `${NIGHT.slice(0, 4)}-${NIGHT.slice(4, 6)}-${NIGHT.slice(6, 8)}T06:00:00Z`, count, 60_000, { qaState: 'Pass' });
