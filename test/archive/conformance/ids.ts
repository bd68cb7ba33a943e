import { type ConformanceCase, type ConformanceTable, dataLabel, drops, observation, program, reads, row } from './cases.js';

/**
 * Program ids, observation ids and data labels. From FitsStorage's own id tests (fits_storage_tests/code_tests/
 * test_gmu_progidetc.py: every valid and invalid id of each form, the ids its observation and data-label tests build
 * from them, and its GPP data label; read 2026-12), then a realistic id of every program shape the job mails, each
 * alone, with `/science`, and in typo'd variants. A typo is dropped by FitsStorage: the job must ask before searching.
 */
const validPrograms = [
  'GN-CAL20120123',
  'GS-CAL20000131',
  'GN-ENG20441231',
  'CAL20031122',
  'ENG20221101',
  'GN-2020A-CAL-191',
  'GN-2020B-ENG-191',
  'G-2001A-CAL-GMOS_N-20',
  'G-2001B-ENG-GMOS_N-20',
  'G-2001A-COM-IGRINS2-20',
  'G-2001A-MON-F_2-20',
  'G-2001B-CAL-GMOS_N-100',
  'GN-2011A-Q-12',
  'GS-2000B-C-1',
  'GN-2000A-DD-3',
  'GS-2033B-QS-1234',
  'G-2020A-1234-Q',
  'G-2020B-1234-C',
  'G-2020A-14-F',
  'GN-2011A-ENG-191',
  'G-2099B-COM-SCORPIO-1',
  'G-2099A-0005-Q',
  'G-2012B-1234-P',
];

const invalidPrograms = [
  'G-CAL20120123',
  'GX-CAL20000131',
  'GN-ENG19441231',
  'CAL1901122',
  'Eng20221101',
  'CAL200312',
  'GN-2020A-foo-191',
  'G-2020B-ENG-191',
  'GN-2001A-CAL-GMOS_N-20',
  'G-2001B-FOO-GMOS_N-20',
  'G-2011A-Q-12',
  'GS-2000C-C-1',
  'GN-2000A-ZZ-3',
  'GN-2020A-1234-Q',
  'G-2020C-1234-C',
  'G-2020A-14-Z',
];

/** Invalid as program ids, yet read whole as something else: an observation of a valid program. */
const observationsAfterAll = ['GS-2024A-Q-410-36', 'G-2001A-COM-IGRINS-2-20', 'G-2020B-ENG-191-1-002'];

/** One realistic id of every shape, and the typos a person makes in it. */
const shapes: [string, string[]][] = [
  [
    'GN-2026B-Q-101',
    ['GN2026BQ101', 'gn-2026b-q-101', 'GN-2026B-Q101', 'GN-2026B-Q-1O1', 'GN-2026BQ-101', 'GN_2026B_Q_101', 'GN-2026b-Q-101'],
  ],
  ['GS-2026A-C-7', ['GS2026AC7', 'GS-2026A-C-', 'GS-2026C-C-7', 'GS-26A-C-7']],
  ['GN-2025B-SV-12', ['GN-2025B-S-12', 'GN2025BSV12', 'GN-2025B-VS-12']],
  ['GS-2026A-QS-3', ['GS-2026A-Q-S-3', 'GS-2026A-QS3', 'gs-2026a-qs-3']],
  ['GN-2026A-DD-104', ['GN-2026A-D-104', 'GN-2026A-DDT-104', 'GN 2026A DD 104']],
  ['GS-2024B-LP-2', ['GS-2024B-L-2', 'GS-2024B-LLP-2', 'GS-2024B-LP-']],
  ['GN-2026B-FT-211', ['GN-2026B-F-211', 'GN-2026B-FT211', 'GN-2026-FT-211']],
  ['GS-2025A-DS-1', ['GS-2025A-D-S-1', 'GS-2025A-DS-l', 'GS2025ADS1']],
  ['GN-2026B-CAL-19', ['GN-2026B-CAL19', 'GN-2026B-Cal-19', 'G-2026B-CAL-19']],
  ['GS-2026A-ENG-5', ['GS-2026A-ENG5', 'GS-2026A-eng-5', 'GS-2026A-ENGG-5']],
  ['G-2026B-0123-Q', ['G-2026B-0123Q', 'G-2026B-Q-0123', 'GN-2026B-0123-Q', 'G-2026B-0123-X', 'G2026B0123Q']],
  ['G-2026A-0042-P', ['G-2026A-0042-p', 'G-2026A-42P', 'G-2026-0042-P']],
  ['G-2026B-ENG-GHOST-3', ['G-2026B-ENG-GHOST3', 'G-2026B-ENG--3', 'GS-2026B-ENG-GHOST-3']],
  ['GN-CAL20191122', ['GN-CAL2019112', 'GN-CAL-20191122', 'GN-CAL191122', 'GNCAL20191122', 'GN-Cal20191122']],
  ['GS-ENG20260301', ['GS-ENG2026031', 'GS-ENG-20260301', 'GS_ENG20260301']],
];

/** Data labels the archive's pattern reads: two numbers after the observation's, and dashed suffix parts. */
const dataLabels = [
  'GN-2019A-Q-101-5-012',
  'GN-2019A-Q-101-5-012-MRG-ADD',
  'GN-2019A-Q-101-5-012-SQ-ARC',
  'GN-2019A-Q-101-5-012-003',
  'GN-2019A-Q-101-5-012-003-flat',
  'G-2026B-ENG-SCORPIO-02-0023-0011-0002',
  'G-2026B-0123-Q-4-001',
  'GN-CAL20191122-2-001-bias',
];

/** Not data labels, whatever they look like: dropped. */
const notDataLabels = ['GN-2019A-Q-101-5-012-003-004', 'GN-2019A-Q-101-5-012-3x', 'GN-2019A-Q-101-5-012-', 'GN-2019A-Q-101-5-'];

const alone = (id: string): ConformanceCase[] => [
  row(id, reads(program(id)), 'search'),
  row(`${id}/science`, reads(program(id)), 'search'),
];

export const ids: ConformanceTable = {
  source: "FitsStorage's test_gmu_progidetc.py ids (read 2026-12), and realistic ids of every program shape with typos",
  cases: [
    ...validPrograms.flatMap(alone),
    ...invalidPrograms.map((id) => row(`${id}/science`, drops([id]), 'confirm')),
    ...observationsAfterAll.map((id) => row(id, reads(observation(id)), 'search')),
    ...validPrograms.flatMap((id) => [
      row(`${id}-1`, reads(observation(`${id}-1`)), 'search'),
      row(`${id}-1-002`, reads(dataLabel(`${id}-1-002`)), 'search'),
      row(`${id}-3-123-blah`, reads(dataLabel(`${id}-3-123-blah`)), 'search'),
      row(`${id}/${id}-3-123-blah`, reads(dataLabel(`${id}-3-123-blah`)), 'search'),
    ]),
    ...invalidPrograms
      .filter((id) => !observationsAfterAll.includes(`${id}-1-002`))
      .map((id) => row(`${id}-1-002/science`, drops([`${id}-1-002`]), 'confirm')),
    ...shapes.flatMap(([id, typos]) => [
      ...alone(id),
      ...typos.map((typo) => row(`${typo}/science`, drops([typo]), 'confirm')),
      row(`${id}/${typos[0]}`, drops([typos[0] ?? ''], program(id)), 'confirm'),
    ]),
    ...dataLabels.flatMap((label) => [
      row(label, reads(dataLabel(label)), 'search'),
      row(`progid=${label}`, reads(dataLabel(label)), 'search'),
      row(`GN-2019A-Q-7/${label}`, reads(dataLabel(label), ['GN-2019A-Q-7']), 'refuse'),
    ]),
    ...notDataLabels.map((text) => row(`${text}/science`, drops([text]), 'confirm')),
    row('progid=GN-2019A-Q-101-5', reads(observation('GN-2019A-Q-101-5')), 'search'),
    row('progid=my-eng-test', reads(program('my-eng-test')), 'search'),
    row('obsid=anything', reads(observation('anything')), 'search'),
    row('GN-2019A-Q-1/GN-2019A-Q-2', reads(program('GN-2019A-Q-2'), ['GN-2019A-Q-1']), 'refuse'),
    row('GN-2019A-Q-1/GN-2019A-Q-10-1', reads(observation('GN-2019A-Q-10-1'), ['GN-2019A-Q-1']), 'refuse'),
  ],
};
