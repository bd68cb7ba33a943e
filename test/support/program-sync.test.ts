import { describe, expect, it } from 'vitest';
import { fixAdvice, rowSourceOf, syncedProgramOf } from '../../src/support/program-sync.js';

describe('syncedProgramOf: the label exactly as the sync writes it', () => {
  it.each([
    ['Auto - GN-2026B-Q-101', 'GN-2026B-Q-101'],
    ['Auto - GS-2026B-LP-7', 'GS-2026B-LP-7'],
    ['Auto - G-2026B-1234-Q', 'G-2026B-1234-Q'],
  ])('%j is synced for %s', (label, programId) => {
    expect(syncedProgramOf(label)).toBe(programId);
    expect(rowSourceOf({ label })).toBe('sync');
  });

  it.each([
    null,
    '',
    'auto - GN-2026B-Q-101',
    'Auto - GN-2026B-Q-101 ',
    ' Auto - GN-2026B-Q-101',
    'Auto -  GN-2026B-Q-101',
    'Auto-GN-2026B-Q-101',
    'Auto - GN2026BQ101',
    'Auto - junk',
    'Auto - GN-2026B-Q-101/science',
    'Jane Doe extra copy',
  ])('%j is a row staff added by hand', (label) => {
    expect(syncedProgramOf(label)).toBeNull();
    expect(rowSourceOf({ label })).toBe('manual');
  });
});

describe('fixAdvice', () => {
  const change = { row: "put the PI's address in piemail", source: 'add a PI email address' };
  const synced = { id: 4, label: 'Auto - GN-2026B-Q-4' };
  const manual = { id: 5, label: 'Extra mail' };

  it('a row added by hand: the edit of the row', () => {
    expect(fixAdvice(manual, 'piemail', change)).toEqual({
      source: 'manual',
      fix: "Edit row #5 (added by hand): put the PI's address in piemail.",
    });
  });

  it.each(['piemail', 'ngoemail', 'csemail', null] as const)('a synced row, %s: the program record, never the row', (field) => {
    const advice = fixAdvice(synced, field, change);
    expect(advice).toEqual({
      source: 'sync',
      fix: "Add a PI email address in the observing database's contact details for program GN-2026B-Q-4 (from its Phase I/II proposal); the sync copies it into row #4 each day, so an edit of the row would be undone.",
    });
    expect(advice.fix).not.toContain('Edit row');
  });

  it("a synced row's selection: the edit of the row, which lasts", () => {
    expect(fixAdvice(synced, 'selection', { row: 'set the selection back to "GN-2026B-Q-4/science"', source: '' })).toEqual({
      source: 'sync',
      fix: 'Edit row #4 (synced for GN-2026B-Q-4, but the sync writes a selection only when it creates the row, so this edit lasts): set the selection back to "GN-2026B-Q-4/science".',
    });
  });

  it('harmless: nothing needs doing, then the tidying in the right place', () => {
    const tidy = { row: 'remove "N/A" from ngoemail', source: 'remove "N/A" from the partner office (NGO) email', harmless: true };
    expect(fixAdvice(manual, 'ngoemail', tidy).fix).toBe(
      'Nothing needs doing for the mail to go out; to tidy it: edit row #5 (added by hand): remove "N/A" from ngoemail.',
    );
    expect(fixAdvice(synced, 'ngoemail', tidy).fix).toMatch(
      /^Nothing needs doing for the mail to go out; to tidy it: remove "N\/A" from the partner office \(NGO\) email in the observing database's/,
    );
  });

  it('does not add a second full stop', () => {
    expect(fixAdvice(manual, null, { row: 'delete it?', source: '' }).fix).toBe('Edit row #5 (added by hand): delete it?');
  });
});
