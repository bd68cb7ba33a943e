import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** The rows of the markdown table under `## heading` in ARCHITECTURE.md, each a list of cells (header and rule left out). */
function tableUnder(heading: string): string[][] {
  const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const section = doc.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split('|')
        .map((cell) => cell.trim()),
    );
  return rows.slice(2);
}

/** `` `db/` `` → `db`. */
const folderName = (cell: string) => /^`([a-z-]+)\/`$/.exec(cell)?.[1];

/**
 * The folders of src/ and which others each may import, as ARCHITECTURE.md's table draws them: "nothing", "everything"
 * or a list of folder names, each perhaps followed by a remark in parentheses.
 */
const MAY_IMPORT: Record<string, readonly string[]> = (() => {
  const rows = tableUnder('Folders').map(([folder = '', , allowed = '']) => ({ folder: folderName(folder), allowed }));
  const folders = rows.flatMap(({ folder }) => (folder ? [folder] : []));
  const names = (allowed: string) =>
    allowed === 'nothing'
      ? []
      : allowed === 'everything'
        ? folders
        : allowed
            .replace(/\([^)]*\)/g, '')
            .split(',')
            .map((name) => name.trim());
  return Object.fromEntries(rows.map(({ folder, allowed }) => [folder ?? `(unreadable row: ${allowed})`, names(allowed)]));
})();

/** The packages ARCHITECTURE.md confines to some folders: package → the folders that may import it. */
const PACKAGE_HOMES: Record<string, readonly string[]> = Object.fromEntries(
  tableUnder('Packages').map(([pkg = '', homes = '']) => [
    /^`([^`]+)`$/.exec(pkg)?.[1] ?? `(unreadable row: ${pkg})`,
    [...homes.matchAll(/`([a-z-]+)\/`/g)].map(([, folder]) => folder ?? ''),
  ]),
);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const FILES = sources(SRC).map((file) => relative(SRC, file));
const folderOf = (file: string) => file.split('/')[0] ?? '';

/** Every module each file names: `import … from`, `export … from`, `import '…'` and `import('…')`, types included. */
const SPECIFIERS = new Map(
  FILES.map((file) => [
    file,
    [...readFileSync(join(SRC, file), 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'([^']+)'/g)].map(([, spec]) => spec ?? ''),
  ]),
);

/** Each relative import as the file of src/ it lands in (`./x.js` is `x.ts`). */
const edges = [...SPECIFIERS].flatMap(([file, specs]) =>
  specs
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ file, to: relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\.js$/, '.ts') })),
);

/** `pg`, `nodemailer/lib/addressparser` → `nodemailer`, `@scope/name/x` → `@scope/name`; null for node's own modules. */
const packageOf = (spec: string): string | null =>
  spec.startsWith('node:')
    ? null
    : spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');

/** The groups of files that import each other in a circle (strongly connected components of more than one file, or a file importing itself). */
function circles(): string[][] {
  const next = new Map<string, string[]>(FILES.map((file) => [file, []]));
  for (const { file, to } of edges) next.get(file)?.push(to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(to) ?? 0));
      } else if (stack.includes(to)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member !== undefined) group.push(member);
    } while (member !== undefined && member !== file);
    if (group.length > 1 || next.get(file)?.includes(file)) found.push(group.sort());
  };
  for (const file of FILES) if (!index.has(file)) visit(file);
  return found;
}

describe('the folders of src/ import only what ARCHITECTURE.md allows', () => {
  it('knows every folder', () => {
    const folders = new Set(FILES.map(folderOf).filter((folder) => !folder.endsWith('.ts')));
    expect([...folders].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
    for (const allowed of Object.values(MAY_IMPORT)) expect(allowed.filter((name) => !(name in MAY_IMPORT))).toEqual([]);
  });

  it.each(Object.entries(MAY_IMPORT))('%s', (folder, allowed) => {
    const outside = edges
      .filter(({ file, to }) => folderOf(file) === folder && folderOf(to) !== folder && !allowed.includes(folderOf(to)))
      .map(({ file, to }) => `${file} → ${folderOf(to)}`);
    expect(outside).toEqual([]);
  });
});

describe('no files of src/ import each other in a circle', () => {
  it('every import lands on a file of src/', () => {
    expect(edges.filter(({ to }) => !FILES.includes(to)).map(({ file, to }) => `${file} → ${to}`)).toEqual([]);
  });

  it('none', () => {
    expect(circles().map((group) => group.join(' ⇄ '))).toEqual([]);
  });
});

describe('a package ARCHITECTURE.md confines is imported only in its folders', () => {
  it('the table names packages the project depends on, and folders of src/', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(PACKAGE_HOMES).length).toBeGreaterThan(0);
    for (const [pkg, homes] of Object.entries(PACKAGE_HOMES)) {
      expect(manifest.dependencies).toHaveProperty([pkg]);
      expect(homes.length).toBeGreaterThan(0);
      expect(homes.filter((folder) => !(folder in MAY_IMPORT))).toEqual([]);
    }
  });

  it.each(Object.entries(PACKAGE_HOMES))('%s', (pkg, homes) => {
    const elsewhere = [...SPECIFIERS].flatMap(([file, specs]) =>
      specs.some((spec) => packageOf(spec) === pkg) && !homes.includes(folderOf(file)) ? [file] : [],
    );
    expect(elsewhere).toEqual([]);
  });
});
