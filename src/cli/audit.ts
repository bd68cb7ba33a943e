import { required } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { DeliveryRecord } from '../db/delivery-record.js';
import { NotificationTable } from '../db/notification-table.js';
import { parseNight } from '../domain/night.js';
import { auditJson, auditText } from '../support/audit/output.js';
import { auditTable } from '../support/audit/read.js';
import { jsonText } from '../text/escape.js';
import { archiveClientOf, loggerOf, reportFatal, settingsOf } from './context.js';
import { type CommandContext, EXIT } from './process-context.js';

export interface AuditOptions {
  json: boolean;
  online: boolean;
  match?: string;
}

/** `yougotdata audit`: what will go wrong in the notification table, before a night does. 0 clean, 1 problems found. */
export async function auditCommand(options: AuditOptions, context: CommandContext): Promise<number> {
  const closing: (() => Promise<unknown>)[] = [];
  let log: ReturnType<typeof loggerOf> | undefined;
  try {
    const settings = settingsOf(context);
    log = loggerOf(context, settings);
    const db = await openDatabase({ url: required(settings, 'DATABASE_URL'), applicationName: 'yougotdata audit', maxConnections: 2 });
    closing.push(() => db.end().catch(() => {}));
    let online = null;
    if (options.online) {
      const archive = archiveClientOf(settings, { concurrency: settings.ARCHIVE_CONCURRENCY });
      closing.push(() => archive.close());
      online = { archive, base: settings.ARCHIVE_URL, night: parseNight('today', context.now()) };
    }
    const report = await auditTable(options.match, {
      notifications: new NotificationTable(db),
      online,
      deliveries: new DeliveryRecord(db),
      bounceAddress: settings.BOUNCE_ADDRESS !== undefined,
      clock: context.now,
    });
    log.info({ problems: report.problems.length }, 'audit read the table');
    context.stdout.write(options.json ? `${jsonText(auditJson(report))}\n` : auditText(report));
    return report.problems.length === 0 ? EXIT.ok : EXIT.failed;
  } catch (error) {
    return reportFatal(error, context, { json: options.json }).exitCode;
  } finally {
    for (const close of closing.reverse()) await close();
    log?.flush();
  }
}
