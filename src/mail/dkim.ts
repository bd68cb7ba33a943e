/**
 * DKIM signing by the job (docs/sending.md#dkim): the key is read and checked once, at the start of a command that
 * sends, so a key that cannot be used is a setting error (exit 2) and not a failed message per row.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SettingError } from '../config/setting-error.js';
import type { Settings } from '../config/settings.js';

/** What nodemailer's `dkim` option takes, and the DNS record the receivers look the public key up in. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  /** PEM. */
  privateKey: string;
  /** `<selector>._domainkey.<domain>`. */
  recordName: string;
  /** The TXT record's value, `v=DKIM1; k=rsa; p=…`. */
  recordValue: string;
}

/** RFC 8301: verifiers ignore signatures of smaller RSA keys. */
const MIN_RSA_BITS = 1024;
/** A TXT record is made of strings of at most 255 bytes each; a longer value is split for a zone file. */
const TXT_STRING = 255;
const NEW_KEY = 'make one with "openssl genrsa -out dkim.pem 2048"';

/** The signing the settings ask for, null without DKIM_DOMAIN; throws a SettingError for a key it cannot use. */
export function dkimSigningOf(settings: Pick<Settings, 'DKIM_DOMAIN' | 'DKIM_SELECTOR' | 'DKIM_PRIVATE_KEY_FILE'>): DkimSigning | null {
  const { DKIM_DOMAIN: domain, DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY_FILE: file } = settings;
  if (!domain || !selector || !file) return null;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingError('DKIM_PRIVATE_KEY_FILE', `cannot be read: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SettingError('DKIM_PRIVATE_KEY_FILE', `is not a PEM private key without a passphrase (${file}): ${NEW_KEY}`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new SettingError(
      'DKIM_PRIVATE_KEY_FILE',
      `holds an ${key.asymmetricKeyType} key; the job signs with RSA (rsa-sha256) only: ${NEW_KEY}`,
    );
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new SettingError('DKIM_PRIVATE_KEY_FILE', `holds a ${bits}-bit RSA key, which receivers ignore: ${NEW_KEY}`);
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    domainName: domain,
    keySelector: selector,
    privateKey: pem,
    recordName: `${selector}._domainkey.${domain}`,
    recordValue: `v=DKIM1; k=rsa; p=${publicKey}`,
  };
}

/** The record as a zone file line, its value split into the strings of at most 255 characters a TXT record holds. */
export function dkimZoneLine(signing: Pick<DkimSigning, 'recordName' | 'recordValue'>): string {
  const strings: string[] = [];
  for (let at = 0; at < signing.recordValue.length; at += TXT_STRING) strings.push(signing.recordValue.slice(at, at + TXT_STRING));
  return `${signing.recordName}. IN TXT ${strings.map((text) => `"${text}"`).join(' ')}`;
}
