import { once } from 'node:events';
import { type MailSink, startMailSink } from '../sink/index.js';
import { type CommandContext, EXIT } from './process-context.js';

/** Resolves on the first Ctrl-C (or SIGTERM), so a long-running command can close cleanly. */
export async function untilInterrupted(): Promise<void> {
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
}

/** `yougotdata mail-sink`: keeps every message in memory until Ctrl-C. */
export async function mailSinkCommand(options: { smtpPort: number; httpPort: number }, context: CommandContext): Promise<number> {
  let sink: MailSink;
  try {
    sink = await startMailSink({ smtpPort: options.smtpPort, httpPort: options.httpPort });
  } catch (error) {
    context.stderr.write(
      `yougotdata: the mail sink could not start: ${(error as Error).message} (is another one running? try --smtp-port/--http-port)\n`,
    );
    return EXIT.failed;
  }
  context.stderr.write(`mail sink: SMTP ${sink.smtpUrl}, MailHog API ${sink.apiUrl}/api/v2/messages (Ctrl-C stops it)\n`);
  await untilInterrupted();
  await sink.close();
  context.stderr.write(`mail sink stopped (${sink.stats.accepted} messages received)\n`);
  return EXIT.ok;
}
