import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { betterSqlite3Dir, nativeBindingPath } from '../../electron/core/store/native-binding';
import { installedElectronTarget } from '../../electron/tools/electron-native-build';
import { ensureNative } from '../../electron/tools/ensure-native';

const root = resolve(import.meta.dirname, '..', '..');
let scratch: string;
let pkg: string;
const savedEnv = { ...process.env };

/** A copy of the installed better-sqlite3 package (sources and the Node build) to build into. */
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keygate-ensure-native-'));
  pkg = join(scratch, 'better-sqlite3');
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib', join('build', 'Release', 'better_sqlite3.node')]) {
    cpSync(join(betterSqlite3Dir(), entry), join(pkg, entry), { recursive: true });
  }
});
afterEach(() => {
  process.env = { ...savedEnv };
  vi.restoreAllMocks();
  rmSync(scratch, { recursive: true, force: true });
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('ensure-native, both builds side by side', () => {
  it('does nothing for either runtime when both builds are in place', () => {
    const electronBuild = nativeBindingPath(pkg, 'electron');
    mkdirSync(join(electronBuild, '..'), { recursive: true });
    // Stands in for an Electron build: what the check reads is the ABI the file registers with.
    writeFileSync(electronBuild, `\x7fELF\0node_register_module_v${installedElectronTarget(root).abi}\0`);
    const nodeBuild = nativeBindingPath(pkg, 'node');
    const before = [sha256(nodeBuild), sha256(electronBuild)];
    const log = vi.spyOn(console, 'log');

    ensureNative('electron', pkg);
    ensureNative('node', pkg);
    ensureNative('electron', pkg);

    expect(log).not.toHaveBeenCalled();
    expect([sha256(nodeBuild), sha256(electronBuild)]).toEqual(before);
  });

  it('with nodedir in ~/.npmrc and the environment, never builds for Electron against Node’s headers, and a failed build changes nothing', async () => {
    const home = join(scratch, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.npmrc'), 'nodedir=/usr\n');
    const port = await closedPort();
    Object.assign(process.env, {
      HOME: home,
      npm_config_userconfig: join(home, '.npmrc'),
      npm_config_nodedir: '/usr',
      NPM_CONFIG_NODEDIR: '/usr',
      // No network in a test: the prebuilt binary and Electron's headers come from a port that refuses.
      npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${port}`,
      KEYGATE_ELECTRON_HEADERS_URL: `http://127.0.0.1:${port}/headers`,
    });
    const nodeBuild = nativeBindingPath(pkg, 'node');
    const before = sha256(nodeBuild);
    vi.spyOn(console, 'log').mockImplementation(() => {});

    let message = '';
    try {
      ensureNative('electron', pkg);
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toContain('could not build better-sqlite3 for Electron');
    expect(message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(message).toContain('compile (node-gyp)');
    expect(message).toContain('`npm run serve -- --admin`');
    expect(existsSync(join(pkg, 'build-electron'))).toBe(false);
    expect(sha256(nodeBuild)).toBe(before);
    expect(existsSync(join(root, 'node_modules', '.cache', 'keygate-electron-native'))).toBe(false);
    ensureNative('node', pkg);
    expect(sha256(nodeBuild)).toBe(before);
  }, 60_000);
});
