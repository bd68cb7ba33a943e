import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * The folders of src/ and which others each may import, as ARCHITECTURE.md draws them: the core never reaches the
 * command line, the demo or the mail sink, and the vocabulary depends on nothing.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  addresses: [],
  text: [],
  streams: [],
  archive: ['domain'],
  config: ['addresses'],
  db: ['domain'],
  mail: ['domain', 'addresses', 'archive', 'config', 'text'],
  run: ['domain', 'addresses', 'archive', 'db', 'mail', 'text'],
  preview: ['domain', 'addresses', 'mail', 'run', 'text'],
  support: ['domain', 'addresses', 'archive', 'db', 'mail', 'run', 'text'],
  log: ['domain', 'text'],
  monitoring: ['domain', 'config', 'text'],
  bounce: ['addresses'],
  sink: ['streams'],
  demo: ['domain', 'archive', 'streams'],
  cli: [
    'domain',
    'addresses',
    'text',
    'streams',
    'archive',
    'config',
    'db',
    'mail',
    'run',
    'preview',
    'support',
    'log',
    'monitoring',
    'sink',
    'demo',
  ],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0] ?? '';

/** Every relative import of each file, as the src/ folder it lands in. */
const imports = sources(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(([, spec]) => ({
    file: relative(SRC, file),
    from: folderOf(file),
    to: folderOf(resolve(dirname(file), spec ?? '')),
  })),
);

describe('the folders of src/ import only what ARCHITECTURE.md allows', () => {
  it('knows every folder', () => {
    const folders = new Set(
      sources(SRC)
        .map(folderOf)
        .filter((folder) => !folder.endsWith('.ts')),
    );
    expect([...folders].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it.each(Object.entries(MAY_IMPORT))('%s', (folder, allowed) => {
    const outside = imports
      .filter((i) => i.from === folder && i.to !== folder && !allowed.includes(i.to))
      .map((i) => `${i.file} → ${i.to}`);
    expect(outside).toEqual([]);
  });
});
