import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, type FileHandle, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SettingError } from '../config/setting-error.js';
import { metricsFileText } from './metrics-text.js';
import type { RunSummary } from './run-summary.js';

/** METRICS_FILE cannot be written: a configuration problem (exit 2), found before the run does any work. */
export class MetricsFileError extends SettingError {
  constructor(path: string, problem: string) {
    super('METRICS_FILE', `${path}: ${problem}`);
  }
}

// Ours is a few kilobytes; anything much larger is not our file, and not worth reading into memory.
const MAX_PREVIOUS_BYTES = 1024 * 1024;

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/**
 * Throws a MetricsFileError unless a run could write `path`: a `.prom` name, in an existing folder
 * this process may create files in, and not itself a folder. Creates nothing.
 */
export async function checkMetricsFile(path: string): Promise<void> {
  // node_exporter's textfile collector reads only *.prom files: any other name would never be collected.
  if (!basename(path).endsWith('.prom')) {
    throw new MetricsFileError(path, 'must be a file name ending in .prom (node_exporter reads only those)');
  }
  const folder = dirname(resolve(path));
  let folderStat: Stats;
  try {
    folderStat = await stat(folder);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') throw new MetricsFileError(path, `the folder ${folder} does not exist`);
    if (codeOf(error) === 'ENOTDIR') throw new MetricsFileError(path, `a part of ${folder} is not a folder`);
    throw new MetricsFileError(path, `the folder ${folder} cannot be read (${codeOf(error) ?? String(error)})`);
  }
  if (!folderStat.isDirectory()) throw new MetricsFileError(path, `${folder} is not a folder`);
  try {
    // Write to create the temporary file, search to rename it over the target.
    await access(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new MetricsFileError(path, `the folder ${folder} is not writable by this user (${codeOf(error) ?? String(error)})`);
  }
  try {
    if ((await lstat(path)).isDirectory()) throw new MetricsFileError(path, 'is a folder');
  } catch (error) {
    if (error instanceof MetricsFileError) throw error;
    if (codeOf(error) !== 'ENOENT') throw new MetricsFileError(path, `cannot be inspected (${codeOf(error) ?? String(error)})`);
  }
}

/** The previous file's text, or null when there is none or it cannot be read: then it is simply replaced. */
async function readPrevious(path: string): Promise<string | null> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_PREVIOUS_BYTES) return null;
    return await handle.readFile('utf8');
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes the metrics file after a run (see metricsFileText for what it holds), replacing it
 * atomically: node_exporter may read it at any moment and must see the old file or the new one,
 * never a part. Throws if it cannot be written, leaving no temporary file behind.
 */
export async function writeMetricsFile(path: string, summary: RunSummary): Promise<void> {
  const text = metricsFileText(await readPrevious(path), summary);
  // In the same folder, so the rename stays on one file system; not ending in .prom, so node_exporter never reads it half-written.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(temporary, 'wx', 0o644);
    created = true;
    await handle.writeFile(text, 'utf8');
    // The mode given to open is narrowed by the umask (cron's may be 077); node_exporter may run as another user.
    await handle.chmod(0o644);
    // On disk before the rename, so a crash cannot leave the target name on an empty file.
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    if (created) await unlink(temporary).catch(() => {});
    throw error;
  }
}
