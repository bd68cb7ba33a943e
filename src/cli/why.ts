import { required } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { DeliveryRecord } from '../db/delivery-record.js';
import { NotificationTable } from '../db/notification-table.js';
import { RunLog } from '../db/run-log.js';
import { SendRecord } from '../db/send-record.js';
import type { Mode } from '../domain/mode.js';
import { parseNights } from '../domain/night.js';
import { why } from '../support/why/gather.js';
import { whyJson, whyText } from '../support/why/output.js';
import { jsonText } from '../text/escape.js';
import { archiveClientOf, loggerOf, reportFatal, serverOf, settingsOf } from './context.js';
import { type CommandContext, EXIT } from './process-context.js';

export interface WhyOptions {
  date: string;
  check: boolean;
  json: boolean;
}

/** `yougotdata why TEXT`: support triage for the notifications matching TEXT. 0 when something matched, 1 when nothing did. */
export async function whyCommand(text: string, options: WhyOptions, context: CommandContext): Promise<number> {
  const closing: (() => Promise<unknown>)[] = [];
  let log: ReturnType<typeof loggerOf> | undefined;
  try {
    const settings = settingsOf(context);
    log = loggerOf(context, settings);
    const mode: Mode = options.check ? 'check' : 'pi';
    const nights = parseNights(options.date, context.now());
    const url = required(settings, 'DATABASE_URL');
    const base = serverOf(settings, mode);
    const db = await openDatabase({ url, applicationName: 'yougotdata why', maxConnections: 3 });
    closing.push(() => db.end().catch(() => {}));
    const archive = archiveClientOf(settings, { concurrency: 2 });
    closing.push(() => archive.close());
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
  } catch (error) {
    return reportFatal(error, context, { json: options.json }).exitCode;
  } finally {
    for (const close of closing.reverse()) await close();
    log?.flush();
  }
}
