import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { SettingError } from './setting-error.js';

export { SettingError } from './setting-error.js';

import { type Address, type EmailAddress, parseAddresses, parseEmailAddress } from '../addresses/index.js';

const url = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

/** Whether a URL carries no `?…`; one that is not a URL at all is for the URL check to say. */
function withoutQuery(value: string): boolean {
  try {
    return new URL(value).search === '';
  } catch {
    return true;
  }
}

/** A whole number from `min` to `max`; the message names the bound a setting can break. */
const integer = (min: 0 | 1, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, min === 1 ? `must be between 1 and ${max}` : `must be at most ${max}`);
const positiveInteger = (max: number) => integer(1, max);
const wholeNumber = (max: number) => integer(0, max);

/** One address, with or without a display name, e.g. `Gemini Archive <archive@gemini.edu>`. */
const oneAddress = z
  .string()
  .trim()
  .min(1)
  .transform((text, context): Address => {
    const parsed = parseAddresses(text);
    const [first] = parsed.addresses;
    if (first && parsed.addresses.length === 1 && parsed.rejected.length === 0) return first;
    context.addIssue({ code: 'custom', message: `must be one email address, e.g. "Gemini Archive <archive@gemini.edu>" (got "${text}")` });
    return z.NEVER;
  });

/** Bare addresses separated by commas. */
const addressList = z
  .string()
  .trim()
  .transform((text, context): EmailAddress[] => {
    const pieces = text === '' ? [] : text.split(',').map((piece) => piece.trim());
    const addresses = pieces.map(parseEmailAddress);
    const bad = addresses.indexOf(null);
    if (bad === -1) return addresses as EmailAddress[];
    context.addIssue({ code: 'custom', message: `must be a comma-separated list of addresses ("${pieces[bad]}" is not one)` });
    return z.NEVER;
  });

/** One bare address, e.g. `fitsdata-bounces@gemini.edu`. */
const bareAddress = z
  .string()
  .trim()
  .transform((text, context): EmailAddress => {
    const address = parseEmailAddress(text);
    if (address) return address;
    context.addIssue({ code: 'custom', message: `must be one bare address, e.g. fitsdata-bounces@gemini.edu (got "${text}")` });
    return z.NEVER;
  });

/** A DNS name of letters, digits and inner hyphens: a DKIM domain, or a selector (one or more labels). */
const dnsName = (example: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/, `must be a DNS name, e.g. ${example}`);

const shape = {
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  ARCHIVE_URL: url(['http:', 'https:']).default('https://archive.gemini.edu'),
  FITS_SERVER_URL: url(['http:', 'https:']).optional(),
  // nodemailer lets a URL's query (`?requireTLS=false`, `?secure=false`) override the job's own TLS rules.
  SMTP_URL: url(['smtp:', 'smtps:'])
    .refine(withoutQuery, 'must not carry query parameters (?…): the job sets TLS itself, and a password only travels inside TLS')
    .default('smtp://localhost:25'),
  EMAIL_FROM: oneAddress.optional(),
  EMAIL_REPLY_TO: oneAddress.optional(),
  EMAIL_BCC: addressList.default([]),
  ERRORS_TO: addressList.default([]),
  ARCHIVE_CONCURRENCY: positiveInteger(64).default(4),
  ARCHIVE_TIMEOUT_MS: positiveInteger(600_000).default(20_000),
  ARCHIVE_RETRIES: wholeNumber(10).default(3),
  SMTP_TIMEOUT_MS: positiveInteger(600_000).default(60_000),
  LOOKBACK_NIGHTS: wholeNumber(30).default(3),
  ARCHIVE_MAX_FAILURES: positiveInteger(1000).default(10),
  LOG_FORMAT: z.enum(['text', 'json'], { message: 'must be text or json' }).default('text'),
  HEALTHCHECK_URL: url(['http:', 'https:']).optional(),
  // The monitor is a third party: by default it learns ids, statuses and counts, never addresses or replies.
  HEALTHCHECK_DETAILS: z.enum(['brief', 'full'], { message: 'must be brief or full' }).default('brief'),
  METRICS_FILE: z.string().trim().min(1).optional(),
  BOUNCE_ADDRESS: bareAddress.optional(),
  BOUNCE_SECRET: z.string().trim().optional(),
  DKIM_DOMAIN: dnsName('gemini.edu').optional(),
  DKIM_SELECTOR: dnsName('yougotdata2026').optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().trim().min(1).optional(),
  IMAP_URL: url(['imap:', 'imaps:']).optional(),
  IMAP_DONE_FOLDER: z.string().trim().min(1).default('Processed'),
} as const;

/** Settings that only make sense together: the first named needs the others. */
const TOGETHER: readonly (readonly (keyof typeof shape)[])[] = [
  ['BOUNCE_ADDRESS', 'BOUNCE_SECRET'],
  ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY_FILE'],
];

const settingsSchema = z.object(shape);
export type Settings = z.output<typeof settingsSchema>;
export type Environment = Readonly<Record<string, string | undefined>>;

/** The process environment over a `.env` in the working directory: the real environment wins. */
export function environmentWithDotEnv(env: Environment, directory: string): Environment {
  const file = join(directory, '.env');
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

/**
 * The process environment over a settings file named on the command line (`bounce --settings`), for a command a mail
 * server runs with no environment of its own: the real environment wins. A file that cannot be read is a setting error.
 */
export function environmentWithFile(env: Environment, file: string): Environment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingError('--settings', `cannot read ${file}: ${(error as Error).message}`);
  }
  return { ...parseEnv(text), ...env };
}

/** Validates every setting once; blank values count as unset. */
export function readSettings(env: Environment): Settings {
  const present = Object.fromEntries(
    Object.keys(shape).flatMap((key) => {
      const value = env[key];
      return value !== undefined && value.trim() !== '' ? [[key, value]] : [];
    }),
  );
  const parsed = settingsSchema.safeParse(present);
  if (parsed.success) {
    for (const group of TOGETHER) {
      const given = group.filter((key) => key in present);
      const missing = group.find((key) => !(key in present));
      if (given.length > 0 && missing) throw new SettingError(missing, `is required with ${given.join(' and ')}`);
    }
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'configuration');
  throw new SettingError(variable, issue?.message ?? 'is malformed');
}

const purposes: Partial<Record<keyof Settings, string>> = {
  DATABASE_URL: 'the PostgreSQL database holding the notification table, e.g. postgres://user@host/fitsdata',
  FITS_SERVER_URL: 'the summit FITS server queried with --check, e.g. http://mkofits-lv1',
  EMAIL_FROM: 'the From address of every message',
  IMAP_URL: 'the bounce mailbox `bounce --imap` reads, e.g. imaps://fitsdata-bounces:password@imap.gemini.edu/INBOX',
};

/** A setting a command cannot run without. */
export function required<K extends keyof Settings>(settings: Settings, key: K): NonNullable<Settings[K]> {
  const value = settings[key];
  if (value === undefined || value === null) {
    throw new SettingError(key, `is required${purposes[key] ? `: ${purposes[key]}` : ''}`);
  }
  return value as NonNullable<Settings[K]>;
}
