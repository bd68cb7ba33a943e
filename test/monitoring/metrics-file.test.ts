/**
 * The metrics files on disk: one per mode beside METRICS_FILE, the start check, the atomic replacement node_exporter
 * relies on, two modes written at the same moment, the earlier versions' shared file removed, and what is left
 * behind when a write fails.
 */
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingError } from '../../src/config/settings.js';
import { checkMetricsFile, MetricsFileError, modeMetricsFile, writeMetricsFile } from '../../src/monitoring/metrics-file.js';
import { metricsFileText } from '../../src/monitoring/metrics-text.js';
import { failedCheckSummary, runSummary } from '../harness/run-summary.js';

let dir: string;
let target: string;
let piFile: string;
let checkFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yougotdata-metrics-'));
  target = join(dir, 'yougotdata.prom');
  piFile = join(dir, 'yougotdata-pi.prom');
  checkFile = join(dir, 'yougotdata-check.prom');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('modeMetricsFile', () => {
  it.each([
    ['/var/lib/node_exporter/yougotdata.prom', 'pi', '/var/lib/node_exporter/yougotdata-pi.prom'],
    ['/var/lib/node_exporter/yougotdata.prom', 'check', '/var/lib/node_exporter/yougotdata-check.prom'],
    ['relative/site.north.prom', 'pi', 'relative/site.north-pi.prom'],
    ['/d/.prom', 'check', '/d/-check.prom'],
  ] as const)('%s, %s mode: %s, beside it and ending in .prom', (setting, mode, file) => {
    expect(modeMetricsFile(setting, mode)).toBe(file);
  });
});

describe('writeMetricsFile', () => {
  it("writes the text of the run to its mode's file, readable by all (0644) even under a umask of 077, and nothing else", async () => {
    const umask = process.umask(0o077);
    try {
      await writeMetricsFile(target, runSummary());
    } finally {
      process.umask(umask);
    }
    expect(await readFile(piFile, 'utf8')).toBe(metricsFileText(runSummary()));
    expect((await stat(piFile)).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(['yougotdata-pi.prom']);
  });

  it('a CHECK run writes its own file and leaves the PI file as it was, byte for byte and inode', async () => {
    await writeMetricsFile(target, runSummary());
    const before = await stat(piFile);
    await writeMetricsFile(target, failedCheckSummary());
    expect(await readFile(checkFile, 'utf8')).toBe(metricsFileText(failedCheckSummary()));
    expect(await readFile(piFile, 'utf8')).toBe(metricsFileText(runSummary()));
    expect((await stat(piFile)).ino).toBe(before.ino);
    expect((await readdir(dir)).sort()).toEqual(['yougotdata-check.prom', 'yougotdata-pi.prom']);
  });

  it('a PI and a CHECK run ending at the same moment, 20 times over: both modes are there after each', async () => {
    let kept = 0;
    for (let round = 0; round < 20; round++) {
      const pi = runSummary({ archiveRequests: round });
      const check = failedCheckSummary({ archiveRequests: round });
      await Promise.all([writeMetricsFile(target, pi), writeMetricsFile(target, check)]);
      const [piText, checkText] = await Promise.all([readFile(piFile, 'utf8'), readFile(checkFile, 'utf8')]);
      if (piText === metricsFileText(pi) && checkText === metricsFileText(check)) kept += 1;
    }
    expect(kept).toBe(20);
  });

  it('removes the file METRICS_FILE itself names, where earlier versions kept both modes, and leaves other files alone', async () => {
    await writeFile(target, 'yougotdata_last_run_exit_code{mode="check"} 0\n');
    await writeFile(join(dir, 'node.prom'), 'other_metric 1\n');
    await writeMetricsFile(target, runSummary());
    expect((await readdir(dir)).sort()).toEqual(['node.prom', 'yougotdata-pi.prom']);
    expect(await readFile(join(dir, 'node.prom'), 'utf8')).toBe('other_metric 1\n');
  });

  it('is never seen in part: a reader sees the old whole file or the new one, and no other .prom file appears', async () => {
    await writeMetricsFile(target, runSummary());
    const whole = new Set([metricsFileText(runSummary()), metricsFileText(runSummary({ exitCode: 1 }))]);
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const [text, names] = await Promise.all([readFile(piFile, 'utf8'), readdir(dir)]);
        expect(whole.has(text)).toBe(true);
        expect(names.filter((name) => name.endsWith('.prom'))).toEqual(['yougotdata-pi.prom']);
        reads += 1;
      }
    })();
    // Its failure is reported when it is awaited below, after the writes.
    reader.catch(() => {});
    try {
      let inode = (await stat(piFile)).ino;
      for (let run = 0; run < 150; run++) {
        await writeMetricsFile(target, runSummary({ exitCode: run % 2 }));
        // A new file renamed into place each time, not the old one rewritten where a reader could see it half done.
        const next = (await stat(piFile)).ino;
        expect(next).not.toBe(inode);
        inode = next;
      }
    } finally {
      writing = false;
      await reader;
    }
    expect(reads).toBeGreaterThan(20);
    expect(await readdir(dir)).toEqual(['yougotdata-pi.prom']);
  });

  it("fails, leaving no temporary file, when the mode's file cannot be replaced", async () => {
    await mkdir(join(piFile, 'in-the-way'), { recursive: true });
    await expect(writeMetricsFile(target, runSummary())).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['yougotdata-pi.prom']);
    expect(await readdir(piFile)).toEqual(['in-the-way']);
  });

  it('fails, creating nothing, when the folder has gone since the start check', async () => {
    await expect(writeMetricsFile(join(dir, 'gone', 'yougotdata.prom'), runSummary())).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('checkMetricsFile', () => {
  const problemWith = async (path: string): Promise<MetricsFileError> => {
    const error = await checkMetricsFile(path).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(MetricsFileError);
    return error as MetricsFileError;
  };

  it('passes for a .prom file in a writable folder, whether or not it exists yet, and creates nothing', async () => {
    await checkMetricsFile(target);
    expect(await readdir(dir)).toEqual([]);
    await writeFile(target, 'anything\n');
    await checkMetricsFile(target);
    expect(await readFile(target, 'utf8')).toBe('anything\n');
  });

  it('names METRICS_FILE in a configuration error (exit 2) when the folder does not exist', async () => {
    const missing = join(dir, 'no-such-folder', 'yougotdata.prom');
    const error = await problemWith(missing);
    expect(error).toBeInstanceOf(SettingError);
    expect(error.variable).toBe('METRICS_FILE');
    expect(error.message).toBe(`METRICS_FILE ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says so when the folder is a file, or a part of its path is', async () => {
    await writeFile(join(dir, 'plain'), '');
    expect((await problemWith(join(dir, 'plain', 'yougotdata.prom'))).message).toMatch(/plain is not a folder$/);
    expect((await problemWith(join(dir, 'plain', 'sub', 'yougotdata.prom'))).message).toMatch(/a part of .*plain\/sub is not a folder$/);
  });

  it('refuses a name node_exporter would not read', async () => {
    for (const name of ['yougotdata.txt', 'yougotdata.prom.tmp', 'yougotdata']) {
      expect((await problemWith(join(dir, name))).message).toMatch(/must be a file name ending in \.prom/);
    }
  });

  it("refuses a target that is a folder, or a mode's file that is", async () => {
    await mkdir(target);
    expect((await problemWith(target)).message).toBe(`METRICS_FILE ${target}: is a folder`);
    await rm(target, { recursive: true });
    await mkdir(checkFile);
    expect((await problemWith(target)).message).toBe(`METRICS_FILE ${target}: ${checkFile} is a folder`);
  });

  it('refuses a folder this user cannot write to', async () => {
    // Root may write anywhere, so under root the check runs as nobody: on the built module, copied with the few it
    // imports to where nobody can read it (the checkout may be in a folder only root may enter).
    const asRoot = process.getuid?.() === 0;
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly, { mode: 0o555 });
    await chmod(readOnly, 0o555);
    await chmod(dir, 0o755);
    const built = join(dir, 'built');
    for (const file of [
      'monitoring/metrics-file.js',
      'monitoring/metrics-text.js',
      'bounce/reading.js',
      'config/setting-error.js',
      'domain/mode.js',
      'domain/result.js',
    ]) {
      await mkdir(dirname(join(built, file)), { recursive: true, mode: 0o755 });
      await copyFile(fileURLToPath(new URL(`../../dist/${file}`, import.meta.url)), join(built, file));
    }
    await writeFile(join(built, 'package.json'), '{"type":"module"}');
    const script = [
      `import { checkMetricsFile } from ${JSON.stringify(pathToFileURL(join(built, 'monitoring/metrics-file.js')).href)};`,
      'checkMetricsFile(process.argv[1]).then(() => console.log("passed"), (error) => console.log(error.message));',
    ].join('\n');
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, join(readOnly, 'yougotdata.prom')], {
        cwd: built,
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', () => resolve(text.trim()));
    });
    expect(output).toBe(`METRICS_FILE ${join(readOnly, 'yougotdata.prom')}: the folder ${readOnly} is not writable by this user (EACCES)`);
    expect(await readdir(readOnly)).toEqual([]);
  });
});
