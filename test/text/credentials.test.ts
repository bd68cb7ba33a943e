import { describe, expect, it } from 'vitest';
import { maskCredentials } from '../../src/text/credentials.js';

describe('maskCredentials', () => {
  it.each([
    ['smtps://user:pa%24s@mail.x.org:465', 'smtps://user:***@mail.x.org:465'],
    ['postgres://fits:s3cret@db.gemini.edu/fitsdata', 'postgres://fits:***@db.gemini.edu/fitsdata'],
    ['smtp://:only-a-password@mail', 'smtp://:***@mail'],
    // An @ the person did not encode: the password runs to the last @ before the host.
    ['postgres://fits:p@ss@db/fitsdata', 'postgres://fits:***@db/fitsdata'],
    ['SMTP://User:Pw@Mail.X.Org', 'SMTP://User:***@Mail.X.Org'],
    [
      'connect to postgres://a:1@h1/x failed, then smtp://b:2@h2:25 refused',
      'connect to postgres://a:***@h1/x failed, then smtp://b:***@h2:25 refused',
    ],
    [
      '{"url":"https://reader:pw@archive.test/jsonsummary/night=20261126"}',
      '{"url":"https://reader:***@archive.test/jsonsummary/night=20261126"}',
    ],
  ])('masks the password of %j by its place in the URL', (text, masked) => {
    expect(maskCredentials(text)).toBe(masked);
  });

  it.each([
    // A password "p" or "e" masked by its text would have turned these into "unex***ectedly" and "***rror".
    'Connection terminated unexpectedly',
    'error: password authentication failed for user "fits"',
    'postgres://fits@db/fitsdata',
    'smtp://mail.x.org:25',
    'https://archive.gemini.edu/jsonsummary/night=20261126/GN-2026B-Q-101/science',
    'mailto:jane@uni.edu and jane@uni.edu',
    'time 08:00:12, ratio 1:2 @ 3',
    'smtp://mail:25 and then a@b: nothing between them is a password',
  ])('leaves %j as it is: no URL password in it', (text) => {
    expect(maskCredentials(text)).toBe(text);
  });
});
