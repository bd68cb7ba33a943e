import { toASCII, toUnicode } from 'tr46';

declare const emailBrand: unique symbol;

/** An address that passed `parseEmailAddress`: the only kind the send path accepts. */
export type EmailAddress = string & { readonly [emailBrand]: true };

/**
 * Letters, digits and `. _ + - '` in dot-separated runs. RFC 5322 allows more (`! # $ % & * / = ? ^ { | } ~`),
 * but in a field typed by people those are far likelier to be junk than a real mailbox, so such pieces are rejected.
 * The local part stays ASCII: a UTF-8 one needs SMTPUTF8, which a relay may not offer.
 */
const LOCAL_PART = /^[A-Za-z0-9_+'-]+(?:\.[A-Za-z0-9_+'-]+)*$/;

/**
 * A domain may be an IDN as typed (`müller.de`). Whether it is one is decided here, with the UTS #46 tables of tr46
 * (a dependency, locked), not by node's `domainToASCII`, whose verdicts change with the Node version: Node 24 lets
 * any `xn--` label through, Node 20 maps `ẞ` to `ss`. nodemailer encodes with that mapper, so the send path hands it
 * the ASCII form made here (`asciiAddress`), which it leaves as it is: the domain checked is the domain mailed.
 */
const IDNA = {
  // The options of the WHATWG URL standard, those node's own mapper and so nodemailer use.
  checkBidi: true,
  checkJoiners: true,
  checkHyphens: false,
  useSTD3ASCIIRules: false,
  transitionalProcessing: false,
  verifyDNSLength: false,
} as const;
/** Letters, digits, combining marks and inner hyphens: in a label as typed, and in what an `xn--` label decodes to. */
const DOMAIN_CHARACTERS = /^[\p{L}\p{M}\p{N}.-]+$/u;
const UNICODE_LABEL = /^(?!-)[\p{L}\p{M}\p{N}-]+(?<!-)$/u;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TOP_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const A_LABEL = /^xn--/i;

const MAX_LOCAL_PART = 64;
const MAX_ADDRESS = 254;
const MAX_DOMAIN = 253;

/** Domains repeat from row to row (a few institutes), and the mapping is the costly part of reading an address. */
const knownDomains = new Map<string, string | null>();
const KNOWN_DOMAINS_LIMIT = 10_000;

/**
 * The domain's ASCII form (lower case, IDN labels as `xn--`) when it is a real host name with at least one dot,
 * else null. The same on every Node version.
 */
export function asciiDomain(domain: string): string | null {
  const known = knownDomains.get(domain);
  if (known !== undefined) return known;
  if (knownDomains.size >= KNOWN_DOMAINS_LIMIT) knownDomains.clear();
  const ascii = mappedDomain(domain);
  knownDomains.set(domain, ascii);
  return ascii;
}

/** Letters, digits, `-` and `.` and no A-label: UTS #46 only lower-cases these, and most domains are such. */
const PLAIN_ASCII = /^(?!.*(?:^|\.)xn--)[a-z0-9.-]+$/i;

function mappedDomain(domain: string): string | null {
  if (!DOMAIN_CHARACTERS.test(domain)) return null;
  const ascii = PLAIN_ASCII.test(domain) ? domain.toLowerCase() : toASCII(domain, IDNA);
  if (ascii === null || ascii.length > MAX_DOMAIN) return null;
  const labels = ascii.split('.');
  const top = labels.at(-1) ?? '';
  if (labels.length < 2 || !labels.every((label) => HOST_LABEL.test(label)) || !TOP_LABEL.test(top)) return null;
  if (!ascii.includes('xn--')) return ascii;
  // Each `xn--` label must decode to what could have been typed, and one typed as such be the one encoding of that.
  const unicode = toUnicode(ascii, IDNA);
  if (unicode.error || !unicode.domain.split('.').every((label) => UNICODE_LABEL.test(label))) return null;
  const typed = domain.split('.');
  const canonical =
    typed.length === labels.length && typed.every((label, at) => !A_LABEL.test(label) || label.toLowerCase() === labels[at]);
  return canonical ? ascii : null;
}

/** One bare address (`local@domain.tld`, surrounding whitespace ignored), kept as typed; null unless valid. */
export function parseEmailAddress(text: string): EmailAddress | null {
  const address = text.trim();
  const parts = address.split('@');
  if (parts.length !== 2) return null;
  const [local = '', domain = ''] = parts;
  const valid = local.length <= MAX_LOCAL_PART && address.length <= MAX_ADDRESS && LOCAL_PART.test(local) && asciiDomain(domain) !== null;
  return valid ? (address as EmailAddress) : null;
}

/** The address as it goes into the envelope and the header: the local part as typed, the domain in its ASCII form. */
export function asciiAddress(address: EmailAddress): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  return `${address.slice(0, at)}@${asciiDomain(domain) ?? domain}`;
}

/** What two addresses are compared by: case-insensitive, and an IDN equal to its `xn--` form. */
export function addressKey(address: EmailAddress): string {
  return asciiAddress(address).toLowerCase();
}

/**
 * What addresses are compared by everywhere in this tool, checked or not (a report's, a server's): the address key,
 * or for text that is no address, the text in lower case.
 */
export const comparedAs = (text: string): string => {
  const address = parseEmailAddress(text);
  return address ? addressKey(address) : text.toLowerCase();
};

/** Whether two texts name one address: a server's accepted list holds the `xn--` form sent, a record the address as typed. */
export const sameAddress = (a: string, b: string): boolean => comparedAs(a) === comparedAs(b);
