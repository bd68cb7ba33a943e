/**
 * The lexical units of a free-text address field. `,` `;` and line breaks are separators; a quoted string, a comment
 * and an angle-addr are each one token, so a comma inside them separates nothing; any other run of characters is a word.
 */
export type TokenKind = 'separator' | 'word' | 'quoted' | 'comment' | 'angle';

export interface Token {
  kind: TokenKind;
  /** As typed, delimiters included. */
  text: string;
  start: number;
  end: number;
}

/** A line break separates people too: a field is often one person per line, and `N/A` on one line is nobody's name. */
const SEPARATOR = /[,;\n\r\v\f\u0085\u2028\u2029]/;
/** Other whitespace (spaces, tabs, no-break spaces) and control characters only ever part words. */
const BREAK = /[\s\p{Cc}]/u;
const WORD_ENDS = new Set(['"', '(', ')', '<', '>']);

/**
 * A line of mail is at most 998 characters: a quoted name, comment or angle-addr longer than that is not one. Looking
 * no further for its end also keeps a field of junk (a megabyte of `(`) linear instead of quadratic.
 */
const MAX_DELIMITED = 998;

const scanEnd = (field: string, start: number) => Math.min(field.length, start + MAX_DELIMITED);

/** Just past the `"` closing the quoted string opening at `start`, or -1 when it is never closed. */
function quotedEnd(field: string, start: number): number {
  for (let at = start + 1; at < scanEnd(field, start); at++) {
    const char = field.charAt(at);
    if (char === '\\') at++;
    else if (char === '"') return at + 1;
  }
  return -1;
}

/** Just past the `)` closing the comment opening at `start` (comments nest), or -1 when it is never closed. */
function commentEnd(field: string, start: number): number {
  let depth = 0;
  for (let at = start; at < scanEnd(field, start); at++) {
    const char = field.charAt(at);
    if (char === '\\') at++;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return at + 1;
  }
  return -1;
}

/** Just past the `>` closing the angle-addr opening at `start`, or -1 when a separator or another `<` comes first. */
function angleEnd(field: string, start: number): number {
  for (let at = start + 1; at < scanEnd(field, start); at++) {
    const char = field.charAt(at);
    if (char === '>') return at + 1;
    if (char === '<' || SEPARATOR.test(char)) return -1;
  }
  return -1;
}

function endsWord(char: string): boolean {
  return SEPARATOR.test(char) || BREAK.test(char) || WORD_ENDS.has(char);
}

function wordEnd(field: string, start: number): number {
  let at = start;
  while (at < field.length && !endsWord(field.charAt(at))) at++;
  return at;
}

const DELIMITED = new Map<string, { kind: TokenKind; end: (field: string, start: number) => number }>([
  ['"', { kind: 'quoted', end: quotedEnd }],
  ['(', { kind: 'comment', end: commentEnd }],
  ['<', { kind: 'angle', end: angleEnd }],
]);

/**
 * Splits a field into tokens. An unclosed `"`, `(` or `<` and a stray `)` or `>` are passed over like whitespace:
 * honoured, an unclosed opener would swallow every address after it.
 */
export function tokenize(field: string): Token[] {
  const tokens: Token[] = [];
  const push = (kind: TokenKind, start: number, end: number) => tokens.push({ kind, text: field.slice(start, end), start, end });
  let at = 0;
  while (at < field.length) {
    const char = field.charAt(at);
    const delimited = DELIMITED.get(char);
    const end = delimited ? delimited.end(field, at) : -1;
    if (delimited && end > 0) {
      push(delimited.kind, at, end);
      at = end;
    } else if (SEPARATOR.test(char)) {
      push('separator', at, at + 1);
      at++;
    } else if (BREAK.test(char) || WORD_ENDS.has(char)) {
      at++;
    } else {
      const wordStop = wordEnd(field, at);
      push('word', at, wordStop);
      at = wordStop;
    }
  }
  return tokens;
}

/** What a token holds: a word as typed, the inside of the others. */
export function content(token: Token): string {
  return token.kind === 'word' ? token.text : token.text.slice(1, -1);
}
