/** "Did you mean …?" for a term the archive did not recognise: a hint for the operator, never applied by itself. */
import { CASELESS_LATE_WORDS, EXACT_WORDS, FLAG_WORDS, INSTRUMENTS, isProgramId, LATE_WORDS } from './selection-grammar.js';
import { TELESCOPES } from './telescope-night.js';

/** Program ids written without their dashes (upper-cased, separators removed), and how to put the dashes back. */
const COMPACT_PROGRAM_IDS: readonly [RegExp, (parts: string[]) => string][] = [
  [
    /^(G[NS])(20\d\d[AB])(QS|SV|DD|LP|FT|DS|CAL|ENG|Q|C)(\d+)$/,
    ([site, semester, type, number]) => `${site}-${semester}-${type}-${number}`,
  ],
  [/^G(20\d\d[AB])(\d+)([CDFLQSVP])$/, ([semester, number, type]) => `G-${semester}-${number}-${type}`],
  [/^(G[NS])?(CAL|ENG)(20\d{6})$/, ([site, type, date]) => `${site ? `${site}-` : ''}${type}${date}`],
];

/** Upper case, letters and digits only: `gn2026bq101` and `GN-2026B-Q-101` compare equal. */
export const compactTerm = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9]/g, '');

function programIdFor(term: string): string | undefined {
  // A separator between two digits may end a program id and start an observation number: guessing would mislead.
  if (/\d[^A-Za-z0-9]+\d/.test(term)) return undefined;
  const compact = compactTerm(term);
  for (const [pattern, format] of COMPACT_PROGRAM_IDS) {
    const match = pattern.exec(compact);
    const candidate = match ? format(match.slice(1)) : undefined;
    if (candidate !== undefined && candidate !== term && isProgramId(candidate)) return candidate;
  }
  return undefined;
}

const VOCABULARY: readonly string[] = [
  ...new Set(
    [EXACT_WORDS, FLAG_WORDS, LATE_WORDS, CASELESS_LATE_WORDS]
      .flatMap((table) => Object.values(table))
      .concat([INSTRUMENTS, TELESCOPES])
      .flat(),
  ),
];

/** Optimal string alignment distance: insertions, deletions, substitutions, and a swap of neighbours (`sceince`), one edit each. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? Infinity) + 1, (current[j - 1] ?? Infinity) + 1, (previous[j - 1] ?? Infinity) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? Infinity) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? Infinity;
}

/** The one known word nearest the term ignoring case (of its spellings, the nearest in case), if near enough. */
function nearestWord(term: string): string | undefined {
  // Two-letter words (LS, AO, F2) are one edit from too many others to guess.
  if (term.length < 3) return undefined;
  const allowed = term.length <= 4 ? 1 : 2;
  const scored = VOCABULARY.map((word) => ({
    word,
    distance: editDistance(term.toLowerCase(), word.toLowerCase()),
    exact: editDistance(term, word),
  }))
    .filter(({ distance }) => distance <= allowed)
    .sort((x, y) => x.distance - y.distance || x.exact - y.exact);
  const best = scored[0];
  if (!best || best.word === term) return undefined;
  const rivals = new Set(scored.filter(({ distance }) => distance === best.distance).map(({ word }) => word.toLowerCase()));
  return rivals.size === 1 ? best.word : undefined;
}

/** The term the operator probably meant, if one stands out. */
export function didYouMean(term: string): string | undefined {
  return programIdFor(term) ?? nearestWord(term);
}
