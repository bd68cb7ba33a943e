#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20 --optimize-for-size
// The #! line gives node a 2 MB young generation, has V8 collect the old one once it has grown 20 % past what the
// last full collection kept (not up to 4 times that), and has V8 favour memory over speed: a long run's memory peaks
// about 10 MB lower for about 3 % more time (the figures are in README.md#performance).

import { processContext } from './cli/process-context.js';
import { runCli } from './cli/program.js';
import { drained } from './streams/drained.js';

/** A pipe (cron's mailer, `| jq`) takes what it holds and the rest as the reader drains it: wait for that. */
const flushed = (stream: NodeJS.WriteStream) => (stream.writableLength === 0 ? Promise.resolve() : drained(stream));

// Exit explicitly once the output is out: a command that has returned owes nothing more, and cron must not wait on a stray handle.
const code = await runCli(process.argv.slice(2), processContext());
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
