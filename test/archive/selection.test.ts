import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArchiveEntry, archiveEntrySchema } from '../../src/archive/entry.js';
import {
  confirmSelection,
  filesOutsideScope,
  readSelection,
  type SelectionReading,
  type SelectionScope,
  unrecognisedTerms,
} from '../../src/archive/selection.js';
import { didYouMean } from '../../src/archive/selection-suggest.js';

type NeedsConfirmation = Extract<SelectionReading, { kind: 'needs-confirmation' }>;

function reasonOf(reading: SelectionReading): string {
  if (reading.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(reading)}`);
  return reading.reason;
}

function needingConfirmation(text: string): NeedsConfirmation {
  const reading = readSelection(text);
  if (reading.kind !== 'needs-confirmation') throw new Error(`expected needs-confirmation, got ${JSON.stringify(reading)}`);
  return reading;
}

const program = (id: string): SelectionScope => ({ kind: 'program', id });
const observation = (id: string): SelectionScope => ({ kind: 'observation', id });
const dataLabel = (id: string): SelectionScope => ({ kind: 'dataLabel', id });

describe('readSelection', () => {
  it.each([null, undefined, '', '   ', '/', '///', ' / \t/ '])('%j is blank', (text) => {
    expect(readSelection(text)).toEqual({ kind: 'invalid', reason: 'selection is blank' });
  });

  it.each([
    ['GN-2026B-Q-101/science', ['GN-2026B-Q-101', 'science'], program('GN-2026B-Q-101')],
    [' GN-2026B-Q-101 / science /', ['GN-2026B-Q-101', 'science'], program('GN-2026B-Q-101')],
    ['//GS-2024B-Q-101//GMOS-S/Pass', ['GS-2024B-Q-101', 'GMOS-S', 'Pass'], program('GS-2024B-Q-101')],
    ['science/Gemini-South/GMOS-S/2x2', ['science', 'Gemini-South', 'GMOS-S', '2x2'], null],
    ['object=NGC 1068/imaging', ['object=NGC 1068', 'imaging'], null],
  ])('%j is valid', (text, terms, scope) => {
    const reading = readSelection(text);
    expect(reading).toMatchObject({ kind: 'valid', selection: { text: terms.join('/'), terms, scope } });
  });

  it.each([
    ['GN2026BQ101/science', ['GN2026BQ101'], null],
    ['GN-2026B-Q-101/sceince', ['sceince'], program('GN-2026B-Q-101')],
    ['GN-2026B-Q-101/Science/Undefined/Science', ['Science', 'Undefined'], program('GN-2026B-Q-101')],
    ['gn-2019a-ft-211', ['gn-2019a-ft-211'], null],
  ])('%j needs the server to confirm %j', (text, unknownTerms, scope) => {
    const reading = needingConfirmation(text);
    expect(reading.unknownTerms).toEqual(unknownTerms);
    expect(reading.scope).toEqual(scope);
    expect(reading.terms).toEqual(text.split('/'));
  });

  it.each([
    'night=20260101',
    'nightrange=20260101-20260102',
    'date=20260101',
    'daterange=20260101-20260102',
    '20260101',
    'today',
    'yesterday',
    '20260101-20260102',
    'Jan 2026',
  ])('a selection with its own date term %j is invalid', (term) => {
    const reason = reasonOf(readSelection(`GN-2026B-Q-101/${term}/science`));
    expect(reason).toContain(JSON.stringify(term));
    expect(reason).toContain('the job chooses itself');
  });

  it('names every own date term at once', () => {
    expect(reasonOf(readSelection('today/GN-2026B-Q-101/night=20260101'))).toBe(
      '"today", "night=20260101" set a date or night, which the job chooses itself (--date): remove them',
    );
  });

  it.each([
    ['GN-2026B-Q-101/..', '".." cannot be a search term: a URL would read it as a path step'],
    [
      'GN-2026B-Q-101/sci\u0000ence',
      '"sci\\u0000ence" cannot be a search term: it contains U+0000, a control, invisible or malformed character',
    ],
    ['GN-2026B-Q-101\u200b/science', 'U+200B'],
  ])('%j has a term that can never be one', (text, reason) => {
    expect(reasonOf(readSelection(text))).toContain(reason);
  });

  it('reports every problem, and a problem wins over unknown terms', () => {
    const reason = reasonOf(readSelection('sceince/./today/GN-2019A-Q-1/GN-2019A-Q-2'));
    expect(reason).toBe(
      [
        '"." cannot be a search term: a URL would read it as a path step',
        '"today" sets a date or night, which the job chooses itself (--date): remove it',
        'the selection names program GN-2019A-Q-1 and program GN-2019A-Q-2, but the archive keeps only GN-2019A-Q-2: keep one of them',
      ].join('; '),
    );
  });
});

describe('the scope a selection keeps', () => {
  it.each([
    ['science', null],
    ['GN-2019A-Q-1', program('GN-2019A-Q-1')],
    ['GN-2019A-Q-1/science/GN-2019A-Q-1', program('GN-2019A-Q-1')],
    ['GN-2019A-Q-1/GN-2019A-Q-1-5', observation('GN-2019A-Q-1-5')],
    ['GN-2019A-Q-1-5/GN-2019A-Q-1', observation('GN-2019A-Q-1-5')],
    ['GN-2019A-Q-1/GN-2019A-Q-1-5-003', dataLabel('GN-2019A-Q-1-5-003')],
    ['GN-2019A-Q-1-5-003/GN-2019A-Q-1-5/GN-2019A-Q-1', dataLabel('GN-2019A-Q-1-5-003')],
    ['GN-2019A-Q-1-5-003/GN-2019A-Q-1-5-003-flat', dataLabel('GN-2019A-Q-1-5-003-flat')],
    ['progid=GN-2019A-Q-1-5/science', observation('GN-2019A-Q-1-5')],
    ['obsid=GN-2019A-Q-1-5/GN-2019A-Q-1', observation('GN-2019A-Q-1-5')],
    ['GN-2019A-Q-1/datalabel=GN-2019A-Q-1-5-003', dataLabel('GN-2019A-Q-1-5-003')],
    ['G-2001A-MON-F_2-20/G-2001A-MON-F_2-20-7', observation('G-2001A-MON-F_2-20-7')],
  ])('%j keeps %j', (text, scope) => {
    expect(readSelection(text)).toMatchObject({ kind: 'valid', selection: { scope } });
  });

  it.each([
    ['GN-2019A-Q-1/GN-2019A-Q-2', 'program GN-2019A-Q-1 and program GN-2019A-Q-2'],
    ['GN-2019A-Q-2/GN-2019A-Q-1-5', 'program GN-2019A-Q-2 and observation GN-2019A-Q-1-5'],
    ['GN-2019A-Q-1-5/GN-2019A-Q-1-6', 'observation GN-2019A-Q-1-5 and observation GN-2019A-Q-1-6'],
    // GN-2019A-Q-10-1 starts with the text of GN-2019A-Q-1 but is another program's observation.
    ['GN-2019A-Q-1/GN-2019A-Q-10-1', 'program GN-2019A-Q-1 and observation GN-2019A-Q-10-1'],
    ['GN-2019A-Q-1-5-003/GN-2019A-Q-1-6', 'observation GN-2019A-Q-1-6 and data label GN-2019A-Q-1-5-003'],
  ])('%j names ids the archive would silently ignore', (text, names) => {
    expect(reasonOf(readSelection(text))).toContain(`the selection names ${names}`);
  });
});

describe('confirmSelection', () => {
  it('keeps the terms and the scope when the server dropped nothing', () => {
    const reading = needingConfirmation('GN-2026B-Q-101/Undefined');
    expect(confirmSelection(reading, [])).toMatchObject({
      kind: 'valid',
      selection: { text: 'GN-2026B-Q-101/Undefined', terms: ['GN-2026B-Q-101', 'Undefined'], scope: program('GN-2026B-Q-101') },
    });
  });

  it.each([
    ['GN2026BQ101/science', ['GN2026BQ101'], 'the archive does not recognise "GN2026BQ101" (did you mean GN-2026B-Q-101?)'],
    ['GN-2026B-Q-101/sceince', ['sceince'], 'the archive does not recognise "sceince" (did you mean science?)'],
    ['GN-2026B-Q-101/Science', ['Science'], 'the archive does not recognise "Science" (did you mean science?)'],
    ['GN-2026B-Q-101/foo bar', ['foo', 'bar'], 'the archive does not recognise "foo bar"'],
    ['GN-2026B-Q-101/qwertyuiop', ['qwertyuiop', 'zzz'], 'the archive does not recognise "qwertyuiop", "zzz"'],
    // Whatever the server dropped widened the search, even a term the job did not know it sent.
    ['GN-2026B-Q-101/Undefined', ['nolinks'], 'the archive does not recognise "nolinks"'],
  ])('%j with %j dropped is invalid', (text, dropped, reason) => {
    expect(confirmSelection(needingConfirmation(text), dropped)).toEqual({ kind: 'invalid', reason });
  });
});

describe('unrecognisedTerms', () => {
  it.each([
    ["<H4>WARNING: I didn't recognize the following search terms: t1 t2 </H4>", ['t1', 't2']],
    ["<p>x</p><h4>WARNING: I didn't recognize the following search terms: GN2026BQ101</h4><table>", ['GN2026BQ101']],
    ['<H4>WARNING: I didn&#39;t recognize the following search terms:\n  sceince\n  Science\n</H4 >', ['sceince', 'Science']],
    ['<h4>WARNING: I didn&#x27;t recognize the following search terms: a&amp;b &lt;x&gt; &quot;q&quot;</h4>', ['a&b', '<x>', '"q"']],
    [
      "<H4>WARNING: I didn't recognize the following search terms: a</H4><H4>WARNING: I didn't recognize the following search terms: b</H4>",
      ['a', 'b'],
    ],
    ['<h4>WARNING: I didn&rsquo;t recognize the following search terms: N2030</h4>', ['N2030']],
    ["<H4>WARNING: I didn't recognize the following search terms:  </H4>", ['  ']],
    ['<html><body><h2>No results match selection</h2></body></html>', []],
    ['', []],
  ])('%j → %j', (html, terms) => {
    expect(unrecognisedTerms(html)).toEqual(terms);
  });
});

describe('didYouMean', () => {
  it.each([
    ['GN2026BQ101', 'GN-2026B-Q-101'],
    ['gn-2019a-ft-211', 'GN-2019A-FT-211'],
    ['GN 2026B QS 7', 'GN-2026B-QS-7'],
    ['G2024A1234Q', 'G-2024A-1234-Q'],
    ['Eng20221101', 'ENG20221101'],
    ['gn_cal20120123', 'GN-CAL20120123'],
    ['sceince', 'science'],
    ['Science', 'science'],
    ['daycal', 'dayCal'],
    ['Alopek', 'Alopeke'],
    ['notcannonical', 'notcanonical'],
  ])('%s → %s', (term, suggestion) => {
    expect(didYouMean(term)).toBe(suggestion);
  });

  it.each(['GN2026BQ101-5', 'GN-2019A-XX-1', 'xyz', 'LQ', 'qwertyuiop', 'GMOSN'])('%s → nothing', (term) => {
    expect(didYouMean(term)).toBeUndefined();
  });
});

describe('filesOutsideScope', () => {
  const entry = (name: string, ids: Partial<Pick<ArchiveEntry, 'program_id' | 'observation_id' | 'data_label'>>): ArchiveEntry =>
    archiveEntrySchema.parse({ name, filename: `${name}.bz2`, ...ids });
  const own = entry('N1.fits', { program_id: 'GN-2019A-Q-1', observation_id: 'GN-2019A-Q-1-5', data_label: 'GN-2019A-Q-1-5-003' });
  const suffixed = entry('N2.fits', {
    program_id: 'GN-2019A-Q-1',
    observation_id: 'GN-2019A-Q-1-5',
    data_label: 'GN-2019A-Q-1-5-003-MRG-ADD',
  });
  const sibling = entry('N3.fits', { program_id: 'GN-2019A-Q-1', observation_id: 'GN-2019A-Q-1-5', data_label: 'GN-2019A-Q-1-5-0031' });
  const numbered = entry('N4.fits', { program_id: 'GN-2019A-Q-1', observation_id: 'GN-2019A-Q-1-5', data_label: 'GN-2019A-Q-1-5-003-4' });
  const otherObservation = entry('N5.fits', {
    program_id: 'GN-2019A-Q-1',
    observation_id: 'GN-2019A-Q-1-6',
    data_label: 'GN-2019A-Q-1-6-001',
  });
  const otherProgram = entry('N6.fits', {
    program_id: 'GN-2019A-Q-10',
    observation_id: 'GN-2019A-Q-10-5',
    data_label: 'GN-2019A-Q-10-5-003',
  });
  const anonymous = entry('N7.fits', {});
  const all = [own, suffixed, sibling, numbered, otherObservation, otherProgram, anonymous];

  it.each([
    [null, []],
    [program('GN-2019A-Q-1'), [otherProgram, anonymous]],
    [observation('GN-2019A-Q-1-5'), [otherObservation, otherProgram, anonymous]],
    [dataLabel('GN-2019A-Q-1-5-003'), [sibling, numbered, otherObservation, otherProgram, anonymous]],
  ])('scope %j', (scope, outside) => {
    expect(filesOutsideScope(scope, all)).toEqual(outside);
  });

  it('finds the other programs in a /jsonsummary answer', () => {
    const url = new URL('../../fixtures/archive/jsonsummary-sample.json', import.meta.url);
    const entries = archiveEntrySchema.array().parse(JSON.parse(readFileSync(url, 'utf8')));
    const outside = filesOutsideScope(program('GN-2026A-Q-118'), entries);
    expect(outside.map((e) => e.program_id)).toEqual(['GN-2026A-FT-7', 'GN-2026A-Q-205', 'GN-CAL20260314']);
    // The raw file and its processed product (label suffix -MRG-ADD) share the data label.
    const outsideLabel = new Set(filesOutsideScope(dataLabel('GN-2026A-Q-118-3-001'), entries));
    expect(
      entries
        .filter((e) => !outsideLabel.has(e))
        .map((e) => e.name)
        .sort(),
    ).toEqual(['N20260314S0042.fits', 'mrgN20260314S0042_add.fits']);
  });
});
