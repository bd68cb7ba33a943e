import { resolve } from 'node:path';
import { type CommandContext, EXIT } from '../cli/context.js';
import { type SendOptions, sendCommand } from '../cli/send.js';
import { maskSecrets } from '../config/settings.js';
import { type Night, parseNights } from '../domain/night.js';
import type { RunReport } from '../domain/result.js';
import { Outbox } from './outbox.js';

/** `send --dry-run --out DIR`: the dry run, each message it composes written to DIR, then DIR/index.html. */
export async function sendToOutbox(options: SendOptions & { out: string }, context: CommandContext): Promise<number> {
  let nights: Night[] | null = null;
  try {
    nights = parseNights(options.date, context.now());
  } catch {
    // sendCommand says what is wrong with --date, and exits 2.
  }
  const outbox = new Outbox(resolve(context.cwd, options.out), nights);
  let report: RunReport | undefined;
  const code = await sendCommand(
    {
      ...options,
      dryRun: true,
      drafts: outbox.add,
      onReport: async (r) => {
        report = r;
      },
    },
    context,
  );
  // No report: the run never started (configuration, database, lock), and the command has said why.
  if (!report) return code;
  try {
    const index = await outbox.finish(report, context.now());
    if (!options.json)
      context.stdout.write(`Preview: ${outbox.count} ${outbox.count === 1 ? 'message' : 'messages'} in ${outbox.dir}; open ${index}\n`);
    return code;
  } catch (error) {
    context.stderr.write(
      `yougotdata: the preview page could not be written: ${maskSecrets((error as Error).message, [context.env.DATABASE_URL])}\n`,
    );
    return Math.max(code, EXIT.failed);
  }
}
