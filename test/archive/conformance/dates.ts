import { type ConformanceTable, dated, drops, fails, program, row } from './cases.js';

/**
 * Date, night and range terms. From FitsStorage's own date tests (fits_storage_tests/code_tests/test_gmu_datestimes.py,
 * its simple and ISO ranges good and bad, both versions; and the older tests/test_gmu.py good and bad dates and
 * ranges; read 2026-12), the forms the issue names (among them the example of the archive's help page), the archive's
 * date limits, and terms it fails on. Each is sent beside a program id, as a row would hold it.
 */
const P = 'GN-2019A-Q-101';
const scope = program(P);
const withProgram = (term: string) => `${P}/${term}`;

/** FitsStorage reads these as a date, night or range: the job refuses them. */
const readAsDates = [
  // test_gmu_datestimes.py, good simple and ISO ranges
  '20010101-20020202',
  '20111231-20120101',
  '20001122T012345.67-20010102T112233.44',
  '20001122T012345-20010102T112233',
  '20001122T012345-20010102T112233.44456',
  '2000-11-22T01:23:45--2001-01-02T11:22:33.44456',
  // tests/test_gmu.py, good dates and ranges (today and yesterday are the archive's special words)
  '20050101',
  '20080228',
  '20120229',
  '20390101',
  'today',
  'yesterday',
  '20050101-20061231',
  '20080228-20120229',
  // the forms of the issue, and the archive's help page example
  '2019-11-22',
  '2019',
  '2019-W47-5',
  'now',
  'tomorrow',
  '20210101T050000-20210101T053000',
  '20190101-20190131',
  // more ISO 8601 forms the archive's parser reads
  '2019-11',
  '2019326',
  '2019-326',
  '2019W475',
  '2019-11-22T10:11:12.5',
  '2019-11-22 10:11',
  '2019-11-22T24:00',
  '2019-11-01--2019-11-30',
  'today-tomorrow',
  '20191122-20191101',
  // its quirks: any one character before the time, Python's int() on each number
  '20191122S0001',
  '2019+101',
  '2019 1 1',
  // the limits, both included
  '19990101',
  '21000101',
  '2100-01-01T00:00',
  '1999',
  '2100',
];

/** FitsStorage fails on these (HTTP 500 for the whole search): a UTC offset, or a day ordered against a moment. */
const failedOn = [
  '2019-11-22T10:00Z',
  '20191122T10+05:30',
  '20191122T1011-03',
  '20190101-now',
  '20190101-20190102T10',
  // read as 2019-11-01 20:19 at UTC offset -11:-30
  '2019-11-01-2019-11-30',
];

/** Dropped by FitsStorage (not dates, and nothing else); no 8-character one, so the job asks. */
const droppedAsked = [
  // test_gmu_datestimes.py, bad simple and ISO ranges; and a range its older version took
  '20002122T012345.67-20010102T112233.44',
  '20001142T012345-20010102T112233',
  '20001122T016345.-20010102T112233.44456',
  '20001122T012345.-20010102T112233.44456',
  // tests/test_gmu.py bad ones, not of 8 characters
  'blah',
  // words that are no dates to the archive
  'tonight',
  'lastnight',
  'Today',
  // outside the limits
  '1998',
  '2101',
  '2100-01-01T00:00:01',
  '1998-12-31',
  '2019-13-01',
  '2019-11-22T25:00',
  '2019-W54-1',
];

/**
 * Dropped by the current archive, but read as a date by its earlier release (any 8 characters its general date
 * parser reads), which a summit server may still run: the job refuses them as dates, losing nothing.
 */
const earlierReleaseDates = [
  // tests/test_gmu.py bad dates and ranges of 8 characters a side
  '00000000',
  '20110229',
  '12345678',
  '10000101',
  '29000101',
  '19900101-20390101',
  '19990101-29000101',
  '10000101-20000101',
  // test_gmu_datestimes.py bad simple ranges
  '20012201-20020202',
  '20111231-20120142',
  // outside the limits, and the earlier reading's vocabulary
  '19981231',
  '21000102',
  'Jan 2026',
  '12:00:00',
];

export const dates: ConformanceTable = {
  source: "FitsStorage's test_gmu_datestimes.py and tests/test_gmu.py dates (read 2026-12), the issue's forms, limits",
  cases: [
    ...readAsDates.map((term) => row(withProgram(term), dated(scope), 'refuse')),
    ...failedOn.map((term) => row(withProgram(term), fails, 'refuse')),
    ...droppedAsked.map((term) => row(withProgram(term), drops([term], scope), 'confirm')),
    ...earlierReleaseDates.map((term) => row(withProgram(term), drops([term], scope), 'refuse', 'earlier-release-date')),
    row(`${P}/night=2019-11-22`, dated(scope), 'refuse'),
    row(`${P}/date=now`, dated(scope), 'refuse'),
    row(`${P}/nightrange=2019-W47-1--2019-W47-7`, dated(scope), 'refuse'),
  ],
};
