/**
 * What to do with one notification's night, decided from what the archive returned and what the send record says
 * was announced before. Pure: the pipeline does the asking and the sending.
 */
import type { ArchiveEntry } from '../archive/entry.js';
import { foreignPrograms, type SelectionScope } from '../archive/selection.js';
import { type Mode, profileOf } from '../domain/mode.js';
import type { NightAnnouncements } from '../domain/notice.js';
import type { EmailField } from '../domain/notification.js';

export interface NightFacts {
  mode: Mode;
  /** The archive's answer for the night: every file, announced before or not. */
  entries: readonly ArchiveEntry[];
  /** The program, observation or data label the selection is confined to. */
  scope: SelectionScope;
  /** What earlier messages announced for this notification and night; undefined when nothing, or when forced. */
  announced: NightAnnouncements | undefined;
  /** Whether the notification has anyone to send To. */
  hasRecipients: boolean;
}

export type NightDecision =
  | { kind: 'no-data' }
  /** The archive returned files outside the selection's scope: a widened search, never mailed. */
  | { kind: 'other-programs'; programs: string[]; foreign: number; files: number }
  /** Every file was announced before. */
  | ({ kind: 'already-sent'; files: number } & Gone)
  | ({ kind: 'no-recipients'; field: EmailField; files: number } & Gone)
  /** Send the files never announced; `previous`: what this message follows up, if anything. */
  | ({ kind: 'send'; files: ArchiveEntry[]; answered: number; previous: NightAnnouncements | undefined } & Gone);

/** Announced files the answer no longer holds (deleted, or no longer canonical): worth a log line, never a mail. */
interface Gone {
  gone: string[];
}

export function decideNight(facts: NightFacts): NightDecision {
  const { entries, announced } = facts;
  if (entries.length === 0) return { kind: 'no-data' };
  const foreign = foreignPrograms(facts.scope, entries);
  if (foreign.files > 0) return { kind: 'other-programs', programs: foreign.programs, foreign: foreign.files, files: entries.length };
  const present = new Set(entries.map((entry) => entry.name));
  const gone = announced ? [...announced.files].filter((name) => !present.has(name)) : [];
  const files = announced ? entries.filter((entry) => !announced.files.has(entry.name)) : [...entries];
  if (files.length === 0) return { kind: 'already-sent', files: entries.length, gone };
  if (!facts.hasRecipients) return { kind: 'no-recipients', field: profileOf(facts.mode).to, files: files.length, gone };
  return { kind: 'send', files, answered: entries.length, gone, previous: announced };
}
