/**
 * The folder of `send --dry-run --out DIR` and the files in it. The preview names every recipient, so the folder is
 * this user's alone and no file is written through a link someone else planted.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, stat, unlink } from 'node:fs/promises';

/** `--out DIR` cannot hold the preview safely: a usage error (exit 2), found before the run does any work. */
export class OutFolderError extends Error {
  constructor(
    readonly dir: string,
    problem: string,
  ) {
    super(`--out ${dir}: ${problem}`);
  }
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/**
 * The preview names every recipient: only this user may read it. Ours means owned by this process's user, the
 * link and the folder it names alike (a folder someone else made in /tmp, or a link they planted, is refused).
 */
export async function preparedFolder(dir: string): Promise<void> {
  let link: Stats;
  try {
    link = await lstat(dir);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw new OutFolderError(dir, `cannot be inspected (${codeOf(error) ?? String(error)})`);
    // Its missing parents too: 0700, less under a stricter umask.
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((cause: unknown) => {
      throw new OutFolderError(dir, `cannot be created (${codeOf(cause) ?? String(cause)})`);
    });
    link = await lstat(dir);
  }
  const folder = link.isSymbolicLink() ? await stat(dir).catch(() => null) : link;
  if (!folder?.isDirectory()) throw new OutFolderError(dir, 'is not a folder');
  const me = process.getuid?.();
  const owner = [link, folder].find((entry) => me !== undefined && entry.uid !== me);
  if (owner) {
    throw new OutFolderError(
      dir,
      `is owned by another user (uid ${owner.uid}); the preview names every recipient, so it goes only in a folder ` +
        'of your own: give a new path (it is created readable by you alone), e.g. ~/preview',
    );
  }
}

/**
 * Creates `path` anew with `data`, readable by its owner alone (0600): a file or link of that name is removed
 * first, and the file is opened exclusively, never through a link, so no planted link can make the run write
 * elsewhere.
 */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (codeOf(error) !== 'ENOENT') throw error;
  });
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}
