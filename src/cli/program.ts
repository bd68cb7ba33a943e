import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { escapeControls, jsonText } from '../text/escape.js';
import { type CommandContext, EXIT } from './process-context.js';

/** src/cli and dist/cli both sit two levels below the package's root. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * `demo` and `mail-sink` run on the development dependencies (embedded PostgreSQL, an SMTP server), which a
 * production install leaves out: there they say so in one line (exit 2) instead of failing on a missing module.
 */
async function developmentCommand<T>(name: string, load: () => Promise<T>, context: CommandContext): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    context.stderr.write(
      `yougotdata: ${name} is not part of a production install: ` +
        'run it in a checkout of yougotdata after npm ci, which installs what it needs\n',
    );
    return null;
  }
}

// Each command's code is loaded when it runs: start-up stays short for cron and for support at a prompt.

/** A parser for a whole number from 1 to `max`, `what` naming it in the error ("days" → "a whole number of days"). */
const wholeNumber =
  (max: number, what = '') =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
      throw new InvalidArgumentError(`must be a whole number ${what ? `of ${what} ` : ''}from 1 to ${max}`);
    }
    return Number(value);
  };

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('must be a port number');
  return Number(value);
}

/** The command line; each action returns its exit code through `done`. */
function buildProgram(context: CommandContext, done: (code: number) => void): Command {
  const program = new Command('yougotdata')
    .description('Emails PIs and contact scientists when the archive gets new data for their program.')
    .configureOutput({
      writeOut: (s) => context.stdout.write(s),
      writeErr: (s) => context.stderr.write(s),
      // An error repeats what was typed, which may hold terminal controls: shown escaped, line by line.
      outputError: (s, write) => write(s.split('\n').map(escapeControls).join('\n')),
    })
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  program
    .command('send')
    .description('the daily job: ask the archive what each notification got on the night and email the people')
    .addOption(new Option('--date <D>', 'night: today, yesterday or YYYYMMDD (UTC dates, as the archive computes them)').default('today'))
    .option('--check', 'CHECK mode: ask the summit FITS server for data set to QA CHECK and email the contact scientist', false)
    .option('--dry-run', 'query the archive and compose every message; send nothing, record nothing', false)
    .option('--match <text>', 'only the notification with this id, or whose label or selection contains the text')
    .option('--force', 'send again even where the record says it was sent', false)
    .option('--json', 'print exactly one JSON document on stdout (logs stay on stderr)', false)
    .option('--concurrency <n>', 'most archive requests in flight (default ARCHIVE_CONCURRENCY)', wholeNumber(64))
    .option('--log-file <path>', 'also append every log line (info and up) to this file')
    .option(
      '--out <dir>',
      'with --dry-run: write each message as DIR/<id>.eml (other nights: <id>-<night>.eml) and a page DIR/index.html showing them all',
    )
    .action(async function (this: Command, options) {
      if (options.out !== undefined && !options.dryRun)
        this.error('error: --out needs --dry-run (a real run sends the messages; it writes no preview)');
      done(await (await import('./send.js')).sendCommand(options, context));
    });

  program
    .command('migrate')
    .description("create or update the tool's own tables (idempotent); never alters notification")
    .action(async () => done(await (await import('./migrate.js')).migrateCommand(context)));

  program
    .command('addresses')
    .description('show how an email field parses: the addresses, and the pieces rejected')
    .argument('<text>', 'the field as stored, e.g. "Doe, John <j@d.org>; N/A"')
    .option('--json', 'print {"addresses":[{"name","address"}],"rejected":[…]}', false)
    .action(async (text: string, options) => done((await import('./addresses.js')).addressesCommand(text, options, context)));

  program
    .command('why')
    .description("support triage: why did (or didn't) a notification's email go out for the night?")
    .argument('<text>', 'a notification id, text of its label or selection (e.g. GN-2026B-Q-101), or an email address')
    .addOption(
      new Option('--date <D>', 'night: today, yesterday or YYYYMMDD (UTC dates, as the archive computes them), or a range A..B').default(
        'today',
      ),
    )
    .option('--check', 'CHECK mode: the summit FITS server and the contact scientist', false)
    .option('--json', 'print exactly one JSON document on stdout (logs stay on stderr)', false)
    .action(async (text: string, options) => done(await (await import('./why.js')).whyCommand(text, options, context)));

  program
    .command('audit')
    .description('check every notification row now for what will go wrong on a night; sends and writes nothing')
    .option('--json', 'print exactly one JSON document on stdout (logs stay on stderr)', false)
    .option('--online', "also ask the archive's summary page about selection terms only it knows", false)
    .option('--match <text>', 'only the notification with this id, or whose label or selection contains the text')
    .action(async (options) => done(await (await import('./audit.js')).auditCommand(options, context)));

  program
    .command('bounce')
    .description(
      'read what came back to the bounce address (bounces, delays, auto-replies, complaints), match each to the send record, record it',
    )
    .argument('[paths...]', 'message files, or Maildirs and folders of them; none: one message on stdin, as a mail server pipes it')
    .option('--json', 'print exactly one JSON document on stdout (logs stay on stderr)', false)
    .option('--dry-run', 'read and print; record nothing, move nothing, need no database', false)
    .option('--imap', 'read the mailbox in IMAP_URL; move what is recorded to IMAP_DONE_FOLDER, leave the rest for a person', false)
    .option(
      '--settings <file>',
      "read the settings from FILE (KEY=value lines, as in .env), under the environment; for a mail server's pipe",
    )
    .action(async function (this: Command, paths: string[], options) {
      if (options.imap && paths.length > 0) this.error('error: --imap reads the mailbox in IMAP_URL: give it no FILE or MAILDIR');
      done(await (await import('./bounce.js')).bounceCommand(paths, options, context));
    });

  program
    .command('history')
    .description('one line per run of send from the run log: did cron run, how did it end?')
    .option('--days <n>', 'runs started in the last N days', wholeNumber(366, 'days'), 7)
    .option('--json', 'print exactly one JSON document on stdout (logs stay on stderr)', false)
    .action(async (options) => done(await (await import('./history.js')).historyCommand(options, context)));

  program
    .command('check-smtp')
    .description('connect to SMTP_URL (TLS and auth as configured) and show what the server answers; sends nothing unless --to')
    .option('--to <addr>', 'also send one short test message from EMAIL_FROM to this address')
    .action(async (options) => done(await (await import('./check-smtp.js')).checkSmtpCommand(options, context)));

  program
    .command('mail-sink')
    .description('a local SMTP server that keeps every message and serves the MailHog HTTP API (Ctrl-C stops it)')
    .option('--smtp-port <port>', 'SMTP port on 127.0.0.1', port, 1025)
    .option('--http-port <port>', 'HTTP API port on 127.0.0.1', port, 8025)
    .action(async (options) => {
      const command = await developmentCommand('mail-sink', () => import('./mail-sink.js'), context);
      done(command ? await command.mailSinkCommand(options, context) : EXIT.usage);
    });

  program
    .command('demo')
    .description('the whole job on embedded parts (PostgreSQL, an archive stand-in, a mail sink): needs only Node')
    .option('--keep', 'leave the mail sink running until Ctrl-C, to look at the messages', false)
    .action(async (options) => {
      const command = await developmentCommand('demo', () => import('./demo.js'), context);
      done(command ? await command.demoCommand(options, context) : EXIT.usage);
    });

  return program;
}

/** Whether the command line asks for JSON: a command that takes `--json`, given it before any `--`. */
function asksForJson(program: Command, argv: readonly string[]): boolean {
  const command = program.commands.find((candidate) => candidate.name() === argv[0]);
  const end = argv.indexOf('--');
  const options = end < 0 ? argv : argv.slice(0, end);
  return command?.options.some((option) => option.long === '--json') === true && options.includes('--json');
}

/**
 * Parses argv and runs the command; usage errors exit 2 (docs/commands.md#exit-codes), --help and --version exit 0.
 * A usage error of a command given `--json` also prints the error document (docs/commands.md#error-json): a script
 * reading stdout gets one JSON document whatever went wrong.
 */
export async function runCli(argv: readonly string[], context: CommandContext): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(context, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    // Anything else is a usage error: `commander.help` too, the help shown on stderr for a missing command.
    if (asksForJson(program, argv)) {
      const message = error.message.replace(/^error: /, '');
      context.stdout.write(`${jsonText({ error: { kind: 'usage', message }, exitCode: EXIT.usage })}\n`);
    }
    return EXIT.usage;
  }
}
