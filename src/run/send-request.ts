/**
 * What `send` is asked to do, read from its options and the settings before anything is opened: a setting missing or
 * malformed stops the command (exit 2) before any work.
 */
import { required, type Settings } from '../config/settings.js';
import { type Mode, profileOf } from '../domain/mode.js';
import { nightsText, parseNights } from '../domain/night.js';
import type { Sender } from './compose.js';
import type { SendRequest } from './send-run.js';

/** The options of `send` that say what to do (the others say how to show it). */
export interface SendAsked {
  date: string;
  check: boolean;
  dryRun: boolean;
  match?: string;
  force: boolean;
  concurrency?: number;
}

/** The request of a run, but the bounces to tell (read once the database is open; a dry run tells nobody of them). */
export interface SendSetup extends Omit<SendRequest, 'bounces' | 'bouncesReadAt'> {
  databaseUrl: string;
  /** Archive requests in flight at most. */
  concurrency: number;
  /** Connections of the run's database pool (the run lock holds one more of its own). */
  poolSize: number;
  /** How messages and the breaker name the server the mode searches. */
  serverName: string;
  /** The nights as one text: `YYYYMMDD`, or `A..B` for a range. */
  date: string;
}

/** A dry run needs a From to compose messages, but never sends them. */
const DRY_RUN_FROM = { name: 'yougotdata', address: 'dry-run@localhost.localdomain' } as Sender['from'];

/** The server a mode searches: the archive (PI) or the summit FITS server (CHECK). */
export function serverOf(settings: Settings, mode: Mode): string {
  return required(settings, profileOf(mode).server.setting);
}

/** Every setting the run needs, checked in the order the command has always named them: nights, database, server, From. */
export function sendSetupOf(asked: SendAsked, settings: Settings, now: Date): SendSetup {
  const mode: Mode = asked.check ? 'check' : 'pi';
  const nights = parseNights(asked.date, now);
  const databaseUrl = required(settings, 'DATABASE_URL');
  const base = serverOf(settings, mode);
  const from = asked.dryRun ? (settings.EMAIL_FROM ?? DRY_RUN_FROM) : required(settings, 'EMAIL_FROM');
  const concurrency = asked.concurrency ?? settings.ARCHIVE_CONCURRENCY;
  return {
    nights,
    mode,
    force: asked.force,
    match: asked.match,
    base,
    sender: { from, replyTo: settings.EMAIL_REPLY_TO },
    bcc: settings.EMAIL_BCC,
    errorsTo: settings.ERRORS_TO,
    lookbackNights: settings.LOOKBACK_NIGHTS,
    // Twice the archive's concurrency, so the archive stays busy while some workers wait on the database and SMTP.
    // Each worker submits at most one message at a time: a crash re-sends at most this many
    // (docs/commands.md#delivery-guarantee), so a change here changes what that section promises.
    workers: concurrency * 2,
    databaseUrl,
    concurrency,
    // A worker holds a connection for one short statement at a time: a few serve them all, and the cap keeps a high
    // --concurrency from taking many of the server's connections.
    poolSize: Math.min(concurrency, 8) + 1,
    serverName: profileOf(mode).server.name,
    date: nightsText(nights),
  };
}
