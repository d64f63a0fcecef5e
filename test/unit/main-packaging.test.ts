import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, matchesGlob, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeBindingPath } from '../../electron/core/store/native-binding';
import { iconPaths } from '../../electron/main/resource-paths';
import { DESKTOP_NODE_FLOOR } from '../../electron/tools/electron-download';
import { trayIconFile } from '../../electron/main/tray-model';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  productName: string;
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  build: {
    appId: string;
    productName: string;
    directories: { output: string; buildResources: string };
    files: string[];
    extraResources: { from: string; to: string; filter?: string[] }[];
    asarUnpack: string[];
    npmRebuild: boolean;
    mac: { target: string[]; icon: string };
    linux: { target: string[]; icon: string };
    win: { target: string[]; icon: string };
  };
};
const { build } = pkg;

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('ascii'), file).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** electron-builder's rule: later patterns win, `!` excludes. */
function included(patterns: string[], path: string): boolean {
  let result = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchesGlob(path, pattern.slice(1))) result = false;
    } else if (matchesGlob(path, pattern)) result = true;
  }
  return result;
}

/** electron-builder's rule for production dependencies: everything, minus the `!` patterns of `files`. */
function includedNodeModule(patterns: string[], path: string): boolean {
  return included(['**/*', ...patterns.filter((pattern) => pattern.startsWith('!'))], path);
}

describe('electron-builder configuration', () => {
  it('passes electron-builder\'s own schema', async () => {
    const require = createRequire(join(root, 'package.json'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(build, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...build, linux: { target: ['AppImage'], notAnOption: true } }, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('names the app Keygate, the same name the data folder uses in development and headless', () => {
    expect(build.appId).toBe('dev.keygate.app');
    expect(build.productName).toBe('Keygate');
    expect(pkg.productName).toBe('Keygate');
  });

  it('targets AppImage + deb, dmg and nsis', () => {
    expect(build.linux.target).toEqual(['AppImage', 'deb']);
    expect(build.mac.target).toEqual(['dmg']);
    expect(build.win.target).toEqual(['nsis']);
  });

  it('packages the build output, not the sources', () => {
    for (const path of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index-abc.js', 'package.json']) {
      expect(included(build.files, path), path).toBe(true);
    }
    for (const path of ['electron/main/index.ts', 'renderer/src/main.tsx', 'test/unit/main-packaging.test.ts', 'out/main/index.js.map', 'out/server/cli.js', 'docs/desktop.md', 'tsconfig.json']) {
      expect(included(build.files, path), path).toBe(false);
    }
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('ships better-sqlite3\'s Electron build, unpacked from the asar archive, and not the Node build', () => {
    const electronBuild = nativeBindingPath('node_modules/better-sqlite3', 'electron');
    expect(electronBuild).toBe('node_modules/better-sqlite3/build-electron/Release/better_sqlite3.node');
    expect(includedNodeModule(build.files, electronBuild)).toBe(true);
    expect(build.asarUnpack.some((pattern) => matchesGlob(electronBuild, pattern))).toBe(true);
    expect(includedNodeModule(build.files, 'node_modules/better-sqlite3/lib/index.js')).toBe(true);
    for (const path of [nativeBindingPath('node_modules/better-sqlite3', 'node'), 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c']) {
      expect(includedNodeModule(build.files, path), path).toBe(false);
    }
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
  });

  it('leaves native modules to ensure-native: electron-builder\'s own rebuild would compile over the Node build in place', () => {
    expect(build.npmRebuild).toBe(false);
  });

  it('keeps electron and electron-builder out of the app\'s dependencies (electron-builder refuses otherwise)', () => {
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
  });

  it('builds better-sqlite3 for Electron before dist; start runs the launcher that does it before `electron .`', () => {
    const steps = pkg.scripts.dist!.split('&&').map((step) => step.trim());
    expect(steps[0]).toBe('node --import tsx electron/tools/ensure-native.ts electron');
    expect(steps.indexOf('electron-vite build')).toBeGreaterThan(0);
    expect(pkg.scripts.dist).toContain('electron-builder');
    expect(pkg.scripts.start).toBe('node --import tsx electron/tools/start-electron.ts');
    const launcher = readFileSync(join(root, 'electron/tools/start-electron.ts'), 'utf8');
    const order = ['ensureElectronBinary(', "ensureNative('electron')", 'buildApp()', 'runElectron('].map((call) => launcher.lastIndexOf(call));
    expect(order.every((index, i) => index > 0 && (i === 0 || index > order[i - 1]!))).toBe(true);
  });
});

describe('Node requirements', () => {
  it('engines holds the floor of what runs on the user\'s Node (tests, headless); README states both floors', () => {
    const engines = (pkg as unknown as { engines: { node: string } }).engines;
    expect(engines.node).toBe('>=20.19');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`**Node ${DESKTOP_NODE_FLOOR.replace(/\.0$/, '')} or newer**`);
    expect(readme).toContain('**Node 20.19 or newer**');
    const electronEngines = (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { engines: { node: string } }).engines;
    expect(electronEngines.node.replace(/[>=\s]/g, '')).toBe(DESKTOP_NODE_FLOOR);
  });
});

describe('icons', () => {
  it('has the app icon at 512 px and the Linux set at 256 and 512 px', () => {
    expect(pngSize(join(root, build.mac.icon))).toEqual({ width: 512, height: 512 });
    expect(pngSize(join(root, build.win.icon)).width).toBeGreaterThanOrEqual(256);
    for (const size of [256, 512]) {
      expect(pngSize(join(root, build.linux.icon, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
  });

  it('ships the tray and window icons where the main process looks for them, installed or not', () => {
    const installed = '/opt/Keygate/resources';
    const packaged = iconPaths({ isPackaged: true, resourcesPath: installed, appPath: `${installed}/app.asar` });
    const dev = iconPaths({ isPackaged: false, resourcesPath: '/unused', appPath: root });
    for (const { from, to } of build.extraResources) {
      expect(existsSync(join(root, from)), from).toBe(true);
      const target = join(installed, to);
      expect([packaged.trayDir, packaged.windowIcon]).toContain(target);
    }
    expect(existsSync(dev.windowIcon)).toBe(true);
    for (const platform of ['darwin', 'linux', 'win32'] as const) {
      for (const icon of ['running', 'stopped'] as const) {
        const file = trayIconFile(icon, platform);
        expect(existsSync(join(dev.trayDir, file)), file).toBe(true);
        expect(pngSize(join(dev.trayDir, file))).toEqual({ width: 16, height: 16 });
        expect(pngSize(join(dev.trayDir, file.replace('.png', '@2x.png')))).toEqual({ width: 32, height: 32 });
      }
    }
  });
});
