import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SinkTls } from '../../src/sink/index.js';

/** The self-signed test certificate; as a PEM file it is also the authority a client must be told to trust. */
export const LOCALHOST_CERT_FILE = fileURLToPath(new URL('../fixtures/tls/localhost.crt', import.meta.url));

export const localhostTls: SinkTls = {
  cert: readFileSync(LOCALHOST_CERT_FILE),
  key: readFileSync(fileURLToPath(new URL('../fixtures/tls/localhost.key', import.meta.url))),
};

/**
 * How a process of this node reports the self-signed test certificate, advice included: NODE_EXTRA_CA_CERTS always,
 * `--use-system-ca` once where this node has the flag (Node 24's own hint is folded into it; children get no NODE_OPTIONS).
 */
export const UNTRUSTED_CERTIFICATE =
  "self-signed certificate (the server's certificate is not signed by an authority node trusts: " +
  'if the relay uses a private authority, give its certificate (PEM) in NODE_EXTRA_CA_CERTS' +
  (process.allowedNodeEnvironmentFlags.has('--use-system-ca')
    ? "; if the authority is in this machine's certificate store, set NODE_OPTIONS=--use-system-ca)"
    : ')');
