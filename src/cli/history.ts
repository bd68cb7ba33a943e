import { required } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { heldRunLocks } from '../db/run-lock.js';
import { RunLog } from '../db/run-log.js';
import { historyJson, historyText, readHistory } from '../support/history.js';
import { jsonText } from '../text/escape.js';
import { loggerOf, reportFatal, settingsOf } from './context.js';
import { type CommandContext, EXIT } from './process-context.js';

export interface HistoryOptions {
  days: number;
  json: boolean;
}

/** `yougotdata history`: one line per run of `send` from the run log, so "did cron run?" needs no log file. */
export async function historyCommand(options: HistoryOptions, context: CommandContext): Promise<number> {
  let log: ReturnType<typeof loggerOf> | undefined;
  try {
    const settings = settingsOf(context);
    log = loggerOf(context, settings);
    const url = required(settings, 'DATABASE_URL');
    const db = await openDatabase({ url, applicationName: 'yougotdata history', maxConnections: 1 });
    try {
      const now = context.now();
      const { runs, logExists } = await readHistory({ runLog: new RunLog(db), heldLocks: () => heldRunLocks(db) }, now, options.days);
      log.info({ days: options.days, runs: runs.length }, 'history read');
      const shape = { now, days: options.days, logExists };
      context.stdout.write(options.json ? `${jsonText(historyJson(runs, shape))}\n` : historyText(runs, shape));
      return EXIT.ok;
    } finally {
      await db.end().catch(() => {});
    }
  } catch (error) {
    return reportFatal(error, context, { json: options.json }).exitCode;
  } finally {
    log?.flush();
  }
}
