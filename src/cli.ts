#!/usr/bin/env node
import { runCli } from './cli/program.js';
import { processContext } from './cli/context.js';

// Exit explicitly: a command that has returned owes nothing more, and cron must not wait on a stray handle.
process.exit(await runCli(process.argv.slice(2), processContext()));
