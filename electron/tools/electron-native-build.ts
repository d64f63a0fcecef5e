/**
 * Makes better-sqlite3's Electron build in `node_modules/better-sqlite3/build-electron/` without touching the Node
 * build in `build/`: the package's sources are copied to a staging folder, built there (better-sqlite3's published
 * binary through prebuild-install, else a compile against Electron's headers with node-gyp), checked for Electron's
 * ABI, and only then copied in. npm is never involved, so no `nodedir` from an `.npmrc` can reach the build.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { nativeBindingPath } from '../core/store/native-binding';
import {
  ELECTRON_HEADERS_URL,
  electronBuildEnv,
  electronBuildFailureMessage,
  failureLines,
  moduleAbiOf,
  nodeGypArgs,
  prebuildInstallArgs,
  type BuildAttempt,
  type ElectronTarget,
} from './native-abi';

/** No Electron build could be made; the message says why and what to do. */
export class ElectronBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElectronBuildError';
  }
}

/** The installed Electron's version and ABI, and the platform and arch its binary is fetched for. */
export function installedElectronTarget(projectRoot: string, env: NodeJS.ProcessEnv = process.env): ElectronTarget {
  const electronDir = dirname(createRequire(join(projectRoot, 'package.json')).resolve('electron/package.json'));
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  const abiFile = join(electronDir, 'abi_version');
  const abi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() || null : null;
  // The same arch Electron's own installer downloads the binary for.
  const arch = env.ELECTRON_INSTALL_ARCH || env.npm_config_arch || process.arch;
  return { version, abi, arch, platform: process.platform };
}

/** The ABI of the Electron build now in place: undefined when there is none. */
export function builtElectronAbi(packageDir: string): string | null | undefined {
  const file = nativeBindingPath(packageDir, 'electron');
  return existsSync(file) ? moduleAbiOf(readFileSync(file)) : undefined;
}

interface Step {
  ok: boolean;
  output: string;
}

function runNode(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Step {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
  return { ok: result.status === 0, output };
}

/** `specifier` as resolved from the first of `dirs` that has it. */
function resolveFrom(dirs: string[], specifier: string): string {
  for (const dir of dirs) {
    try {
      return createRequire(join(dir, 'package.json')).resolve(specifier);
    } catch {
      // not installed below this folder: try the next one
    }
  }
  throw new ElectronBuildError(`keygate: ${specifier} is not installed: run \`npm install\`.`);
}

/** node-gyp from the project (electron-builder brings it), else the one npm bundles. */
function findNodeGyp(projectRoot: string, env: NodeJS.ProcessEnv): string | null {
  try {
    return createRequire(join(projectRoot, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const npmCli = env.npm_execpath;
    const bundled = npmCli ? join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : null;
    return bundled && existsSync(bundled) ? bundled : null;
  }
}

/** Why a finished build cannot be used, or null when it is Electron's. */
function abiProblem(file: string, target: ElectronTarget): string | null {
  if (!existsSync(file)) return 'it produced no better_sqlite3.node';
  const abi = moduleAbiOf(readFileSync(file));
  if (target.abi ? abi === target.abi : abi !== null && abi !== process.versions.modules) return null;
  return abi === process.versions.modules
    ? `it came out built against Node's headers (ABI ${abi}), which Electron refuses`
    : `it came out for ABI ${abi ?? 'unknown'}, not Electron's ${target.abi ?? ''}`.trimEnd();
}

/** Builds better-sqlite3 for `target` into `build-electron/`, or throws ElectronBuildError (leaving everything as it was). */
export function buildForElectron(projectRoot: string, packageDir: string, target: ElectronTarget, log: (line: string) => void): void {
  const env = electronBuildEnv(process.env);
  const stageRoot = join(projectRoot, 'node_modules', '.cache', 'keygate-electron-native');
  const stage = join(stageRoot, 'better-sqlite3');
  rmSync(stageRoot, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps']) cpSync(join(packageDir, entry), join(stage, entry), { recursive: true });
  const built = join(stage, 'build', 'Release', 'better_sqlite3.node');
  const attempts: BuildAttempt[] = [];
  try {
    log(`keygate: building better-sqlite3 for Electron ${target.version} into ${join('node_modules', 'better-sqlite3', 'build-electron')} (the Node build stays as it is)…`);
    const prebuildInstall = resolveFrom([packageDir, projectRoot], 'prebuild-install/bin.js');
    const prebuilt = runNode(prebuildInstall, prebuildInstallArgs(target), stage, env);
    const prebuiltProblem = prebuilt.ok ? abiProblem(built, target) : failureLines(prebuilt.output);
    if (prebuiltProblem === null) return install(built, packageDir);
    attempts.push({ name: 'prebuilt binary (prebuild-install)', failure: prebuiltProblem });

    const nodeGyp = findNodeGyp(projectRoot, env);
    if (!nodeGyp) {
      attempts.push({ name: 'compile (node-gyp)', failure: 'node-gyp is not installed: run `npm install`' });
    } else {
      log('keygate: no prebuilt binary; compiling against Electron’s headers (about a minute)…');
      rmSync(join(stage, 'build'), { recursive: true, force: true });
      const headersUrl = env.KEYGATE_ELECTRON_HEADERS_URL || ELECTRON_HEADERS_URL;
      const compiled = runNode(nodeGyp, nodeGypArgs(target, headersUrl, join(homedir(), '.electron-gyp')), stage, env);
      const compiledProblem = compiled.ok ? abiProblem(built, target) : failureLines(compiled.output);
      if (compiledProblem === null) return install(built, packageDir);
      attempts.push({ name: 'compile (node-gyp)', failure: compiledProblem });
    }
    throw new ElectronBuildError(electronBuildFailureMessage(target, attempts));
  } finally {
    rmSync(stageRoot, { recursive: true, force: true });
  }
}

/** Copies the checked build in place; the rename makes a half-copied file impossible to load. */
function install(built: string, packageDir: string): void {
  const target = nativeBindingPath(packageDir, 'electron');
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, `${target}.partial`);
  renameSync(`${target}.partial`, target);
}
