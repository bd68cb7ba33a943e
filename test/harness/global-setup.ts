import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/demo/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/** TEST_DATABASE_URL (CI: the server on 127.0.0.1:5432) or, without it, one embedded server for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    project.provide('adminDatabaseUrl', configured);
    return async () => {};
  }
  const server = await startEmbeddedPostgres();
  project.provide('adminDatabaseUrl', server.url);
  return () => server.stop();
}
