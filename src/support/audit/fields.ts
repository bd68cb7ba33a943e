/**
 * Problems of a row's email fields (no PI or contact scientist address, pieces that are not addresses, fields of
 * megabytes) and of a selection far too long to be real.
 */

import { EMAIL_FIELDS, type EmailField } from '../../domain/notification.js';
import { plural, someOf } from '../../text/words.js';
import { FIELD_ROLE, type FixChange, fixAdvice } from '../program-sync.js';
import type { Finding, ProblemKind } from './problem.js';
import { type FieldReading, MAX_EMAIL_FIELD, MAX_SELECTION, type RowReading } from './row-reading.js';
import { addressList, backToSynced, quoted } from './wording.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** What the email field holds, said in a few words: `is NULL`, `is empty`, `holds only "N/A", "TBD"`. */
function holding(field: EmailField, reading: FieldReading, stored: string | null): string {
  const first = reading.partial ? ` (in its first ${MAX_EMAIL_FIELD} characters of ${count(reading.length)})` : '';
  if (stored === null) return `${field} is NULL`;
  if (stored.trim() === '') return `${field} is empty`;
  if (reading.rejected.length === 0) return `${field} holds no address${first}`;
  return `${field} holds no address${first}, only ${someOf(reading.rejected.map((piece) => quoted(piece)))}`;
}

const MISSING: Partial<Record<EmailField, { kind: ProblemKind; effect: string }>> = {
  piemail: {
    kind: 'no-pi-address',
    effect: 'PI mode mails nobody for this row (ngoemail and csemail are only copied on the mail to the PI)',
  },
  csemail: { kind: 'no-cs-address', effect: 'CHECK mode mails nobody for this row: its data set to CHECK goes unannounced' },
};

/** A piece with `@` was meant as someone's address: that person gets no mail. Others are placeholders or names. */
const looksLikeAddress = (piece: string): boolean => piece.includes('@');

const correctMistyped = (mistyped: readonly string[], field: EmailField): FixChange => ({
  row: `correct ${someOf(mistyped.map((piece) => quoted(piece)))} in ${field}`,
  source: `correct the ${FIELD_ROLE[field]} email address`,
});

export function fieldFindings(reading: RowReading): Finding[] {
  const { row, fields } = reading;
  const findings: Finding[] = [];
  for (const field of EMAIL_FIELDS) {
    const parsed = fields[field];
    const role = FIELD_ROLE[field];
    const missing = MISSING[field];
    if (missing && parsed.addresses.length === 0) {
      const mistyped = parsed.rejected.filter(looksLikeAddress);
      const change: FixChange =
        mistyped.length > 0
          ? correctMistyped(mistyped, field)
          : { row: `put the ${role}'s address in ${field}`, source: `add a ${role} email address` };
      const detail = `${holding(field, parsed, row[field])}: ${missing.effect}`;
      findings.push({ kind: missing.kind, field, detail, advice: fixAdvice(row, field, change) });
    }
    if (parsed.partial) {
      const others =
        parsed.rejected.length > 0
          ? ` and ${plural(parsed.rejected.length, 'piece')} that ${parsed.rejected.length === 1 ? 'is' : 'are'} not`
          : '';
      const found = `${plural(parsed.addresses.length, 'address', 'addresses')}${others}`;
      const detail =
        `${field} holds ${count(parsed.length)} characters, far more than any list of addresses: ` +
        'the job parses all of it on every run, which can take minutes for some text this long; ' +
        `its first ${MAX_EMAIL_FIELD} characters give ${found}`;
      const change = { row: `replace ${field} with the addresses it should hold`, source: `correct the ${role} email address` };
      findings.push({ kind: 'oversized-field', field, detail, advice: fixAdvice(row, field, change) });
    } else if (parsed.rejected.length > 0 && !(missing && parsed.addresses.length === 0)) {
      const mistyped = parsed.rejected.filter(looksLikeAddress);
      const pieces = someOf(parsed.rejected.map((piece) => quoted(piece)));
      const mistypedNames =
        mistyped.length === parsed.rejected.length
          ? mistyped.length === 1
            ? 'it'
            : 'they'
          : someOf(mistyped.map((piece) => quoted(piece)));
      const mistypedMeaning =
        mistyped.length === 1
          ? 'looks like a mistyped address: whoever it names gets'
          : 'look like mistyped addresses: whoever they name get';
      const consequence =
        mistyped.length > 0
          ? `${mistypedNames} ${mistypedMeaning} no mail`
          : parsed.addresses.length > 0
            ? `the job skips ${parsed.rejected.length === 1 ? 'it' : 'them'} and mails ${addressList(parsed.addresses)}`
            : `${field} gives no address`;
      const detail = `${field}: ${pieces} ${parsed.rejected.length === 1 ? 'is not an address' : 'are not addresses'}; ${consequence}`;
      const change: FixChange =
        mistyped.length > 0
          ? correctMistyped(mistyped, field)
          : { row: `remove ${pieces} from ${field}`, source: `remove ${pieces} from the ${role} email`, harmless: true };
      findings.push({ kind: 'rejected-piece', field, detail, advice: fixAdvice(row, field, change) });
    }
  }
  if ((row.selection ?? '').length > MAX_SELECTION) {
    const detail =
      `the selection is ${count((row.selection ?? '').length)} characters long: ` +
      'no real selection is, and the archive search puts it in a URL';
    const change = reading.programId
      ? `set the selection ${backToSynced(reading.programId)}`
      : 'replace the selection with the terms it should hold';
    findings.push({
      kind: 'oversized-field',
      field: 'selection',
      detail,
      advice: fixAdvice(row, 'selection', { row: change, source: change }),
    });
  }
  return findings;
}
