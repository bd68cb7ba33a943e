import addressparser from 'nodemailer/lib/addressparser';
import { type EmailAddress, parseEmailAddress } from './email-address.js';
import { type Address, firstSightings } from './recipients.js';
import { content, type Token, tokenize } from './tokens.js';

export interface ParsedAddresses {
  addresses: Address[];
  /** Pieces of the field that are not addresses, as typed: reported, never sent to. */
  rejected: string[];
}

/** One person: the words before the address, the address, and a comment right after it. */
interface Mailbox {
  kind: 'mailbox';
  name: Token[];
  address: Token;
  comment: Token | undefined;
}

/** Words that met a separator, or the end of the field, without an address. */
interface Loose {
  kind: 'loose';
  words: Token[];
  beforeComma: boolean;
}

type Piece = Mailbox | Loose;

/** Joining words between two people (`a@x.org and b@y.org`), not part of anyone's name. */
const CONNECTORS = new Set(['and', '&', '/']);
const LONE_ADDRESS = /^\S+@\S+$/;

/**
 * A word holding `@`, an angle-addr, or a quoted string or comment holding only an address (`"j@d.org"`,
 * `John Doe (j@d.org)`); but `"j@d.org" <j@d.org>`, as mail programs paste it, is a name and then the address.
 */
function isAddress(token: Token, next: Token | undefined): boolean {
  switch (token.kind) {
    case 'angle':
      return true;
    case 'word':
      return token.text.includes('@');
    case 'quoted':
    case 'comment':
      return next?.kind !== 'angle' && LONE_ADDRESS.test(content(token).trim());
    case 'separator':
      return false;
  }
}

/** A person ends at their address, not at a comma: so `a@x.org Ann b@y.org` is two people and `Doe, John <j@d.org>` one. */
function piecesOf(tokens: readonly Token[]): Piece[] {
  const pieces: Piece[] = [];
  let words: Token[] = [];
  tokens.forEach((token, at) => {
    const last = pieces.at(-1);
    if (token.kind === 'separator') {
      if (words.length > 0) pieces.push({ kind: 'loose', words, beforeComma: token.text === ',' });
      words = [];
    } else if (isAddress(token, tokens[at + 1])) {
      pieces.push({ kind: 'mailbox', name: words, address: token, comment: undefined });
      words = [];
    } else if (token.kind === 'comment' && last?.kind === 'mailbox' && last.address === tokens[at - 1]) {
      last.comment = token;
    } else if (words.length > 0 || !CONNECTORS.has(token.text.toLowerCase())) {
      words.push(token);
    }
  });
  if (words.length > 0) pieces.push({ kind: 'loose', words, beforeComma: false });
  return pieces;
}

/** A word of a surname: letters, with the dots, apostrophes and hyphens of `St. John`, `O'Brien`, `Smith-Jones`. */
const NAME_WORD = /^\p{L}[\p{L}\p{M}.'’-]*$/u;
const QUOTE_MARKS = /^["'“”‘’«»]+|["'“”‘’«»]+$/gu;
/** What people type for "no address yet": never the surname of the person after it. */
const PLACEHOLDERS = new Set(['none', 'nil', 'null', 'tbd', 'tba', 'unknown']);

/** `Doe` in `Doe, John <j@d.org>`: name-like words, then a comma, then a person with a name of their own. */
function isSurname(piece: Loose, next: Piece | undefined): boolean {
  return (
    piece.beforeComma &&
    next?.kind === 'mailbox' &&
    next.name.length > 0 &&
    piece.words.every(
      (word) => word.kind === 'word' && NAME_WORD.test(word.text.replace(QUOTE_MARKS, '')) && !PLACEHOLDERS.has(word.text.toLowerCase()),
    )
  );
}

/** Whitespace runs become one space and control characters go, so no text of ours can carry a header line break. */
function printable(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
}

/** Longer than any person's name: junk typed before an address, never a header of ours. */
const MAX_NAME = 200;

function displayName(parts: string[], address: EmailAddress): string | null {
  const name = printable(parts.filter((part) => part !== '').join(', '))
    .replace(QUOTE_MARKS, '')
    .trim();
  return name === '' || name.length > MAX_NAME || name.toLowerCase() === address.toLowerCase() ? null : name;
}

const OPENING_MARKS = /^["'“”‘’«»[(<]+/u;
const CLOSING_MARKS = /["'“”‘’«»\])>.]+$/u;
const MAILTO = /^mailto:/i;

/** Strips what people wrap an address in: quotes, brackets, `mailto:`, and the full stop ending their sentence. */
function bareAddress(text: string): string {
  return text.trim().replace(OPENING_MARKS, '').replace(MAILTO, '').replace(CLOSING_MARKS, '');
}

/**
 * nodemailer reads the one mailbox this module found (quoted names and their escapes, comments, `Group:` prefixes
 * such as `mailto:`); it is given the address in angle brackets, so only the name is left to its judgement.
 */
function readMailbox(mailbox: Mailbox, surname: Loose | undefined): Address | null {
  const source = [...mailbox.name.map((token) => token.text), `<${content(mailbox.address)}>`, mailbox.comment?.text ?? ''].join(' ');
  const [entry, ...more] = addressparser(source, { flatten: true });
  if (!entry || more.length > 0) return null;
  const address = parseEmailAddress(bareAddress(entry.address));
  if (!address) return null;
  const surnameText = surname?.words.map((word) => word.text).join(' ') ?? '';
  return { name: displayName([surnameText, entry.name], address), address };
}

/** A rejected piece as it was typed, from its first token to its last (never an empty list). */
function typed(field: string, tokens: readonly Token[]): string {
  return printable(field.slice(tokens.at(0)?.start, tokens.at(-1)?.end));
}

function tokensOf(mailbox: Mailbox, surname: Loose | undefined): Token[] {
  return [...(surname?.words ?? []), ...mailbox.name, mailbox.address, ...(mailbox.comment ? [mailbox.comment] : [])];
}

/**
 * Reads an email field of the `notification` table, free text typed by people: any mix of `,` `;` line breaks,
 * whitespace, ` and ` and ` / ` between people, each written as `addr`, `Name <addr>`, `"Last, First" <addr>`, `Last, First <addr>`,
 * `addr (Name)`, `Name addr` or `mailto:addr`. Every address is validated; what is not one comes back in `rejected`.
 * Addresses keep the case they were typed in and appear once each, compared case-insensitively.
 */
export function parseAddresses(field: string | null | undefined): ParsedAddresses {
  const text = field ?? '';
  const pieces = piecesOf(tokenize(text));
  const addresses: Address[] = [];
  const rejected: string[] = [];
  let surname: Loose | undefined;
  pieces.forEach((piece, at) => {
    if (piece.kind === 'loose') {
      if (isSurname(piece, pieces[at + 1])) surname = piece;
      else rejected.push(typed(text, piece.words));
      return;
    }
    const address = readMailbox(piece, surname);
    if (address) addresses.push(address);
    else rejected.push(typed(text, tokensOf(piece, surname)));
    surname = undefined;
  });
  return { addresses: addresses.filter(firstSightings()), rejected };
}
