import { heldRunLocks } from '../db/run-lock.js';
import { RunLog } from '../db/run-log.js';
import { historyJson, historyText, readHistory } from '../support/history.js';
import { jsonText } from '../text/escape.js';
import { type CommandContext, EXIT } from './process-context.js';
import { runCommand } from './run-command.js';

export interface HistoryOptions {
  days: number;
  json: boolean;
}

/** `yougotdata history`: one line per run of `send` from the run log, so "did cron run?" needs no log file. */
export async function historyCommand(options: HistoryOptions, context: CommandContext): Promise<number> {
  return runCommand(context, { json: options.json }, async (scope) => {
    const log = scope.logger();
    const db = await scope.database({ applicationName: 'yougotdata history', maxConnections: 1 });
    const now = context.now();
    const { runs, logExists } = await readHistory({ runLog: new RunLog(db), heldLocks: () => heldRunLocks(db) }, now, options.days);
    log.info({ days: options.days, runs: runs.length }, 'history read');
    const shape = { now, days: options.days, logExists };
    context.stdout.write(options.json ? `${jsonText(historyJson(runs, shape))}\n` : historyText(runs, shape));
    return EXIT.ok;
  });
}
