import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, type FileHandle, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SettingError } from '../config/setting-error.js';
import { MODES, type Mode } from '../domain/mode.js';
import { metricsFileText } from './metrics-text.js';
import type { RunSummary } from './run-summary.js';

/** METRICS_FILE cannot be written: a configuration problem (exit 2), found before the run does any work. */
export class MetricsFileError extends SettingError {
  constructor(path: string, problem: string) {
    super('METRICS_FILE', `${path}: ${problem}`);
  }
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/**
 * The file of one mode, beside the one `METRICS_FILE` names: `yougotdata.prom` gives `yougotdata-pi.prom` and
 * `yougotdata-check.prom`. Each mode's runs write their own file only, so a PI and a CHECK run that end at the same
 * moment (both timers catch up after downtime) cannot undo each other; node_exporter reads both, and any other
 * `*.prom` of the folder.
 */
export function modeMetricsFile(setting: string, mode: Mode): string {
  // METRICS_FILE ends in .prom (checkMetricsFile): the mode goes before it.
  return join(dirname(setting), `${basename(setting).slice(0, -'.prom'.length)}-${mode}.prom`);
}

/**
 * Throws a MetricsFileError unless a run could write the files of `path` (METRICS_FILE): a `.prom` name, in an
 * existing folder this process may create files in, and neither it nor a mode's file a folder. Creates nothing.
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
  for (const file of [path, ...MODES.map((mode) => modeMetricsFile(path, mode))]) {
    try {
      if ((await lstat(file)).isDirectory()) throw new MetricsFileError(path, file === path ? 'is a folder' : `${file} is a folder`);
    } catch (error) {
      if (error instanceof MetricsFileError) throw error;
      if (codeOf(error) !== 'ENOENT') throw new MetricsFileError(path, `${file} cannot be inspected (${codeOf(error) ?? String(error)})`);
    }
  }
}

/**
 * Writes the metrics file of the run's mode (see metricsFileText for what it holds), from the summary alone, nothing
 * read back; replacing it atomically: node_exporter may read it at any moment and must see the old file or the new
 * one, never a part. Then removes the file `setting` itself names, where earlier versions kept both modes: its stale
 * series would stand in for a mode whose own file is missing. Throws if the file cannot be written, leaving no
 * temporary file behind.
 */
export async function writeMetricsFile(setting: string, summary: RunSummary): Promise<void> {
  const path = modeMetricsFile(setting, summary.mode);
  const text = metricsFileText(summary);
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
  await unlink(setting).catch((error: unknown) => {
    if (codeOf(error) !== 'ENOENT') throw error;
  });
}
