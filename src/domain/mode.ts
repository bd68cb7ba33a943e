import type { Night } from './night.js';

/** PI mode mails the PI about new data from the archive; CHECK mode mails the contact scientist about data set to QA CHECK. */
export type Mode = 'pi' | 'check';

export const MODES: readonly Mode[] = ['pi', 'check'];

/** How reports, mail and support output name a mode. */
export const MODE_NAME: Record<Mode, string> = { pi: 'PI', check: 'CHECK' };

/** The command that sends a night again: all of it, or one notification (`--match ID`). */
export const sendCommandFor = (night: Night, mode: Mode, id?: number): string =>
  `yougotdata send --date ${night}${mode === 'check' ? ' --check' : ''}${id === undefined ? '' : ` --match ${id}`}`;
