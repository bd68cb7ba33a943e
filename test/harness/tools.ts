import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A program from Debian's packages that some tests drive (Chromium, promtool, node_exporter): the first of `names`
 * that is executable, at its path or on PATH. `.ci/run` installs them all and sets CI, so there a missing one fails
 * the run; on a developer's machine without it, the tests that need it are skipped and this says what to install.
 */
export function debianTool(names: readonly string[], apt: string): string | null {
  const candidates = names.flatMap((name) =>
    name.startsWith('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((folder) => join(folder, name)),
  );
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  const missing = `${names.join(' or ')} not found: apt-get install -y ${apt}`;
  if (process.env.CI) throw new Error(`${missing} (.ci/run installs it)`);
  console.warn(`${missing}; the tests that need it are skipped`);
  return null;
}

/** Resolves once something listens on 127.0.0.1:`port` (a daemon just started); `gone` says it died trying. */
export async function waitForPort(port: number, what: string, gone: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < 100 && !gone(); i += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port}`);
}
