import { DeliveryRecord } from '../db/delivery-record.js';
import { NotificationTable } from '../db/notification-table.js';
import { parseNight } from '../domain/night.js';
import { auditJson, auditText } from '../support/audit/output.js';
import { auditTable } from '../support/audit/read.js';
import { jsonText } from '../text/escape.js';
import { type CommandContext, EXIT } from './process-context.js';
import { runCommand } from './run-command.js';

export interface AuditOptions {
  json: boolean;
  online: boolean;
  match?: string;
}

/** `yougotdata audit`: what will go wrong in the notification table, before a night does. 0 clean, 1 problems found. */
export async function auditCommand(options: AuditOptions, context: CommandContext): Promise<number> {
  return runCommand(context, { json: options.json }, async (scope) => {
    const { settings } = scope;
    const log = scope.logger();
    const db = await scope.database({ applicationName: 'yougotdata audit', maxConnections: 2 });
    const online = options.online
      ? {
          archive: scope.archive({ concurrency: settings.ARCHIVE_CONCURRENCY }),
          base: settings.ARCHIVE_URL,
          night: parseNight('today', context.now()),
        }
      : null;
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
  });
}
