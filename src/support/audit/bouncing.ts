/**
 * Addresses of a row that bounce (docs/commands.md#bounce): mail to them is accepted by the relay and comes back.
 * Nothing is suppressed: the fix is the address, made where it lasts. And a word when the bounce loop looks unwired.
 */
import { addressKey } from '../../addresses/index.js';
import type { Standing } from '../../delivery/standing.js';
import { bouncingText, eventDetails } from '../../delivery/wording.js';
import { EMAIL_FIELDS } from '../../domain/notification.js';
import { plural } from '../../text/words.js';
import { FIELD_ROLE, fixAdvice } from '../program-sync.js';
import type { Finding } from './problem.js';
import type { RowReading } from './row-reading.js';
import { cut } from './wording.js';

/** What the server said, as a finding quotes it. */
const SHOWN_DIAGNOSTIC = 200;

/** One finding per address of the row that is bouncing, in the field it is written in. */
export function bouncingFindings(reading: RowReading, bouncing: ReadonlyMap<string, Standing>): Finding[] {
  const findings: Finding[] = [];
  for (const field of EMAIL_FIELDS) {
    for (const { address } of reading.fields[field].addresses) {
      const standing = bouncing.get(addressKey(address)) ?? bouncing.get(address.toLowerCase());
      if (!standing?.bouncing) continue;
      const latest = standing.latest;
      const said = latest.diagnostic ? ` said ${JSON.stringify(cut(latest.diagnostic, SHOWN_DIAGNOSTIC))}` : ' came back';
      const detail =
        `${address} bounces: ${bouncingText(standing)}; the latest report, on ${latest.occurredAt.toISOString().slice(0, 10)},` +
        `${said} (${eventDetails(latest)})`;
      const change = {
        row: `correct or remove ${address} in ${field}`,
        source: `correct the ${FIELD_ROLE[field]} email address ${address}`,
      };
      findings.push({ kind: 'bouncing-address', field, detail, advice: fixAdvice(reading.row, field, change) });
    }
  }
  return findings;
}

/** What the record says about the loop from the bounce address back to `bounce`, over the last LOOP_DAYS. */
export interface LoopFacts {
  bounceAddress: boolean;
  messagesSent: number;
  reportsRead: number;
  kept: number;
}

export const LOOP_DAYS = 30;

/** Notes for the audit's reader: the loop looks unwired; messages wait for a person. */
export function loopNotes(facts: LoopFacts): string[] {
  const notes: string[] = [];
  if (facts.bounceAddress && facts.messagesSent > 0 && facts.reportsRead === 0) {
    notes.push(
      `BOUNCE_ADDRESS is set and ${plural(facts.messagesSent, 'message')} went out in the last ${LOOP_DAYS} days, but no report ` +
        'has ever been read: is the bounce address wired to `yougotdata bounce` (README, "Bounces")?',
    );
  }
  if (facts.kept > 0) {
    notes.push(
      `${plural(facts.kept, 'message')} to the bounce address in the last ${LOOP_DAYS} days matched no message sent, ` +
        'had a forged token or were not reports: they are kept for a person (README, "Bounces", says how to read them).',
    );
  }
  return notes;
}
