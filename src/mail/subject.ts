import type { Mode } from '../domain/mode.js';

/** Exactly the old job's subjects: people filter their mail on them. */
const SUBJECT_PREFIX: Record<Mode, string> = { pi: 'New Data for', check: 'Data set to CHECK for' };

export const subjectFor = (mode: Mode, selection: string): string => `${SUBJECT_PREFIX[mode]} ${selection}`;
