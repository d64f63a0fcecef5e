import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, uiDirOf } from '../../electron/core/headless/ensure-ui';

const root = resolve(import.meta.dirname, '..', '..');
let copy: string;

// A copy of the project without out/ (node_modules linked), as right after `npm install`.
beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'keygate-fresh-'));
  for (const entry of ['electron', 'renderer', 'resources', 'package.json', 'electron.vite.config.ts', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.web.json']) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('ensureUiBuilt', () => {
  it('builds the UI when out/renderer/index.html is missing, then leaves it alone', () => {
    const lines: string[] = [];
    expect(existsSync(join(uiDirOf(copy), 'index.html'))).toBe(false);
    expect(ensureUiBuilt(copy, (line) => lines.push(line))).toBeNull();
    expect(lines).toEqual([expect.stringContaining('building it')]);
    expect(readFileSync(join(uiDirOf(copy), 'index.html'), 'utf8')).toMatch(/<script type="module"[^>]*src="\.\/assets\//);
    expect(ensureUiBuilt(copy, (line) => lines.push(line))).toBeNull();
    expect(lines).toHaveLength(1);
  }, 120_000);

  it('says what to do when electron-vite is not installed', () => {
    const bare = mkdtempSync(join(tmpdir(), 'keygate-bare-'));
    try {
      expect(ensureUiBuilt(bare, () => {})).toMatch(/npm install/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
