/**
 * `node --import tsx electron/tools/ensure-native.ts node|electron`: makes sure better-sqlite3's build for that
 * runtime is there. Node's (`build/`) and Electron's (`build-electron/`) live side by side, so each is made only
 * when it is missing or of the wrong ABI, and `npm test` and `npm start` work in any order without rebuilding.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { betterSqlite3Dir, nativeBindingPath } from '../core/store/native-binding';
import { desktopNodeWarning } from './electron-download';
import { buildForElectron, builtElectronAbi, ElectronBuildError, installedElectronTarget } from './electron-native-build';
import { electronBuildAction, nodeBuildAction, type NativeTarget, type NodeLoadProbe } from './native-abi';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

function probeNode(binding: string): NodeLoadProbe {
  const script = `new (require('better-sqlite3'))(':memory:', { nativeBinding: ${JSON.stringify(binding)} }).close()`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return result.status === 0 ? { loads: true } : { loads: false, error: result.stderr };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  console.log(`keygate: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/**
 * Makes the build for `target` in the better-sqlite3 package at `packageDir` if it is missing or of the wrong ABI;
 * never touches the other runtime's build.
 */
export function ensureNative(target: NativeTarget, packageDir = betterSqlite3Dir()): void {
  if (target === 'node') {
    const binding = nativeBindingPath(packageDir, 'node');
    if (nodeBuildAction(probeNode(binding)) === 'none') return;
    const env = { ...process.env };
    // Build against the local Node headers when the distribution ships them (no download needed).
    if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
    // `npm rebuild` cleans and rebuilds `build/` only: the Electron build next to it survives.
    run('npm', ['rebuild', 'better-sqlite3'], env);
    const after = probeNode(binding);
    if (!after.loads) throw new Error(`better-sqlite3 still does not load in Node:\n${after.error}`);
    return;
  }
  const electron = installedElectronTarget(PROJECT_ROOT);
  const state = { builtAbi: builtElectronAbi(packageDir), electronAbi: electron.abi, nodeAbi: process.versions.modules };
  if (electronBuildAction(state) === 'none') return;
  buildForElectron(PROJECT_ROOT, packageDir, electron, (line) => console.log(line));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2];
  if (target !== 'node' && target !== 'electron') {
    console.error('usage: ensure-native.ts node|electron');
    process.exit(2);
  }
  const warning = target === 'electron' ? desktopNodeWarning(process.versions.node) : null;
  if (warning) console.warn(warning);
  try {
    ensureNative(target);
  } catch (error) {
    if (!(error instanceof ElectronBuildError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
