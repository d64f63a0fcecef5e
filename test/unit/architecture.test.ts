import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier a file imports, statically or dynamically, or re-exports from. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const patterns = [/\bimport\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bexport\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

describe('architecture', () => {
  it('electron/core and electron/shared never import electron', () => {
    const offenders = [...sourceFiles('electron/core'), ...sourceFiles('electron/shared')].filter((file) =>
      importsOf(file).some((spec) => spec === 'electron' || spec.startsWith('electron/')),
    );
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('electron/shared imports no Node built-ins (the renderer uses it too)', () => {
    const offenders = sourceFiles('electron/shared').filter((file) => importsOf(file).some((spec) => nodeBuiltins.has(spec)));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('electron/shared and the renderer never import core or main', () => {
    const offenders = [...sourceFiles('electron/shared'), ...sourceFiles('renderer')].filter((file) =>
      importsOf(file).some((spec) => /\/(core|main)\//.test(spec)),
    );
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('finds imports the way the check needs to (so the checks above can fail)', () => {
    const sample = join(root, 'electron/core/store/database.ts');
    expect(importsOf(sample)).toContain('better-sqlite3');
    expect(importsOf(sample)).toContain('node:fs');
  });
});
