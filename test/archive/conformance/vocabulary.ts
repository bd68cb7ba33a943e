import { type ConformanceTable, drops, program, reads, row } from './cases.js';

/**
 * The archive's word lists against the job's (read from FitsStorage's get_selection.py and telescope_instruments.py,
 * 2026-12): an instrument the job knew and the archive does not, words the archive knows and the job did not, `defaults`,
 * and a selection too long for a URL.
 */
const P = 'GN-2019A-Q-101';
const scope = program(P);

export const vocabulary: ConformanceTable = {
  source: "FitsStorage's get_selection.py and telescope_instruments.py word lists (read 2026-12); the URL length",
  cases: [
    row('SCORPIO/science', drops(['SCORPIO']), 'confirm'),
    row(`${P}/SCORPIO`, drops(['SCORPIO'], scope), 'confirm'),
    row(`${P}/scorpio/science`, drops(['scorpio'], scope), 'confirm'),
    row(`${P}/Undefined`, drops(['Undefined'], scope), 'confirm'),
    row(`${P}/UndefinedQA`, reads(scope), 'search'),
    row(`${P}/Quality-Assessment`, reads(scope), 'search'),
    row(`${P}/processed_slit`, reads(scope), 'search'),
    row(`${P}/processed_slitflat`, reads(scope), 'search'),
    row(`${P}/GHOST/red:slow,blue:fast`, reads(scope), 'search'),
    row(`${P}/gemini_SOUTH/8x8/NOAO`, reads(scope), 'search'),
    row(`${P}/IGRINS/GRACES/ALOPEKE/zorro`, reads(scope), 'search'),
    row(`${P}/defaults`, reads(scope), 'refuse', 'defaults'),
    row(`${P}/science/defaults/CHECK`, reads(scope), 'refuse', 'defaults'),
    row(`${P}/${'science/'.repeat(250)}`, reads(scope), 'refuse', 'too-long-for-url'),
    row(`${P}/object=${'ü'.repeat(330)}`, reads(scope), 'refuse', 'too-long-for-url'),
    row(`${P}/object=${'M'.repeat(1900)}`, reads(scope), 'search'),
  ],
};
