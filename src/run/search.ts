/**
 * One archive request per notification for the run's night and its look-back nights: a `nightrange=` search, split
 * by each file's telescope, so catching late data costs the shared archive no more than the old job's one search.
 */
import type { ArchiveAnswer, NightSpan } from '../archive/client.js';
import { ARCHIVE_RESULT_LIMIT, type ArchiveEntry } from '../archive/entry.js';
import { nightOfFile } from '../archive/telescope-night.js';
import type { Night } from '../domain/night.js';

/**
 * What the archive said about one night: its files, or why it could not say (`notTried`: no request was made).
 * `url`: the request actually made.
 */
export type NightAnswer =
  | { ok: true; entries: ArchiveEntry[]; url: string }
  | { ok: false; error: string; url: string; transient: boolean; notTried?: string };

export interface NightSearch {
  /** One per night asked for, in the same order. */
  answers: NightAnswer[];
  /** Why the search went night by night, when it did: it costs the archive more, and a person may want to know. */
  notes: string[];
}

export type SearchFiles = (nights: Night | NightSpan) => Promise<ArchiveAnswer<ArchiveEntry[]>>;

export interface Split {
  byNight: Map<Night, ArchiveEntry[]>;
  /** Files whose night cannot be told (no known telescope, no readable time), or that fall outside the range. */
  unplaced: ArchiveEntry[];
}

/**
 * A range answer's files, each under its night by its telescope's rule (docs/archive.md#nights). Files of nights in
 * the range but not asked for (look-back nights recently found complete) are left out: nobody asked about them.
 */
export function splitByNight(entries: readonly ArchiveEntry[], nights: readonly Night[], span: NightSpan): Split {
  const byNight = new Map<Night, ArchiveEntry[]>(nights.map((night) => [night, []]));
  const unplaced: ArchiveEntry[] = [];
  for (const entry of entries) {
    const night = nightOfFile(entry.telescope, entry.ut_datetime);
    if (night === null || night < span.first || night > span.last) unplaced.push(entry);
    else byNight.get(night)?.push(entry);
  }
  return { byNight, unplaced };
}

const answerOf = (answer: ArchiveAnswer<ArchiveEntry[]>): NightAnswer =>
  answer.ok
    ? { ok: true, entries: answer.value, url: answer.url }
    : { ok: false, error: answer.error, url: answer.url, transient: answer.transient, notTried: answer.notTried };

/**
 * The files of each night asked for, `nights[0]` being the run's night. One request covers them all; the search
 * goes night by night when the range answer may have been cut at the archive's limit, or holds a file whose night
 * cannot be told. When the range request fails, the look-back nights fail with it (the next run asks them again);
 * the run's night is asked alone unless the failure was the server's (down, overloaded), which tonight would share.
 */
export async function searchNights(nights: readonly Night[], search: SearchFiles): Promise<NightSearch> {
  const [tonight, ...earlier] = nights;
  if (tonight === undefined) return { answers: [], notes: [] };
  if (earlier.length === 0) return { answers: [answerOf(await search(tonight))], notes: [] };
  const sorted = [...nights].sort();
  const span: NightSpan = { first: sorted[0] as Night, last: sorted.at(-1) as Night };
  const range = await search(span);
  if (!range.ok) {
    // A server down fails tonight's search too: asked again only when the range itself was the trouble.
    const alone = range.transient ? range : await search(tonight);
    return { answers: [answerOf(alone), ...earlier.map(() => answerOf(range))], notes: [] };
  }
  const split = splitByNight(range.value, nights, span);
  const cut = range.value.length >= ARCHIVE_RESULT_LIMIT;
  if (!cut && split.unplaced.length === 0) {
    return { answers: nights.map((night) => ({ ok: true, entries: split.byNight.get(night) ?? [], url: range.url })), notes: [] };
  }
  const why = cut
    ? `the range answer reached the archive's limit of ${ARCHIVE_RESULT_LIMIT} files and may be cut`
    : `${split.unplaced.length} file(s) of the range answer have no telescope or UT time to tell their night (${split.unplaced
        .slice(0, 3)
        .map((entry) => entry.name)
        .join(', ')}${split.unplaced.length > 3 ? ', …' : ''})`;
  const answers = await Promise.all(nights.map(async (night) => answerOf(await search(night))));
  return { answers, notes: [`${why}: asked night by night instead`] };
}
