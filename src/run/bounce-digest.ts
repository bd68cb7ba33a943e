/**
 * The digest's part about what came back (docs/commands.md#a-run): the hard bounces of this mode's messages that
 * `bounce` recorded since the mode's last digest told them, each address once, for a person to fix at its source; and the
 * refusals of our own server (X.7.x, class `policy`) in a paragraph for IT, whose fix is not an address.
 */
import type { DeliveryEvent } from '../db/delivery-record.js';
import { eventDetails } from '../delivery/wording.js';
import { type Mode, profileOf } from '../domain/mode.js';
import { utcStamp } from '../domain/night.js';
import { escapeControls } from '../text/escape.js';
import { clip } from '../text/words.js';

/** A digest lists at most this many addresses per paragraph; `why` and `audit` have the rest. */
const DIGEST_ADDRESSES = 50;

/** Our server was refused, not the address: an X.7.x code, or the wording of one. */
const isForIt = (event: DeliveryEvent): boolean => event.class === 'policy' || /^[45]\.7\./.test(event.status ?? '');

/** The latest event of each address, in the order the addresses first came. */
function latestPerAddress(events: readonly DeliveryEvent[]): DeliveryEvent[] {
  const latest = new Map<string, DeliveryEvent>();
  for (const event of events) {
    const key = event.address.toLowerCase();
    const known = latest.get(key);
    if (!known || known.occurredAt <= event.occurredAt) latest.set(key, event);
  }
  return [...latest.values()];
}

/** `  jane@uni.edu (#101), 2026-12-03 08:01:13 UTC: "550 5.1.1 …" (5.1.1: the address does not exist; from mx.uni.edu)` */
function eventLine(event: DeliveryEvent): string {
  const row = event.notificationId === null ? '' : ` (#${event.notificationId})`;
  const said = event.diagnostic ? `: ${JSON.stringify(clip(event.diagnostic, 300))}` : '';
  const details = eventDetails(event);
  return escapeControls(`  ${event.address}${row}, ${utcStamp(event.occurredAt)} UTC${said}${details ? ` (${details})` : ''}`);
}

function paragraph(heading: string, events: readonly DeliveryEvent[]): string[] {
  const shown = events.slice(0, DIGEST_ADDRESSES).map(eventLine);
  const more = events.length > DIGEST_ADDRESSES ? [`  … and ${events.length - DIGEST_ADDRESSES} more: yougotdata audit lists them`] : [];
  return [heading, ...shown, ...more];
}

/** The bounces paragraphs of the digest, or null when there is nothing new to tell. */
export function bounceDigestText(events: readonly DeliveryEvent[], mode: Mode): string | null {
  const hard = latestPerAddress(events.filter((e) => e.hard));
  const forIt = latestPerAddress(events.filter(isForIt));
  if (hard.length === 0 && forIt.length === 0) return null;
  const since = `since the last ${profileOf(mode).name} run`;
  const blocks: string[][] = [];
  if (hard.length > 0) {
    blocks.push([
      ...paragraph(`${hard.length} address(es) bounced ${since}: the address does not exist any more.`, hard),
      "  to do: correct or remove each where it is kept (the program's record for an `Auto -` row); `yougotdata why ADDRESS` says where",
    ]);
  }
  if (forIt.length > 0) {
    blocks.push([
      ...paragraph(
        `For IT: ${forIt.length} receiving server(s) refused this server's mail ${since} (X.7.x: its address, name, SPF, DKIM or ` +
          'reputation), not the recipients:',
        forIt,
      ),
      '  to do: have IT look at the relay (README, "Bounces and signing: what to ask IT for"); the addresses are fine',
    ]);
  }
  return `${blocks.map((block) => block.join('\n')).join('\n\n')}\n`;
}
