import { resolve } from 'node:path';
import { READ_LIMIT } from '../bounce/index.js';
import { required, SettingError, type Settings } from '../config/settings.js';
import { DeliveryRecord, retainedSince } from '../db/delivery-record.js';
import { requireMigrated } from '../db/migrations.js';
import { type IntakePorts, type RawReport, type TakenReport, takeReport } from '../delivery/intake.js';
import { bounceJson, bounceText } from '../delivery/output.js';
import { messageFiles, readMessageFile } from '../mailbox/message-files.js';
import { readMessageHead } from '../mailbox/message-stream.js';
import { jsonText } from '../text/escape.js';
import { describeFatal } from './fatal.js';
import { type CommandContext, EXIT } from './process-context.js';
import { bounceTokensOf, type Database, type DatabaseOptions, databaseOf, settingsOf } from './resources.js';
import { runCommand } from './run-command.js';

export interface BounceOptions {
  json: boolean;
  dryRun: boolean;
  imap: boolean;
  /** A settings file: a mail server runs the command with no environment of its own. */
  settings?: string;
}

/** The envelope a mail server's pipe is given in the environment (Postfix local(8), Exim's pipe transport). */
const envelopeOf = (env: CommandContext['env']) => ({
  recipient: env.RECIPIENT || undefined,
  originalRecipient: env.ORIGINAL_RECIPIENT || undefined,
});

const DATABASE: DatabaseOptions = { applicationName: 'yougotdata bounce', maxConnections: 2 };

/**
 * The delivery record, on a database `migrate` has brought up to date (bounce never migrates: ARCHITECTURE.md); null
 * in a dry run, which needs none.
 */
async function recordOf(open: () => Promise<Database>, options: BounceOptions): Promise<DeliveryRecord | null> {
  if (options.dryRun) return null;
  const db = await open();
  await requireMigrated(db);
  return new DeliveryRecord(db);
}

function print(taken: readonly TakenReport[], options: BounceOptions, context: CommandContext): void {
  context.stdout.write(options.json ? `${jsonText(bounceJson(taken))}\n` : bounceText(taken));
}

/**
 * One message on stdin, as a mail server's pipe hands it over (an /etc/aliases line, a Postfix pipe transport):
 * exit 0 once it is recorded or kept, 75 when it must be tried again; never anything else, for any message, or the
 * mail server would bounce the bounce (docs/commands.md#bounce). So not the shared command shape: a setting missing
 * is 75 here too, not 2.
 */
async function fromPipe(options: BounceOptions, context: CommandContext): Promise<number> {
  if (context.stdin?.isTTY) context.stderr.write('yougotdata bounce: reading one message from standard input (Ctrl-D ends it)\n');
  const closing: (() => Promise<unknown>)[] = [];
  try {
    // The whole pipe is read first, whatever happens next: a reader that stops early fails the delivery.
    const head = context.stdin ? await readMessageHead(context.stdin, READ_LIMIT) : { bytes: new Uint8Array(), size: 0 };
    const settings = settingsOf(context);
    const open = async () => {
      const db = await databaseOf(settings, DATABASE);
      closing.push(() => db.end().catch(() => {}));
      return db;
    };
    const record = await recordOf(open, options);
    const raw: RawReport = { ...head, source: 'stdin', envelope: envelopeOf(context.env) };
    const taken = await takeReport(raw, { tokens: bounceTokensOf(settings), record, now: context.now });
    print([taken], options, context);
    return EXIT.ok;
  } catch (error) {
    const fatal = describeFatal(error);
    context.stderr.write(`yougotdata: ${fatal.detail} (exit 75: the mail server keeps the message and tries again)\n`);
    if (options.json)
      context.stdout.write(`${jsonText({ error: { kind: fatal.kind, message: fatal.message }, exitCode: EXIT.tryLater })}\n`);
    return EXIT.tryLater;
  } finally {
    for (const close of closing.reverse()) await close();
  }
}

/** Each message file, and each message of each Maildir or folder: exit 1 when one could not be read. */
async function fromFiles(
  files: readonly string[],
  ports: IntakePorts,
  context: CommandContext,
): Promise<{ taken: TakenReport[]; code: number }> {
  const taken: TakenReport[] = [];
  let unread = 0;
  for (const file of files) {
    let head: Awaited<ReturnType<typeof readMessageFile>>;
    try {
      head = await readMessageFile(file, READ_LIMIT);
    } catch (error) {
      unread += 1;
      context.stderr.write(`yougotdata bounce: ${file}: cannot be read: ${(error as Error).message}\n`);
      continue;
    }
    taken.push(await takeReport({ ...head, source: file, envelope: {} }, ports));
  }
  return { taken, code: unread > 0 ? EXIT.failed : EXIT.ok };
}

/** The IMAP mailbox: recorded messages moved to IMAP_DONE_FOLDER, the rest left for a person (nothing in a dry run). */
async function fromMailbox(settings: Settings, ports: IntakePorts, dryRun: boolean): Promise<{ taken: TakenReport[]; code: number }> {
  const { imapAddressOf, pollMailbox } = await import('../mailbox/imap-mailbox.js');
  const address = imapAddressOf(required(settings, 'IMAP_URL'));
  if (address.folder === settings.IMAP_DONE_FOLDER) {
    throw new SettingError('IMAP_DONE_FOLDER', `must not be the folder IMAP_URL reads (${address.folder}): read messages are moved there`);
  }
  const taken: TakenReport[] = [];
  await pollMailbox(address, { doneFolder: settings.IMAP_DONE_FOLDER, limit: READ_LIMIT, readOnly: dryRun }, async (message) => {
    const one = await takeReport({ ...message, envelope: {} }, ports);
    taken.push(one);
    return one.kept ? 'for-a-person' : 'done';
  });
  return { taken, code: EXIT.ok };
}

/** `yougotdata bounce`: read what came back to the bounce address, match it to the send record, and record it. */
export async function bounceCommand(paths: readonly string[], options: BounceOptions, given: CommandContext): Promise<number> {
  const context = options.settings === undefined ? given : { ...given, settingsFile: resolve(given.cwd, options.settings) };
  if (!options.imap && paths.length === 0) return fromPipe(options, context);
  return runCommand(context, { json: options.json }, async (scope) => {
    const { settings } = scope;
    const log = scope.logger();
    const files = options.imap ? [] : await messageFiles(paths);
    const record = await recordOf(() => scope.database(DATABASE), options);
    // Once a run (a poll, a batch of files), and by `send`: never per message a pipe hands over.
    await record?.prune(retainedSince(context.now()));
    const ports: IntakePorts = { tokens: bounceTokensOf(settings), record, now: context.now };
    const { taken, code } = options.imap ? await fromMailbox(settings, ports, options.dryRun) : await fromFiles(files, ports, context);
    log.info({ messages: taken.length }, 'bounce read its messages');
    print(taken, options, context);
    return code;
  });
}
