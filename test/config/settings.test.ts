import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentWithDotEnv, readSettings, required, SettingError } from '../../src/config/settings.js';

const problem = (env: Record<string, string>) => {
  try {
    readSettings(env);
  } catch (error) {
    return error as SettingError;
  }
  throw new Error('no error');
};

describe('settings', () => {
  it('has the defaults of docs/commands.md#settings', () => {
    expect(readSettings({})).toEqual({
      ARCHIVE_URL: 'https://archive.gemini.edu',
      SMTP_URL: 'smtp://localhost:25',
      EMAIL_BCC: [],
      ERRORS_TO: [],
      ARCHIVE_CONCURRENCY: 4,
      ARCHIVE_TIMEOUT_MS: 20000,
      ARCHIVE_RETRIES: 3,
      SMTP_TIMEOUT_MS: 60000,
      LOOKBACK_NIGHTS: 3,
      ARCHIVE_MAX_FAILURES: 10,
      LOG_FORMAT: 'text',
      HEALTHCHECK_DETAILS: 'brief',
      IMAP_DONE_FOLDER: 'Processed',
    });
  });

  it('reads the bounce mailbox: an imap or imaps URL, and the folder for what was read', () => {
    expect(readSettings({ IMAP_URL: 'imaps://u:p@imap.gemini.edu/INBOX', IMAP_DONE_FOLDER: ' Read ' })).toMatchObject({
      IMAP_URL: 'imaps://u:p@imap.gemini.edu/INBOX',
      IMAP_DONE_FOLDER: 'Read',
    });
    expect(() => readSettings({ IMAP_URL: 'https://imap.gemini.edu' })).toThrow('IMAP_URL must be a URL starting with imap:// or imaps://');
  });

  it('reads numbers and URLs, treating blank as unset', () => {
    const settings = readSettings({
      ARCHIVE_CONCURRENCY: ' 8 ',
      DATABASE_URL: 'postgres://u@h/db',
      EMAIL_FROM: '  ',
      LOOKBACK_NIGHTS: '0',
      ARCHIVE_RETRIES: '0',
    });
    expect(settings).toMatchObject({ ARCHIVE_CONCURRENCY: 8, DATABASE_URL: 'postgres://u@h/db', LOOKBACK_NIGHTS: 0, ARCHIVE_RETRIES: 0 });
    expect(settings.EMAIL_FROM).toBeUndefined();
  });

  it.each([
    ['ARCHIVE_CONCURRENCY', 'lots'],
    ['ARCHIVE_CONCURRENCY', '0'],
    ['ARCHIVE_TIMEOUT_MS', '-5'],
    ['ARCHIVE_RETRIES', '2.5'],
    ['SMTP_TIMEOUT_MS', '1e3'],
    ['LOOKBACK_NIGHTS', '99'],
    ['DATABASE_URL', 'mysql://h/db'],
    ['DATABASE_URL', 'not a url'],
    ['ARCHIVE_URL', 'ftp://archive'],
    ['FITS_SERVER_URL', 'mkofits-lv1'],
    ['SMTP_URL', 'http://mail'],
    ['SMTP_URL', 'smtp://alice:pw@mail.gemini.edu?requireTLS=false'],
    ['SMTP_URL', 'smtps://mail.gemini.edu:465?secure=false'],
    ['EMAIL_FROM', 'archive at gemini'],
    ['EMAIL_FROM', 'a@gemini.edu, b@gemini.edu'],
    ['EMAIL_FROM', 'Archive <archive@gemini.edu>; N/A'],
    ['EMAIL_REPLY_TO', 'helpdesk'],
    ['EMAIL_BCC', 'audit@gemini.edu, not-an-address'],
    ['ERRORS_TO', 'ops@gemini.edu,'],
    ['ERRORS_TO', 'Ops <ops@gemini.edu>'],
    ['ARCHIVE_MAX_FAILURES', '0'],
    ['LOG_FORMAT', 'pretty'],
    ['HEALTHCHECK_URL', 'hc-ping.com/abc'],
    ['HEALTHCHECK_URL', 'ftp://hc-ping.com/abc'],
    ['BOUNCE_ADDRESS', 'Bounces <fitsdata-bounces@gemini.edu>'],
    ['BOUNCE_ADDRESS', 'fitsdata-bounces'],
    ['DKIM_DOMAIN', 'gemini .edu'],
    ['DKIM_SELECTOR', '-2026'],
  ])('a malformed %s (%s) is an error naming it', (variable, value) => {
    const error = problem({ [variable]: value });
    expect(error).toBeInstanceOf(SettingError);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('refuses query parameters in SMTP_URL, saying why and never echoing the password', () => {
    const error = problem({ SMTP_URL: 'smtp://alice:s3cret@mail.gemini.edu:587?requireTLS=false&ignoreTLS=true' });
    expect(error.message).toBe(
      'SMTP_URL must not carry query parameters (?…): the job sets TLS itself, and a password only travels inside TLS',
    );
    expect(readSettings({ SMTP_URL: 'smtp://alice:s3cret@mail.gemini.edu:587' }).SMTP_URL).toBe('smtp://alice:s3cret@mail.gemini.edu:587');
  });

  it('reads the address settings once, into checked addresses', () => {
    const settings = readSettings({
      EMAIL_FROM: '  Gemini Observatory Archive <archive@gemini.edu> ',
      EMAIL_REPLY_TO: '"Help, Desk" <helpdesk@gemini.edu>',
      EMAIL_BCC: 'audit@gemini.edu,  copy@gemini.edu ',
      ERRORS_TO: 'ops@gemini.edu',
    });
    expect(settings.EMAIL_FROM).toEqual({ name: 'Gemini Observatory Archive', address: 'archive@gemini.edu' });
    expect(settings.EMAIL_REPLY_TO).toEqual({ name: 'Help, Desk', address: 'helpdesk@gemini.edu' });
    expect(settings.EMAIL_BCC).toEqual(['audit@gemini.edu', 'copy@gemini.edu']);
    expect(settings.ERRORS_TO).toEqual(['ops@gemini.edu']);
  });

  it('reads the bounce and DKIM settings, each needing the others of its group', () => {
    const settings = readSettings({
      BOUNCE_ADDRESS: ' fitsdata-bounces@gemini.edu ',
      BOUNCE_SECRET: 'a3f1c9e07b52d846a3f1c9e07b52d846',
      DKIM_DOMAIN: 'Gemini.EDU',
      DKIM_SELECTOR: 'ygd2026',
      DKIM_PRIVATE_KEY_FILE: '/etc/yougotdata/dkim.pem',
    });
    expect(settings).toMatchObject({ BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.edu', DKIM_DOMAIN: 'gemini.edu', DKIM_SELECTOR: 'ygd2026' });
    expect(problem({ BOUNCE_ADDRESS: 'fitsdata-bounces@gemini.edu' }).message).toBe('BOUNCE_SECRET is required with BOUNCE_ADDRESS');
    expect(problem({ BOUNCE_SECRET: 'a3f1c9e07b52d846a3f1c9e07b52d846' }).message).toBe('BOUNCE_ADDRESS is required with BOUNCE_SECRET');
    expect(problem({ DKIM_DOMAIN: 'gemini.edu', DKIM_SELECTOR: 's' }).message).toBe(
      'DKIM_PRIVATE_KEY_FILE is required with DKIM_DOMAIN and DKIM_SELECTOR',
    );
    expect(problem({ DKIM_PRIVATE_KEY_FILE: '/k.pem' }).variable).toBe('DKIM_DOMAIN');
  });

  it('names a missing required setting and what it is for', () => {
    expect(() => required(readSettings({}), 'DATABASE_URL')).toThrow(/^DATABASE_URL is required: the PostgreSQL database/);
    expect(() => required(readSettings({}), 'EMAIL_FROM')).toThrow(/^EMAIL_FROM is required/);
  });

  it('reads a .env in the working directory, the real environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ygd-env-'));
    writeFileSync(join(dir, '.env'), 'EMAIL_FROM=dotenv@x.org\nARCHIVE_CONCURRENCY=6\n# a comment\nERRORS_TO="ops@x.org"\n');
    const env = environmentWithDotEnv({ ARCHIVE_CONCURRENCY: '2' }, dir);
    expect(readSettings(env)).toMatchObject({
      EMAIL_FROM: { name: null, address: 'dotenv@x.org' },
      ARCHIVE_CONCURRENCY: 2,
      ERRORS_TO: ['ops@x.org'],
    });
    expect(environmentWithDotEnv({ A: '1' }, join(dir, 'nowhere'))).toEqual({ A: '1' });
  });
});
