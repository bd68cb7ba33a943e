/**
 * `yougotdata audit`'s reading of the table: every row (the matching ones reported, all of them compared for
 * duplicates), and with `--online` the archive's word on selection terms only it knows. Sends and writes nothing.
 */
import type { ArchiveClient } from '../../archive/client.js';
import { unrecognisedTerms } from '../../archive/selection.js';
import type { DeliveryRecord } from '../../db/delivery-record.js';
import type { NotificationTable } from '../../db/notification-table.js';
import { bouncingAddresses } from '../../delivery/address-facts.js';
import type { Night } from '../../domain/night.js';
import { LOOP_DAYS, loopNotes } from './bouncing.js';
import { type AuditReport, type AuditRequest, auditNotifications } from './report.js';
import { type Confirmation, selectionsToConfirm } from './row-reading.js';

export interface AuditPorts {
  notifications: Pick<NotificationTable, 'read'>;
  /** With `--online`: the archive whose summary page confirms terms, asked for `night` (any night will do). */
  online: { archive: Pick<ArchiveClient, 'summaryPage'>; base: string; night: Night } | null;
  /** What came back to the bounce address (docs/commands.md#bounce), and whether BOUNCE_ADDRESS is set. */
  deliveries: Pick<DeliveryRecord, 'failures' | 'acceptances' | 'loopFacts'>;
  bounceAddress: boolean;
  clock: () => Date;
}

/** The addresses that bounce, and the notes on the bounce loop: read before the table's rows are judged. */
async function deliveryOptions(ports: AuditPorts): Promise<Pick<AuditRequest, 'bouncing' | 'notes'>> {
  const now = ports.clock();
  const facts = await ports.deliveries.loopFacts(new Date(now.getTime() - LOOP_DAYS * 86_400_000));
  if (!facts) return {};
  return {
    bouncing: await bouncingAddresses(ports.deliveries, now),
    notes: loopNotes({ ...facts, bounceAddress: ports.bounceAddress }),
  };
}

export async function auditTable(match: string | undefined, ports: AuditPorts): Promise<AuditReport> {
  const rows = await ports.notifications.read();
  const only = match === undefined ? undefined : new Set((await ports.notifications.read(match)).map((row) => row.id));
  const delivered = await deliveryOptions(ports);
  if (!ports.online) return auditNotifications(rows, { only, ...delivered });
  const { archive, base, night } = ports.online;
  const confirmations = new Map<number, Confirmation>();
  const asked = selectionsToConfirm(only ? rows.filter((row) => only.has(row.id)) : rows);
  // The client holds requests to ARCHIVE_CONCURRENCY however many are asked at once.
  await Promise.all(
    asked.map(async ({ terms, ids }) => {
      const page = await archive.summaryPage(base, night, terms);
      const confirmation: Confirmation = page.ok
        ? { state: 'answered', dropped: unrecognisedTerms(page.value) }
        : { state: 'failed', error: page.error };
      for (const id of ids) confirmations.set(id, confirmation);
    }),
  );
  return auditNotifications(rows, { confirmations, only, ...delivered });
}
