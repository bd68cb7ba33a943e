import { tmpdir } from 'node:os';
import { startArchiveStandIn } from '../demo/archive-stand-in/index.js';
import { EmbeddedPostgresUnavailable, postgresServer } from '../demo/embedded-postgres.js';
import { loadNotifications } from '../demo/fitsstorage-table.js';
import { demoNight, demoNotifications } from '../demo/scenario.js';
import { createScratchDatabase } from '../demo/scratch-database.js';
import { parseNight } from '../domain/night.js';
import { DEFAULT_HTTP_PORT, DEFAULT_SMTP_PORT, type MailSink, startMailSink } from '../sink/index.js';
import { reportFatal } from './fatal.js';
import { untilInterrupted } from './mail-sink.js';
import { type CommandContext, EXIT } from './process-context.js';
import { sendCommand } from './send.js';

/** MailHog's usual ports when free, so a person can point a MailHog UI at them; any free ports otherwise. */
async function startDemoSink(keep: boolean): Promise<MailSink> {
  if (!keep) return startMailSink();
  return startMailSink({ smtpPort: DEFAULT_SMTP_PORT, httpPort: DEFAULT_HTTP_PORT }).catch(() => startMailSink());
}

/** `yougotdata demo`: the whole job against embedded parts, with nothing configured. */
export async function demoCommand(options: { keep: boolean }, context: CommandContext): Promise<number> {
  try {
    return await runDemo(options, context);
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresUnavailable)) return reportFatal(error, context).exitCode;
    context.stderr.write(`yougotdata: demo: ${error.message}\n`);
    return EXIT.usage;
  }
}

async function runDemo(options: { keep: boolean }, context: CommandContext): Promise<number> {
  const say = (line: string) => context.stderr.write(`${line}\n`);
  // Only the real environment's DATABASE_URL, never a .env's: the demo makes a scratch database there and drops it.
  const server = await postgresServer({ DATABASE_URL: context.env.DATABASE_URL }, ['DATABASE_URL']);
  say(`demo: PostgreSQL is ${server.description}; starting the archive stand-in and the mail sink…`);
  const database = await createScratchDatabase(server.adminUrl, 'yougotdata_demo').catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const archive = await startArchiveStandIn();
  const sink = await startDemoSink(options.keep);
  try {
    await loadNotifications(database.url, demoNotifications);
    const night = parseNight('yesterday', context.now());
    archive.addEntries(demoNight(night));
    // An explicit environment and a working directory without .env: the demo never touches real servers.
    const env = {
      DATABASE_URL: database.url,
      ARCHIVE_URL: archive.url,
      FITS_SERVER_URL: archive.url,
      SMTP_URL: sink.smtpUrl,
      EMAIL_FROM: 'Gemini Observatory Archive <archive@example.org>',
      EMAIL_REPLY_TO: 'helpdesk@example.org',
      ERRORS_TO: 'archive-ops@example.org',
      ARCHIVE_TIMEOUT_MS: '5000',
      SMTP_TIMEOUT_MS: '5000',
    };
    const runContext: CommandContext = { ...context, env, cwd: tmpdir() };
    for (const check of [false, true]) {
      say(`\ndemo: yougotdata send --date ${night}${check ? ' --check' : ''}`);
      const code = await sendCommand({ date: night, check, dryRun: false, force: false, json: false }, runContext);
      say(`demo: exit code ${code}${code === 1 ? ' (expected: one selection has a typo, so cron would be told)' : ''}`);
    }
    say(`\ndemo: the mail sink caught ${sink.messages().length} messages:`);
    for (const message of sink.messages()) {
      say(`  ${(message.subject ?? '').padEnd(52)} → ${message.envelope.to.join(', ')}`);
    }
    say(`\nMailHog API: ${sink.apiUrl}/api/v2/messages`);
  } catch (error) {
    await sink.close();
    throw error;
  } finally {
    await archive.close();
    await database.drop().catch(() => {});
    await server.stop();
  }
  if (options.keep) {
    say('demo: the mail sink keeps running (Ctrl-C stops it)');
    await untilInterrupted();
  } else {
    say('demo: add --keep to leave the mail sink running and read the messages');
  }
  await sink.close();
  return EXIT.ok;
}
