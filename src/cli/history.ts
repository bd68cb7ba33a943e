import type pg from 'pg';
import { required } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { heldRunLocks } from '../db/run-lock.js';
import { runsSince } from '../db/run-log.js';
import { type HistoryRun, historyJson, historyText, runStatesOf } from '../support/run-history.js';
import { type CommandContext, EXIT, exitCodeForError, loggerOf, settingsOf } from './context.js';

export interface HistoryOptions {
  days: number;
  json: boolean;
}

/** `yougotdata history`: one line per run of `send` from the run log, so "did cron run?" needs no log file. */
export async function historyCommand(options: HistoryOptions, context: CommandContext): Promise<number> {
  let db: pg.Pool | undefined;
  const log = loggerOf(context);
  try {
    const url = required(settingsOf(context), 'DATABASE_URL');
    db = await openDatabase({ url, applicationName: 'yougotdata history', maxConnections: 1 });
    const now = context.now();
    const since = new Date(now.getTime() - options.days * 86_400_000);
    const logged = await runsSince(db, since);
    const logExists = logged !== null;
    const entries = logged ?? [];
    const locks = entries.some((run) => run.finishedAt === null) ? await heldRunLocks(db) : [];
    const states = runStatesOf(entries, locks);
    const runs: HistoryRun[] = entries.map((run, i) => ({ ...run, state: states[i] ?? 'crashed' }));
    log.info({ days: options.days, runs: runs.length }, 'history read');
    const shape = { now, days: options.days, logExists };
    context.stdout.write(options.json ? `${JSON.stringify(historyJson(runs, shape))}\n` : historyText(runs, shape));
    return EXIT.ok;
  } catch (error) {
    return exitCodeForError(error, context);
  } finally {
    await db?.end().catch(() => {});
    log.flush();
  }
}
