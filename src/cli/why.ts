import { required } from '../config/settings.js';
import { DeliveryRecord } from '../db/delivery-record.js';
import { NotificationTable } from '../db/notification-table.js';
import { RunLog } from '../db/run-log.js';
import { SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { parseNights } from '../domain/night.js';
import { serverOf } from '../run/send-request.js';
import { why } from '../support/why/gather.js';
import { whyJson, whyText } from '../support/why/output.js';
import { jsonText } from '../text/escape.js';
import { type CommandContext, EXIT } from './process-context.js';
import { runCommand } from './run-command.js';

export interface WhyOptions {
  date: string;
  check: boolean;
  json: boolean;
}

/** `yougotdata why TEXT`: support triage for the notifications matching TEXT. 0 when something matched, 1 when nothing did. */
export async function whyCommand(text: string, options: WhyOptions, context: CommandContext): Promise<number> {
  return runCommand(context, { json: options.json }, async (scope) => {
    const log = scope.logger();
    const mode: Mode = options.check ? 'check' : 'pi';
    const nights = parseNights(options.date, context.now());
    const url = required(scope.settings, 'DATABASE_URL');
    const base = serverOf(scope.settings, mode);
    const db = await scope.database({ url, applicationName: 'yougotdata why', maxConnections: 3 });
    const archive = scope.archive({ concurrency: 2 });
    const ports = {
      notifications: new NotificationTable(db),
      record: new SendRecord(db),
      runLog: new RunLog(db),
      deliveries: new DeliveryRecord(db),
      archive,
      base,
      log,
      clock: context.now,
    };
    const answer = await why(text, nights, mode, ports);
    context.stdout.write(options.json ? `${jsonText(whyJson(answer, text, mode))}\n` : whyText(answer, text));
    return answer.triages.length > 0 ? EXIT.ok : EXIT.failed;
  });
}
