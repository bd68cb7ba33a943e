import { DAY_MS } from '../../archive/telescope-night.js';
import { siteOf, type TimeWindow } from './sites.js';
import type { IdField, Lookup, Selection, StoredEntry } from './terms.js';

type KeyLookup = Extract<Lookup, { kind: 'key' }>;

/** The archive's order for every answer. */
export function byFileName(a: StoredEntry, b: StoredEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Entries in file-name order, sorted when read: a batch of additions costs one sort. */
class FilenameOrdered {
  #entries: StoredEntry[] = [];
  #sorted = true;

  add(entry: StoredEntry): void {
    this.#entries.push(entry);
    this.#sorted = false;
  }

  remove(entry: StoredEntry): void {
    const at = this.#entries.indexOf(entry);
    if (at >= 0) this.#entries.splice(at, 1);
  }

  clear(): void {
    this.#entries = [];
    this.#sorted = true;
  }

  get entries(): readonly StoredEntry[] {
    if (!this.#sorted) this.#entries.sort(byFileName);
    this.#sorted = true;
    return this.#entries;
  }
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` is UTC without a zone. */
function utMsOf(utDatetime: unknown): number {
  return typeof utDatetime === 'string' ? Date.parse(`${utDatetime.replace(' ', 'T')}Z`) : Number.NaN;
}

export function storedEntry(fields: Record<string, unknown>): StoredEntry {
  const file = fields.name ?? fields.filename;
  if (typeof file !== 'string' || file === '') throw new TypeError('archive stand-in: an entry needs a name or filename');
  return {
    fields,
    json: JSON.stringify(fields),
    name: file.replace(/\.bz2$/, ''),
    utMs: utMsOf(fields.ut_datetime),
    site: siteOf(fields.telescope),
  };
}

function bucket<K>(index: Map<K, FilenameOrdered>, key: K): FilenameOrdered {
  const found = index.get(key) ?? new FilenameOrdered();
  index.set(key, found);
  return found;
}

/** The stand-in's files, indexed by id, file name and UT day so that a search never scans them all. */
export class StandInStore {
  readonly #byName = new Map<string, StoredEntry>();
  readonly #all = new FilenameOrdered();
  readonly #byId: Record<IdField, Map<string, FilenameOrdered>> = {
    program_id: new Map(),
    observation_id: new Map(),
    data_label: new Map(),
  };
  readonly #byDay = new Map<number, FilenameOrdered>();

  /** A file already held (same name) is replaced, as a re-ingested file is on the archive. */
  add(fields: Record<string, unknown>): void {
    const entry = storedEntry(fields);
    const earlier = this.#byName.get(entry.name);
    if (earlier) for (const held of this.#bucketsOf(earlier)) held.remove(earlier);
    this.#byName.set(entry.name, entry);
    for (const held of this.#bucketsOf(entry)) held.add(entry);
  }

  clear(): void {
    this.#byName.clear();
    this.#all.clear();
    for (const index of [...Object.values(this.#byId), this.#byDay]) index.clear();
  }

  get size(): number {
    return this.#byName.size;
  }

  /** The first `limit` files, in file-name order, that every constraint accepts. */
  search(selection: Selection, limit: number): StoredEntry[] {
    const found: StoredEntry[] = [];
    for (const entry of this.#candidates(selection)) {
      if (!selection.constraints.every((constraint) => constraint.accepts(entry))) continue;
      found.push(entry);
      if (found.length >= limit) break;
    }
    return found;
  }

  #bucketsOf(entry: StoredEntry): FilenameOrdered[] {
    const buckets = [this.#all];
    for (const field of Object.keys(this.#byId) as IdField[]) {
      const value = entry.fields[field];
      if (typeof value === 'string') buckets.push(bucket(this.#byId[field], value));
    }
    if (!Number.isNaN(entry.utMs)) buckets.push(bucket(this.#byDay, Math.floor(entry.utMs / DAY_MS)));
    return buckets;
  }

  #candidates(selection: Selection): readonly StoredEntry[] {
    const lookups = selection.constraints.flatMap((constraint) => (constraint.lookup ? [constraint.lookup] : []));
    const key = lookups.find((lookup): lookup is KeyLookup => lookup.kind === 'key');
    if (key) return this.#withKey(key);
    const ut = lookups.find((lookup) => lookup.kind === 'ut');
    return ut ? this.#inWindow(ut.window) : this.#all.entries;
  }

  #withKey({ field, value }: KeyLookup): readonly StoredEntry[] {
    if (field !== 'name') return this.#byId[field].get(value)?.entries ?? [];
    const entry = this.#byName.get(value);
    return entry ? [entry] : [];
  }

  /** Files of the UT days the window touches; the constraints then apply the exact bounds. */
  #inWindow({ start, end }: TimeWindow): readonly StoredEntry[] {
    const days: (readonly StoredEntry[])[] = [];
    for (let day = Math.floor(start / DAY_MS); day <= Math.floor((end - 1) / DAY_MS); day++) {
      const entries = this.#byDay.get(day)?.entries;
      if (entries) days.push(entries);
    }
    return days.length === 1 ? (days[0] as readonly StoredEntry[]) : days.flat().sort(byFileName);
  }
}
