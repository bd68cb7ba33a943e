import { parseEmailAddress } from '../addresses/index.js';
import { required } from '../config/settings.js';
import { probeSmtp } from '../mail/smtp-probe.js';
import { maskCredentials } from '../text/credentials.js';
import { type CommandContext, EXIT } from './process-context.js';
import { tracingOf } from './resources.js';
import { runCommand } from './run-command.js';

export interface CheckSmtpOptions {
  to?: string;
}

/** `yougotdata check-smtp [--to ADDR]`: what the SMTP server answers; sends nothing unless --to. 0 when all is well. */
export async function checkSmtpCommand(options: CheckSmtpOptions, context: CommandContext): Promise<number> {
  const out = (line: string) => context.stdout.write(`${maskCredentials(line)}\n`);
  return runCommand(context, {}, async ({ settings }) => {
    let test: Parameters<typeof probeSmtp>[0]['test'];
    if (options.to !== undefined) {
      const to = parseEmailAddress(options.to.trim());
      if (!to) {
        context.stderr.write(`yougotdata: --to must be one email address (got ${JSON.stringify(options.to)})\n`);
        return EXIT.usage;
      }
      test = { from: required(settings, 'EMAIL_FROM'), to, now: context.now() };
    }
    const tracing = tracingOf(settings);
    const failure = await probeSmtp({ smtpUrl: settings.SMTP_URL, timeoutMs: settings.SMTP_TIMEOUT_MS, test, ...tracing }, out);
    if (failure === null) return EXIT.ok;
    context.stderr.write(`yougotdata: check-smtp failed: ${maskCredentials(failure)}\n`);
    return EXIT.failed;
  });
}
