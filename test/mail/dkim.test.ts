import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingError } from '../../src/config/setting-error.js';
import { dkimSigningOf, dkimZoneLine } from '../../src/mail/dkim.js';

const dir = mkdtempSync(join(tmpdir(), 'ygd-dkim-'));
const keyFile = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const pem = (type: 'rsa' | 'ed25519', bits = 2048) => {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ed25519');
  return { key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pair };
};
const settings = (file: string) => ({ DKIM_DOMAIN: 'gemini.edu', DKIM_SELECTOR: 'ygd2026', DKIM_PRIVATE_KEY_FILE: file });
const failure = (file: string) => {
  try {
    dkimSigningOf(settings(file));
  } catch (error) {
    return error as SettingError;
  }
  throw new Error('no error');
};

describe('the DKIM key', () => {
  it('is read once, with the DNS record computed from it', () => {
    const { key, pair } = pem('rsa');
    const signing = dkimSigningOf(settings(keyFile('rsa.pem', key)));
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(signing).toEqual({
      domainName: 'gemini.edu',
      keySelector: 'ygd2026',
      privateKey: key,
      recordName: 'ygd2026._domainkey.gemini.edu',
      recordValue: `v=DKIM1; k=rsa; p=${spki}`,
    });
  });

  it('writes the record as a zone file line, split into TXT strings of at most 255 characters', () => {
    const signing = dkimSigningOf(settings(keyFile('rsa2.pem', pem('rsa').key)));
    if (!signing) throw new Error('no signing');
    const line = dkimZoneLine(signing);
    expect(line.startsWith('ygd2026._domainkey.gemini.edu. IN TXT "v=DKIM1; k=rsa; p=')).toBe(true);
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] as string);
    expect(strings.length).toBeGreaterThan(1);
    expect(strings.every((s) => s.length <= 255)).toBe(true);
    expect(strings.join('')).toBe(signing.recordValue);
  });

  it('is off without DKIM_DOMAIN', () => {
    expect(dkimSigningOf({})).toBeNull();
  });

  it.each([
    ['a file that does not exist', () => join(dir, 'missing.pem'), /^DKIM_PRIVATE_KEY_FILE cannot be read: ENOENT/],
    ['a file that is not a key', () => keyFile('junk.pem', 'hello\n'), /^DKIM_PRIVATE_KEY_FILE is not a PEM private key/],
    [
      'a public key',
      () => keyFile('pub.pem', pem('rsa').pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      /is not a PEM private key/,
    ],
    ['an Ed25519 key', () => keyFile('ed.pem', pem('ed25519').key), /holds an ed25519 key; the job signs with RSA \(rsa-sha256\) only/],
    ['a 512-bit RSA key', () => keyFile('small.pem', pem('rsa', 512).key), /holds a 512-bit RSA key, which receivers ignore/],
  ])('refuses %s as a setting error on one line', (_what, file, message) => {
    const error = failure(file());
    expect(error).toBeInstanceOf(SettingError);
    expect(error.variable).toBe('DKIM_PRIVATE_KEY_FILE');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});
