import { migrate } from '../db/migrations.js';
import type { CommandContext } from './process-context.js';
import { runCommand } from './run-command.js';

/** `yougotdata migrate`: the tool's own tables, created or brought up to date; `notification` untouched. */
export async function migrateCommand(context: CommandContext): Promise<number> {
  return runCommand(context, {}, async (scope) => {
    const db = await scope.database({ applicationName: 'yougotdata migrate' });
    const { applied, current } = await migrate(db);
    context.stdout.write(
      applied.length ? `applied ${applied.join(', ')}; schema version ${current}\n` : `up to date (schema version ${current})\n`,
    );
    return 0;
  });
}
