/**
 * better-sqlite3 is a native addon built for one ABI: Node's (tests, headless) or Electron's (the app). Each has
 * its own build folder (`electron/core/store/native-binding.ts`). These pure decisions say whether a build must be
 * made, and how to make the Electron one without ever compiling it against Node's headers.
 */

export type NativeTarget = 'node' | 'electron';
export type BuildAction = 'none' | 'build';

/** What loading the Node build in plain Node told us. */
export interface NodeLoadProbe {
  loads: boolean;
  error?: string;
}

/** The Node build is fine when Node loads it; otherwise (missing, another ABI) it must be rebuilt. */
export function nodeBuildAction(probe: NodeLoadProbe): BuildAction {
  return probe.loads ? 'none' : 'build';
}

const REGISTER_SYMBOL = /node_register_module_v(\d+)/;

/**
 * The ABI (NODE_MODULE_VERSION) a native addon was compiled for, read from the `node_register_module_v<ABI>`
 * symbol every non-N-API addon exports, or null when there is none. Reading it needs no runtime that can load it.
 */
export function moduleAbiOf(binary: Buffer): string | null {
  return REGISTER_SYMBOL.exec(binary.toString('latin1'))?.[1] ?? null;
}

/** What decides whether the Electron build is usable. */
export interface ElectronBuildState {
  /** The ABI read from `build-electron/…/better_sqlite3.node`, `null` when it has none, `undefined` when the file is missing. */
  builtAbi: string | null | undefined;
  /** Electron's ABI (`node_modules/electron/abi_version`), or null when the installed Electron does not say. */
  electronAbi: string | null;
  /** The ABI of the Node running this tool: a build for it was compiled against Node's headers, not Electron's. */
  nodeAbi: string;
}

/** Build for Electron when the build is missing, unreadable, compiled against Node's headers, or for another Electron. */
export function electronBuildAction(state: ElectronBuildState): BuildAction {
  const { builtAbi, electronAbi, nodeAbi } = state;
  if (!builtAbi) return 'build';
  if (electronAbi) return builtAbi === electronAbi ? 'none' : 'build';
  return builtAbi === nodeAbi ? 'build' : 'none';
}

/** The Electron a build is for. */
export interface ElectronTarget {
  version: string;
  abi: string | null;
  arch: string;
  platform: NodeJS.Platform;
}

/** Where node-gyp fetches Electron's headers unless `KEYGATE_ELECTRON_HEADERS_URL` names a mirror. */
export const ELECTRON_HEADERS_URL = 'https://www.electronjs.org/headers';

/**
 * npm settings that, inherited from `~/.npmrc`, a project `.npmrc` or the environment (`npm_config_*`, any case),
 * would make node-gyp or prebuild-install build for Node instead of Electron: `nodedir` above all, which makes
 * node-gyp use Node's headers and skip Electron's. Proxy settings are kept: the downloads need them.
 */
const NODE_TARGETING_SETTINGS = new Set(['nodedir', 'target', 'runtime', 'disturl', 'dist_url', 'arch', 'target_arch', 'build_from_source', 'devdir']);

/** The environment for building the Electron module: the caller's, minus every setting that targets Node. */
export function electronBuildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const setting = /^npm_config_(.+)$/i.exec(key)?.[1]?.toLowerCase().replaceAll('-', '_');
    if (setting === undefined || !NODE_TARGETING_SETTINGS.has(setting)) clean[key] = value;
  }
  return clean;
}

/** prebuild-install's arguments to fetch better-sqlite3's published binary for `target`. */
export function prebuildInstallArgs(target: ElectronTarget): string[] {
  return ['--runtime=electron', `--target=${target.version}`, `--arch=${target.arch}`, `--platform=${target.platform}`, '--verbose'];
}

/** node-gyp's arguments to compile better-sqlite3 against Electron's headers (downloaded into `devDir`). */
export function nodeGypArgs(target: ElectronTarget, headersUrl: string, devDir: string): string[] {
  return [
    'rebuild',
    '--release',
    '--runtime=electron',
    `--target=${target.version}`,
    `--arch=${target.arch}`,
    `--dist-url=${headersUrl}`,
    `--devdir=${devDir}`,
  ];
}

/** One way of getting the Electron build that was tried, and how it ended. */
export interface BuildAttempt {
  name: string;
  /** Why it did not give a usable build. */
  failure: string;
}

/** The lines of a tool's output that say why it failed (the last few that report an error). */
export function failureLines(output: string, max = 3): string {
  const lines = output.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const errors = lines.filter((line) => /\b(ERR!|error|warn|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET)\b/i.test(line));
  const picked = (errors.length > 0 ? errors : lines).filter((line) => !/^gyp ERR! (stack\s+at|System|command|cwd|node -v|node-gyp -v|not ok)/.test(line));
  return picked.slice(-max).join('\n') || 'no output';
}

/** What `npm start` / `npm run dist` print when no Electron build could be made. */
export function electronBuildFailureMessage(target: ElectronTarget, attempts: readonly BuildAttempt[]): string {
  return [
    `keygate: could not build better-sqlite3 for Electron ${target.version}${target.abi ? ` (ABI ${target.abi})` : ''}, ${target.platform}-${target.arch}.`,
    ...attempts.map((attempt) => `  ${attempt.name}: ${attempt.failure.replaceAll('\n', '\n    ')}`),
    '  Nothing was changed: the Node build that `npm test` and `npm run serve` use is untouched.',
    '  Retry with `npm start` once the network is back (the prebuilt binary comes from github.com, the headers from',
    `  ${ELECTRON_HEADERS_URL}; set KEYGATE_ELECTRON_HEADERS_URL for a mirror).`,
    '  Meanwhile `npm run serve -- --admin` serves the same app in a browser, without Electron.',
  ].join('\n');
}
