import { describe, expect, it } from 'vitest';
import { readSettings, SettingError } from '../../src/config/settings.js';
import { NightError } from '../../src/domain/night.js';
import { type SendAsked, sendSetupOf } from '../../src/run/send-request.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const ENV = {
  DATABASE_URL: 'postgres://job@db.test/fitsdata',
  ARCHIVE_URL: 'https://archive.test',
  FITS_SERVER_URL: 'http://summit.test',
  EMAIL_FROM: 'Gemini Archive <archive@gemini.test>',
  EMAIL_REPLY_TO: 'helpdesk@gemini.test',
  EMAIL_BCC: 'audit@gemini.test',
  ERRORS_TO: 'ops@gemini.test',
};
const ASKED: SendAsked = { date: '20261126', check: false, dryRun: false, force: false };

const setupOf = (asked: Partial<SendAsked> = {}, env: Record<string, string> = {}) =>
  sendSetupOf({ ...ASKED, ...asked }, readSettings({ ...ENV, ...env }), NOW);

/** The setting a SettingError names, or the error's class when it is another. */
function refusal(asked: Partial<SendAsked>, env: Record<string, string>): string {
  try {
    setupOf(asked, env);
    return 'accepted';
  } catch (error) {
    return error instanceof SettingError ? error.variable : (error as Error).constructor.name;
  }
}

describe('sendSetupOf: what send is asked to do', () => {
  it('PI mode: the archive, named so in messages; From, Reply-To, Bcc and the digest from the settings', () => {
    const setup = setupOf();
    expect(setup).toMatchObject({
      mode: 'pi',
      nights: ['20261126'],
      date: '20261126',
      base: 'https://archive.test',
      serverName: 'the archive',
      databaseUrl: 'postgres://job@db.test/fitsdata',
      force: false,
      match: undefined,
      lookbackNights: 3,
    });
    expect(setup.sender.from).toMatchObject({ name: 'Gemini Archive', address: 'archive@gemini.test' });
    expect(setup.sender.replyTo).toMatchObject({ address: 'helpdesk@gemini.test' });
    expect([setup.bcc, setup.errorsTo]).toEqual([['audit@gemini.test'], ['ops@gemini.test']]);
  });

  it('CHECK mode: the summit FITS server, named so', () => {
    expect(setupOf({ check: true })).toMatchObject({ mode: 'check', base: 'http://summit.test', serverName: 'the summit FITS server' });
  });

  it('a range: every night, oldest first, and A..B as its date', () => {
    expect(setupOf({ date: '20261124..20261126' })).toMatchObject({
      nights: ['20261124', '20261125', '20261126'],
      date: '20261124..20261126',
    });
  });

  it('"today" and "yesterday" are UTC nights of the clock given', () => {
    expect([setupOf({ date: 'today' }).date, setupOf({ date: 'yesterday' }).date]).toEqual(['20261127', '20261126']);
  });

  it('--match and --force pass through', () => {
    expect(setupOf({ match: 'GN-2026B', force: true })).toMatchObject({ match: 'GN-2026B', force: true });
  });

  it('a dry run without EMAIL_FROM composes from a placeholder that is never sent to; with it, from EMAIL_FROM', () => {
    expect(setupOf({ dryRun: true }, { EMAIL_FROM: '' }).sender.from).toEqual({
      name: 'yougotdata',
      address: 'dry-run@localhost.localdomain',
    });
    expect(setupOf({ dryRun: true }).sender.from).toMatchObject({ address: 'archive@gemini.test' });
  });

  it('workers: twice the archive concurrency, from --concurrency or ARCHIVE_CONCURRENCY', () => {
    expect(setupOf()).toMatchObject({ concurrency: 4, workers: 8 });
    expect(setupOf({}, { ARCHIVE_CONCURRENCY: '6' })).toMatchObject({ concurrency: 6, workers: 12 });
    expect(setupOf({ concurrency: 1 }, { ARCHIVE_CONCURRENCY: '6' })).toMatchObject({ concurrency: 1, workers: 2 });
  });

  it('the database pool: one connection more than the concurrency, at most nine', () => {
    expect([1, 4, 8, 9, 64].map((concurrency) => setupOf({ concurrency }).poolSize)).toEqual([2, 5, 9, 9, 9]);
  });

  it('refuses what is missing before anything is opened, in order: the nights, the database, the server, From', () => {
    const none = { DATABASE_URL: '', FITS_SERVER_URL: '', EMAIL_FROM: '' };
    expect(refusal({ date: 'tomorrow', check: true }, none)).toBe(NightError.name);
    expect(refusal({ check: true }, none)).toBe('DATABASE_URL');
    expect(refusal({ check: true }, { FITS_SERVER_URL: '', EMAIL_FROM: '' })).toBe('FITS_SERVER_URL');
    expect(refusal({}, { FITS_SERVER_URL: '', EMAIL_FROM: '' })).toBe('EMAIL_FROM');
    expect(refusal({ dryRun: true }, { EMAIL_FROM: '' })).toBe('accepted');
  });
});
