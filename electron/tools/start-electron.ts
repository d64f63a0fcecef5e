/**
 * `npm start`: the desktop app from source. Fetches the Electron binary on first start, builds better-sqlite3 for
 * Electron if needed, builds the app and runs `electron .`. When a download fails it says why, how to retry, and
 * that `npm run serve -- --admin` gives the same app in a browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { downloadElectron, electronDownloadOf, electronPackageDir, isElectronInstalled } from './electron-binary';
import { desktopNodeWarning, electronDownloadFailureMessage } from './electron-download';
import { ElectronBuildError } from './electron-native-build';
import { ensureNative } from './ensure-native';
import { electronJsFlagsSwitch } from '../core/v8-flags';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

async function ensureElectronBinary(electronDir: string): Promise<boolean> {
  if (isElectronInstalled(electronDir, process.env)) return true;
  const download = electronDownloadOf(electronDir, process.env);
  console.log(`keygate: downloading Electron ${download.version} for ${download.platform}-${download.arch} (first start only)…`);
  try {
    await downloadElectron(electronDir, process.env);
    return true;
  } catch (error) {
    console.error(electronDownloadFailureMessage(error, download));
    return false;
  }
}

function buildApp(): boolean {
  const electronVite = join(dirname(createRequire(join(PROJECT_ROOT, 'package.json')).resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  return spawnSync(process.execPath, [electronVite, 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' }).status === 0;
}

/** Runs `electron .` (Electron's own launcher) and exits with its code, passing Ctrl+C and SIGTERM on. */
function runElectron(electronDir: string, args: string[]): void {
  const child = spawn(process.execPath, [join(electronDir, 'cli.js'), electronJsFlagsSwitch(), '.', ...args], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(): Promise<number | null> {
  const warning = desktopNodeWarning(process.versions.node);
  if (warning) console.warn(warning);
  const electronDir = electronPackageDir(PROJECT_ROOT);
  if (!(await ensureElectronBinary(electronDir))) return 1;
  try {
    ensureNative('electron');
  } catch (error) {
    if (!(error instanceof ElectronBuildError)) throw error;
    console.error(error.message);
    return 1;
  }
  if (!buildApp()) return 1;
  runElectron(electronDir, process.argv.slice(2));
  return null;
}

const code = await main();
if (code !== null) process.exit(code);
