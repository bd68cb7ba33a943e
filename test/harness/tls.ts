import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SinkTls } from '../../src/sink/index.js';

/** The self-signed test certificate; as a PEM file it is also the authority a client must be told to trust. */
export const LOCALHOST_CERT_FILE = fileURLToPath(new URL('../fixtures/tls/localhost.crt', import.meta.url));

export const localhostTls: SinkTls = {
  cert: readFileSync(LOCALHOST_CERT_FILE),
  key: readFileSync(fileURLToPath(new URL('../fixtures/tls/localhost.key', import.meta.url))),
};
