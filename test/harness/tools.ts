import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

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
