/**
 * better-sqlite3 is a native addon, and Node and Electron need different builds of it (each has its own ABI).
 * Both builds live side by side inside the package, and each runtime opens the database with its own:
 * `build/` is the one npm's install makes for Node (tests, headless); `build-electron/` is the one `npm start`
 * and `npm run dist` make for the desktop app. Nothing ever rebuilds one over the other.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

export type NativeRuntime = 'node' | 'electron';

/** Each runtime's build folder inside the better-sqlite3 package. */
export const NATIVE_BUILD_DIRS: Record<NativeRuntime, string> = { node: 'build', electron: 'build-electron' };
const NATIVE_FILE = join('Release', 'better_sqlite3.node');

/** The runtime this process is: Electron when it says so in `process.versions`. */
export function runtimeOf(versions: NodeJS.ProcessVersions): NativeRuntime {
  return versions.electron ? 'electron' : 'node';
}

/**
 * The `.node` file `runtime` loads, inside the better-sqlite3 package at `packageDir`. In a packaged app the
 * package sits in `app.asar`; its native files are unpacked next to it (`asarUnpack`), where dlopen can read them.
 */
export function nativeBindingPath(packageDir: string, runtime: NativeRuntime): string {
  const file = join(packageDir, NATIVE_BUILD_DIRS[runtime], NATIVE_FILE);
  return file.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);
}

/** The better-sqlite3 package folder, as this module resolves it (the project's, or the packaged app's). */
export function betterSqlite3Dir(): string {
  return dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
}

/** What the message about a native module that does not load needs to know. */
export interface NativeLoadContext {
  runtime: NativeRuntime;
  /** The `.node` file that was tried. */
  file: string;
  /** The ABI (`process.versions.modules`) of the runtime that tried. */
  abi: string;
}

const ABI_IN_MESSAGE = /NODE_MODULE_VERSION (\d+)/;

/**
 * A message that says what to run when better-sqlite3's native module does not load, or null when `error` is not
 * about loading it (an SQLite error, say).
 */
export function describeNativeLoadError(error: unknown, context: NativeLoadContext): string | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const missing = code === 'MODULE_NOT_FOUND' && text.includes(context.file);
  if (!missing && code !== 'ERR_DLOPEN_FAILED') return null;

  const fix =
    context.runtime === 'node'
      ? 'Build it for Node with `npm rebuild better-sqlite3` (about a minute; `npm test` and `npm run bench` do this by themselves).'
      : 'Build it for Electron with `npm start` or `node --import tsx electron/tools/ensure-native.ts electron` (the Node build is left alone).';
  const runtimeName = context.runtime === 'node' ? 'Node' : 'Electron';
  if (missing) return `better-sqlite3's native module for ${runtimeName} is not built: ${context.file} is missing. ${fix}`;
  const builtFor = ABI_IN_MESSAGE.exec(text)?.[1];
  if (builtFor && builtFor !== context.abi) {
    return (
      `better-sqlite3's native module ${context.file} was built for another runtime (NODE_MODULE_VERSION ${builtFor}; ` +
      `this ${runtimeName} needs ${context.abi}). ${fix}`
    );
  }
  return `better-sqlite3's native module ${context.file} does not load in ${runtimeName} (${text.split('\n')[0]}). ${fix}`;
}
