import { required } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { reportFatal, settingsOf } from './context.js';
import type { CommandContext } from './process-context.js';

/** `yougotdata migrate`: the tool's own tables, created or brought up to date; `notification` untouched. */
export async function migrateCommand(context: CommandContext): Promise<number> {
  try {
    const url = required(settingsOf(context), 'DATABASE_URL');
    const db = await openDatabase({ url, applicationName: 'yougotdata migrate' });
    try {
      const { applied, current } = await migrate(db);
      context.stdout.write(
        applied.length ? `applied ${applied.join(', ')}; schema version ${current}\n` : `up to date (schema version ${current})\n`,
      );
      return 0;
    } finally {
      await db.end();
    }
  } catch (error) {
    return reportFatal(error, context).exitCode;
  }
}
