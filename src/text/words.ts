/** `1 file`, `3 files`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The first letter a capital. */
export const capitalised = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** Clauses as one sentence: the first letter a capital, a full stop unless it already ends in one (or `?`, `!`). */
export const sentence = (text: string): string => `${capitalised(text)}${/[.?!]$/.test(text) ? '' : '.'}`;

/** The first `max` items joined by `, `, then how many more there are (of `total`, when only the first were given). */
export function someOf(items: readonly string[], max = 5, total = items.length): string {
  const shown = items.slice(0, max).join(', ');
  return total > max ? `${shown} and ${total - max} more` : shown;
}

/**
 * `text` cut to `limit` characters, the last an ellipsis; with `countLeftOut`, `limit` characters kept and then
 * `… (N more characters)`. Characters are code points, so an emoji or other astral character is never cut in half.
 */
export function clip(text: string, limit: number, { countLeftOut = false } = {}): string {
  // A string's UTF-16 length is never less than its code points: most text is done here, without counting.
  if (text.length <= limit) return text;
  const whole = indexAfter(text, limit);
  if (whole === text.length) return text;
  if (countLeftOut) return `${text.slice(0, whole)}… (${codePointsFrom(text, whole)} more characters)`;
  return `${text.slice(0, indexAfter(text, limit - 1))}…`;
}

const unitsOf = (text: string, at: number): number => ((text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1);

/** The UTF-16 index after the first `count` code points of `text`, or its length when it has fewer. */
function indexAfter(text: string, count: number): number {
  let at = 0;
  for (let n = 0; n < count && at < text.length; n += 1) at += unitsOf(text, at);
  return at;
}

/** How many code points `text` has from `start`, counted in place: a field may hold megabytes. */
function codePointsFrom(text: string, start: number): number {
  let n = 0;
  for (let at = start; at < text.length; at += unitsOf(text, at)) n += 1;
  return n;
}
