import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database';
import { betterSqlite3Dir, describeNativeLoadError, nativeBindingPath, runtimeOf } from '../../electron/core/store/native-binding';

const scratch = mkdtempSync(join(tmpdir(), 'keygate-native-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The error better-sqlite3 throws for `nativeBinding: file`. */
function loadError(file: string): unknown {
  try {
    new BetterSqlite3(':memory:', { nativeBinding: file }).close();
  } catch (error) {
    return error;
  }
  throw new Error(`${file} loaded`);
}

describe('runtimeOf', () => {
  it('is electron inside Electron and node elsewhere', () => {
    expect(runtimeOf({ ...process.versions, electron: '45.5.0' })).toBe('electron');
    expect(runtimeOf(process.versions)).toBe('node');
  });
});

describe('nativeBindingPath', () => {
  it('gives Node and Electron each their own build, side by side in the package', () => {
    expect(nativeBindingPath('/p/node_modules/better-sqlite3', 'node')).toBe('/p/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(nativeBindingPath('/p/node_modules/better-sqlite3', 'electron')).toBe(
      '/p/node_modules/better-sqlite3/build-electron/Release/better_sqlite3.node',
    );
  });

  it('reads a packaged app’s build from app.asar.unpacked', () => {
    expect(nativeBindingPath('/opt/Keygate/resources/app.asar/node_modules/better-sqlite3', 'electron')).toBe(
      '/opt/Keygate/resources/app.asar.unpacked/node_modules/better-sqlite3/build-electron/Release/better_sqlite3.node',
    );
  });

  it('is the file this Node process loads when it opens the store', () => {
    const file = nativeBindingPath(betterSqlite3Dir(), 'node');
    expect(existsSync(file)).toBe(true);
    openDatabase(':memory:').close();
    expect(createRequire(import.meta.url).cache[file]).toBeDefined();
  });
});

describe('describeNativeLoadError', () => {
  const context = { runtime: 'node' as const, abi: process.versions.modules };

  it('says the Node build is missing and how to build it', () => {
    const file = join(scratch, 'missing', 'better_sqlite3.node');
    const message = describeNativeLoadError(loadError(file), { ...context, file });
    expect(message).toContain(`${file} is missing`);
    expect(message).toContain('npm rebuild better-sqlite3');
  });

  it('says the build is another runtime’s (Electron’s ABI) and how to rebuild it for Node', () => {
    const file = '/p/build/Release/better_sqlite3.node';
    const error = Object.assign(
      new Error(
        `The module '${file}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 150. This version of Node.js requires\nNODE_MODULE_VERSION ${process.versions.modules}.`,
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    const message = describeNativeLoadError(error, { ...context, file });
    expect(message).toContain(`NODE_MODULE_VERSION 150; this Node needs ${process.versions.modules}`);
    expect(message).toContain('npm rebuild better-sqlite3');
  });

  it('passes on the loader’s reason for any other file that does not load', () => {
    const file = join(scratch, 'garbage.node');
    writeFileSync(file, 'not a shared object');
    const message = describeNativeLoadError(loadError(file), { ...context, file });
    expect(message).toMatch(/does not load in Node \(.+\)/);
    expect(message).toContain('npm rebuild better-sqlite3');
  });

  it('points the desktop app at the Electron build step', () => {
    const file = '/p/build-electron/Release/better_sqlite3.node';
    const error = Object.assign(new Error(`Cannot find module '${file}'`), { code: 'MODULE_NOT_FOUND' });
    const message = describeNativeLoadError(error, { runtime: 'electron', abi: '150', file });
    expect(message).toContain('for Electron is not built');
    expect(message).toContain('ensure-native.ts electron');
  });

  it('leaves errors that are not about loading the module alone', () => {
    const file = nativeBindingPath(betterSqlite3Dir(), 'node');
    const db = new BetterSqlite3(':memory:', { nativeBinding: file });
    let sqlError: unknown;
    try {
      db.prepare('SELECT * FROM nowhere').all();
    } catch (error) {
      sqlError = error;
    }
    db.close();
    expect(describeNativeLoadError(sqlError, { ...context, file })).toBeNull();
    const other = Object.assign(new Error("Cannot find module 'zod'"), { code: 'MODULE_NOT_FOUND' });
    expect(describeNativeLoadError(other, { ...context, file })).toBeNull();
  });
});
