import { type Mode, profileOf } from '../domain/mode.js';

/** `New Data for GN-2026B-Q-101/science`: the mode's prefix, then the selection. */
export const subjectFor = (mode: Mode, selection: string): string => `${profileOf(mode).subjectPrefix} ${selection}`;
