import type { TestProject } from 'vitest/node';
import { EmbeddedPostgresUnavailable, postgresServer } from '../../src/demo/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/** TEST_DATABASE_URL (CI: the server on 127.0.0.1:5432) or, without it, one embedded server for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const server = await postgresServer(process.env, ['TEST_DATABASE_URL']);
    project.provide('adminDatabaseUrl', server.adminUrl);
    return () => server.stop();
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresUnavailable)) throw error;
    // One line that says what to do, rather than a stack trace from inside the test runner.
    process.stderr.write(`yougotdata tests: ${error.message}\n`);
    process.exit(1);
  }
}
