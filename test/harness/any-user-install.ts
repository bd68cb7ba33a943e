/**
 * The built command copied where any user may run it. Postfix runs a pipe as nobody, and a checkout may sit in a
 * folder only its owner may enter (root's home on a CI machine), where nobody cannot load dist/cli.js. The copy holds
 * what an install holds: package.json, dist, migrations, templates and the production packages (the entries of
 * package-lock.json not marked dev; a package's own nested ones come with it).
 */
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));

export interface AnyUserInstall {
  /** The copy's dist/cli.js. */
  cli: string;
  remove(): void;
}

export function installForAnyUser(): AnyUserInstall {
  const root = mkdtempSync(join(tmpdir(), 'ygd-install-'));
  chmodSync(root, 0o755);
  const lock = JSON.parse(readFileSync(join(CHECKOUT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const topLevel = /^node_modules\/(@[^/]+\/)?[^/]+$/;
  const packages = Object.entries(lock.packages)
    .filter(([path, entry]) => topLevel.test(path) && !entry.dev)
    .map(([path]) => path);
  for (const path of ['package.json', 'dist', 'migrations', 'templates', ...packages])
    cpSync(join(CHECKOUT, path), join(root, path), { recursive: true });
  return { cli: join(root, 'dist', 'cli.js'), remove: () => rmSync(root, { recursive: true, force: true }) };
}
