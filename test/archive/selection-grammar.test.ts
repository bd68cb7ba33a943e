import { describe, expect, it } from 'vitest';
import { mightBeDate } from '../../src/archive/selection-date.js';
import { classifyTerm, INSTRUMENTS, type Scope } from '../../src/archive/selection-grammar.js';

const criteria: [string, string][] = [
  ['Gemini-North', 'telescope'],
  ['Gemini-South', 'telescope'],
  ['gemini_south', 'telescope'],
  ['GEMININORTH', 'telescope'],
  ['N20260101S0001', 'filename'],
  ['N20260101S0001.fits', 'filename'],
  ['S20260101S0123.fits.bz2', 'filename'],
  ['N20260101S0001_flat', 'filename'],
  ['2003jan12_0001', 'filename'],
  ['OBJECT', 'observation_type'],
  ['BIAS', 'observation_type'],
  ['DARK', 'observation_type'],
  ['FLAT', 'observation_type'],
  ['ARC', 'observation_type'],
  ['PINHOLE', 'observation_type'],
  ['RONCHI', 'observation_type'],
  ['CAL', 'observation_type'],
  ['FRINGE', 'observation_type'],
  ['MASK', 'observation_type'],
  ['STANDARD', 'observation_type'],
  ['science', 'observation_class'],
  ['dayCal', 'observation_class'],
  ['partnerCal', 'observation_class'],
  ['acqCal', 'observation_class'],
  ['acq', 'observation_class'],
  ['progCal', 'observation_class'],
  ['nightCal', 'observation_class'],
  ['processed_bias', 'caltype'],
  ['lampoff_flat', 'caltype'],
  ['standard', 'caltype'],
  ['Raw', 'processing'],
  ['Quick-Look', 'processing'],
  ['Science-Quality', 'processing'],
  ['RAW', 'reduction'],
  ['PREPARED', 'reduction'],
  ['PROCESSED_SCIENCE', 'reduction'],
  ['PROCESSED_FLAT', 'reduction'],
  ['B600', 'disperser'],
  ['R400_G5305', 'disperser'],
  ['+B1200+', 'disperser'],
  ['MIRROR', 'disperser'],
  ['1.0arcsec', 'focal_plane_mask'],
  ['IFU-R', 'focal_plane_mask'],
  ['GN2026BQ101-01', 'focal_plane_mask'],
  ['G2024A1234Q-01', 'focal_plane_mask'],
  ['1x1', 'binning'],
  ['2x2', 'binning'],
  ['1x4', 'binning'],
  ['12x48', 'binning'],
  ['high', 'gain'],
  ['low', 'gain'],
  ['fast', 'readspeed'],
  ['slow', 'readspeed'],
  ['red:slow,blue:fast', 'readspeed'],
  ['Deep', 'welldepth'],
  ['Shallow', 'welldepth'],
  ['NodAndShuffle', 'readmode'],
  ['Very_Faint_Objects', 'readmode'],
  ['gmos-n', 'inst'],
  ['ALOPEKE', 'inst'],
  ['maroon-x', 'inst'],
  ['hokupaa+QUIRC', 'inst'],
  ['HokupaaQUIRC', 'inst'],
  ['filter=Ha', 'filter'],
  ['Filter=g_G0301', 'Filter'],
  ['filepre=N2026', 'filepre'],
  ['ra=10:00:00', 'ra'],
  ['cols=CTOWEQ', 'cols'],
  ['mask=GN2026BQ101-01', 'mask'],
  ['PIname=Smith', 'PIname'],
  ['entrytimedaterange=20260101-20260102', 'entrytimedaterange'],
  ['canonical', 'canonical'],
  ['notcanonical', 'canonical'],
  ['Present', 'present'],
  ['notpresent', 'present'],
  ['engineering', 'engineering'],
  ['includeengineering', 'engineering'],
  ['imaging', 'spectroscopy'],
  ['spectroscopy', 'spectroscopy'],
  ['photstandard', 'photstandard'],
  ['warnings', 'caloption'],
  ['defaults', 'defaults'],
  ['processed_slit', 'caltype'],
  ['processed_slitflat', 'caltype'],
  ['Quality-Assessment', 'processing'],
  ['Pass', 'qa_state'],
  ['Usable', 'qa_state'],
  ['Fail', 'qa_state'],
  ['CHECK', 'qa_state'],
  ['AnyQA', 'qa_state'],
  ['NotFail', 'qa_state'],
  ['Win', 'qa_state'],
  ['Lucky', 'qa_state'],
  ['UndefinedQA', 'qa_state'],
  ['AO', 'ao'],
  ['NOTAO', 'ao'],
  ['LGS', 'lgs'],
  ['NGS', 'lgs'],
  ['fullframe', 'detector_roi'],
  ['CentralStamp', 'detector_roi'],
  ['preimage', 'pre_image'],
  ['Twilight', 'twilight'],
  ['nottwilight', 'twilight'],
  ['N2026', 'filepre'],
  ['S20260101', 'filepre'],
  ['N2026010', 'filepre'],
  ['N20260101S00', 'filepre'],
  ['object=NGC 1068', 'object'],
  ['Object=M101', 'object'],
  ['LS', 'mode'],
  ['MOS', 'mode'],
  ['IFS', 'mode'],
];

const scopes: [string, Scope][] = [
  ...[
    'GN-2019A-FT-211',
    'GS-2024B-Q-101',
    'G-2024A-1234-Q',
    'GN-ENG20091222',
    'GS-2020A-CAL-191',
    'ENG20200101',
    'GN-CAL20120123',
    'G-2001A-MON-F_2-20',
    'G-2099B-COM-SCORPIO-1',
    'G-2012B-1234-P',
    'GN-2026B-Q-101',
    'GS-2025A-SV-3',
  ].map((id): [string, Scope] => [id, { kind: 'program', id }]),
  ['GN-2019A-FT-211-3', { kind: 'observation', id: 'GN-2019A-FT-211-3' }],
  ['G-2024A-1234-Q-2', { kind: 'observation', id: 'G-2024A-1234-Q-2' }],
  ['G-2001A-MON-F_2-20-7', { kind: 'observation', id: 'G-2001A-MON-F_2-20-7' }],
  ['GN-2019A-FT-211-3-005', { kind: 'dataLabel', id: 'GN-2019A-FT-211-3-005' }],
  ['GN-2019A-FT-211-3-005-flat', { kind: 'dataLabel', id: 'GN-2019A-FT-211-3-005-flat' }],
  ['GN-CAL20120123-4-001', { kind: 'dataLabel', id: 'GN-CAL20120123-4-001' }],
  ['GN-2019A-Q-1-2-3-4', { kind: 'dataLabel', id: 'GN-2019A-Q-1-2-3-4' }],
  ['GN-2019A-Q-101-5-012-MRG-ADD', { kind: 'dataLabel', id: 'GN-2019A-Q-101-5-012-MRG-ADD' }],
  ['G-2026B-ENG-SCORPIO-02-0023-0011-0002', { kind: 'dataLabel', id: 'G-2026B-ENG-SCORPIO-02-0023-0011-0002' }],
  ['progid=GN-2019A-Q-101-5-012-SQ-ARC', { kind: 'dataLabel', id: 'GN-2019A-Q-101-5-012-SQ-ARC' }],
  ['progid=GN-2019A-Q-1', { kind: 'program', id: 'GN-2019A-Q-1' }],
  ['progid=GN-2019A-Q-1-2', { kind: 'observation', id: 'GN-2019A-Q-1-2' }],
  ['progid= GN-2019A-Q-1-2-003', { kind: 'dataLabel', id: 'GN-2019A-Q-1-2-003' }],
  ['progid=my-eng-test', { kind: 'program', id: 'my-eng-test' }],
  ['obsid=GN-2019A-Q-1-2', { kind: 'observation', id: 'GN-2019A-Q-1-2' }],
  ['datalabel=GN-2019A-Q-1-2-003', { kind: 'dataLabel', id: 'GN-2019A-Q-1-2-003' }],
];

const dates: [string, string][] = [
  ['night=20260101', 'night'],
  ['nightrange=20260101-20260105', 'nightrange'],
  ['date=20260101', 'date'],
  ['daterange=20260101-20260105', 'daterange'],
  ['night=garbage', 'night'],
  ['20260101', 'date'],
  ['today', 'date'],
  ['yesterday', 'date'],
  ['tomorrow', 'date'],
  ['20260101-20260105', 'daterange'],
  ['yesterday-today', 'daterange'],
  ['Jan 2026', 'date'],
  ['1/2/2026', 'date'],
  ['12:00:00', 'date'],
  ['Saturday', 'date'],
  ['2026-1-1', 'date'],
  ['10am HST', 'date'],
];

const impossible: [string, string][] = [
  ['.', 'path step'],
  ['..', 'path step'],
  ['a\tb', 'U+0009'],
  ['GN-2019A-Q-1\u200b', 'U+200B'],
  ['\u0000', 'U+0000'],
  ['x\ud800y', 'U+D800'],
  ['a\u2028b', 'U+2028'],
  ['science\u007f', 'U+007F'],
];

const unknown: string[] = [
  // the invalid program ids of docs/archive.md#program-ids
  'gn-2019a-ft-211',
  'GN-2019A-XX-1',
  'GX-CAL20000131',
  'Eng20221101',
  'GN-2020A-foo-191',
  'GN-2001A-CAL-GMOS_N-20',
  'G-2011A-Q-12',
  'GN-2020A-1234-Q',
  // typos and wrong case
  'GN2026BQ101',
  'sceince',
  'Science',
  'SCIENCE',
  'gemini north',
  'Gemini',
  'Today',
  'Undefined',
  // an instrument the archive's list does not hold yet: SCORPIO/science would search every program
  'SCORPIO',
  'N2030',
  'GMOSN',
  'filter',
  'x=1',
  '2x3',
  'sciencex',
  'GMOS-N-2',
  'GN-CAL20',
  'GN-2019A-Q-1-2-3-4-5',
  'GN-2019A-Q-1-2-003-4x',
  'ｇｍｏｓ',
];

describe('classifyTerm', () => {
  it.each(criteria)('%s narrows by %s', (term, field) => {
    expect(classifyTerm(term)).toEqual({ kind: 'criterion', field });
  });

  it.each([...INSTRUMENTS, 'GMOS-N', 'GMOS', 'Flamingos', 'IGRINS-2'])('instrument %s', (name) => {
    expect(classifyTerm(name)).toEqual({ kind: 'criterion', field: 'inst' });
  });

  it.each(scopes)('%s names a scope', (term, scope) => {
    expect(classifyTerm(term)).toEqual({ kind: 'scope', scope });
  });

  it.each(dates)('%s sets the %s', (term, field) => {
    expect(classifyTerm(term)).toEqual({ kind: 'date', field });
  });

  it.each(impossible)('%j can never be a term (%s)', (term, why) => {
    const reading = classifyTerm(term);
    expect(reading.kind).toBe('impossible');
    expect(reading.kind === 'impossible' && reading.why).toContain(why);
  });

  it.each(unknown)('%s is left for the server to confirm', (term) => {
    expect(classifyTerm(term)).toEqual({ kind: 'unknown' });
  });

  // The server's order decides; a bare key is its own value there (a program named "progid").
  it('follows the server where a term could be two things', () => {
    expect(classifyTerm('object')).toEqual({ kind: 'criterion', field: 'object' });
    expect(classifyTerm('progid')).toEqual({ kind: 'scope', scope: { kind: 'program', id: 'progid' } });
    expect(classifyTerm('N20260101')).toEqual({ kind: 'criterion', field: 'filepre' });
    expect(classifyTerm('standard')).toEqual({ kind: 'criterion', field: 'caltype' });
  });
});

describe('mightBeDate', () => {
  it.each(['20260101', '2026.1.1', '1st  Jan', 'December', 'Thursday', '12:00:00', '１２３４５６７８'])('%s may be a date', (text) => {
    expect(mightBeDate(text)).toBe(true);
  });

  it.each(['2026010', '202601011', 'sciencex', 'GMOS-N-2', 'a_b_c_d1', '--------', 'TODAY', 'midnight'])('%s is no date', (text) => {
    expect(mightBeDate(text)).toBe(false);
  });
});
