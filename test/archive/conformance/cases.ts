/**
 * A conformance case: a selection as a notification row holds it, how FitsStorage's own parser reads it, and what
 * yougotdata does with it before any search. The tables beside this file are data; conformance.test.ts checks the
 * job's selection check and the archive stand-in against every row.
 */
import type { Scope } from '../../../src/archive/selection-grammar.js';

/** How FitsStorage reads a selection: as a search, or not at all (it fails, HTTP 500). */
export type ArchiveReading =
  | {
      /** The terms it does not recognise and drops, widening the search. */
      readonly dropped: readonly string[];
      /** The program, observation or data label it keeps. */
      readonly scope: Scope | null;
      /** Whether it reads a date, night or range out of the selection. */
      readonly date: boolean;
      /** Ids it ignores without a word: named, but neither kept nor containing the id kept. */
      readonly ignored: readonly string[];
    }
  | 'server-error';

/** What the job does: search at once, ask the archive's summary page first, or refuse the row. */
export type JobAction = 'search' | 'confirm' | 'refuse';

/** Where yougotdata refuses what FitsStorage reads, and why (docs/archive.md says each). */
export type Stricter = 'earlier-release-date' | 'defaults' | 'too-long-for-url';

export interface ConformanceCase {
  readonly selection: string;
  readonly archive: ArchiveReading;
  readonly job: JobAction;
  readonly stricter?: Stricter;
}

/** A table: where its cases come from, in a sentence, and the cases. */
export interface ConformanceTable {
  readonly source: string;
  readonly cases: readonly ConformanceCase[];
}

export const program = (id: string): Scope => ({ kind: 'program', id });
export const observation = (id: string): Scope => ({ kind: 'observation', id });
export const dataLabel = (id: string): Scope => ({ kind: 'dataLabel', id });

/** FitsStorage reads every term, and keeps `scope` if given. */
export const reads = (scope: Scope | null = null, ignored: readonly string[] = []): ArchiveReading => ({
  dropped: [],
  scope,
  date: false,
  ignored,
});

/** FitsStorage drops these terms (and keeps `scope` if given). */
export const drops = (dropped: readonly string[], scope: Scope | null = null): ArchiveReading => ({
  dropped,
  scope,
  date: false,
  ignored: [],
});

/** FitsStorage reads a date, night or range out of it (and keeps `scope` if given). */
export const dated = (scope: Scope | null = null): ArchiveReading => ({ dropped: [], scope, date: true, ignored: [] });

export const fails = 'server-error';

export const row = (selection: string, archive: ArchiveReading, job: JobAction, stricter?: Stricter): ConformanceCase =>
  stricter === undefined ? { selection, archive, job } : { selection, archive, job, stricter };
