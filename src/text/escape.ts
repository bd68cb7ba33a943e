/**
 * Text from the notification table or the archive is typed by people and may hold anything. On a terminal an ESC
 * starts a control sequence (cursor moves, colours, a forged line), BEL rings, CR overwrites what was printed, and
 * a bidi control reorders the line: each is shown as an escape instead, so support reads what is stored.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `ab\x1b[2Jcd` → `ab\x1b[2Jcd` with the ESC written as the four characters `\x1b`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON text with each of those characters written as `\uXXXX`: the same value to a parser, nothing raw for a
 * terminal or a log viewer. JSON.stringify escapes C0 itself but leaves DEL, C1 (U+009B is a CSI) and the bidi
 * controls raw. A line feed, which ends a JSON line, is kept.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(UNSAFE, (char) => (char === '\n' ? char : `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`));
}

/** `JSON.stringify(value)`, with escapeJsonControls: what every JSON document and line of the job is written with. */
export const jsonText = (value: unknown): string => escapeJsonControls(JSON.stringify(value));
