/** `1 file`, `3 files`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Clauses as one sentence: the first letter a capital, a full stop unless it already ends in one (or `?`, `!`). */
export const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.?!]$/.test(text) ? '' : '.'}`;

/** The first `max` items joined by `, `, then how many more there are (of `total`, when only the first were given). */
export function someOf(items: readonly string[], max = 5, total = items.length): string {
  const shown = items.slice(0, max).join(', ');
  return total > max ? `${shown} and ${total - max} more` : shown;
}

/** Cut to `limit` UTF-16 units with an ellipsis, never between the two halves of an emoji or other astral character. */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const end = /[\ud800-\udbff]/.test(text.charAt(limit - 2)) ? limit - 2 : limit - 1;
  return `${text.slice(0, end)}…`;
}
