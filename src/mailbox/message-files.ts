/**
 * Messages kept as files, for `bounce FILE|MAILDIR …`: a file is one message; a Maildir's messages are the files of
 * its `new/` and `cur/`; any other folder's are the files in it. Only the head of a large file is read.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingMessagePath } from './failures.js';
import type { MessageHead } from './message-stream.js';

async function kindOf(path: string): Promise<'file' | 'folder'> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'folder';
    if (info.isFile()) return 'file';
    throw new MissingMessagePath(`${path}: neither a message file nor a folder of messages`);
  } catch (error) {
    if (error instanceof MissingMessagePath) throw error;
    throw new MissingMessagePath(
      `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`,
    );
  }
}

/** The message files of a folder, in name order; hidden files and sub-folders left out. */
async function filesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(folder, entry.name))
    .sort();
}

/** Every message file the paths name, in the order given; a path that is neither throws MissingMessagePath. */
export async function messageFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await kindOf(path)) === 'file') {
      files.push(path);
      continue;
    }
    const names = new Set(await readdir(path));
    const maildir = names.has('cur') || names.has('new');
    if (!maildir) files.push(...(await filesIn(path)));
    for (const sub of ['new', 'cur']) if (maildir && names.has(sub)) files.push(...(await filesIn(join(path, sub))));
  }
  return files;
}

/** The first `limit` bytes of a file, and its size. */
export async function readMessageFile(path: string, limit: number): Promise<MessageHead> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(Math.min(size, limit));
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await file.read(buffer, read, buffer.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { bytes: buffer.subarray(0, read), size };
  } finally {
    await file.close();
  }
}
