/**
 * The Electron binary `npm start` runs. The `electron` package fetches it lazily on first use; this fetches it
 * first with the same settings, so a failure keeps its network cause (Electron's own installer prints only
 * "fetch failed"), then lets Electron's installer unpack it from the download cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withStallTimeout, type ElectronDownload } from './electron-download';

/** How long the download may receive nothing before it is given up. */
const STALL_MS = 30_000;

/** The installed `electron` package's folder. */
export function electronPackageDir(projectRoot: string): string {
  return dirname(createRequire(join(projectRoot, 'package.json')).resolve('electron/package.json'));
}

/** The binary to download: the installed package's version, for the platform and arch its installer would pick. */
export function electronDownloadOf(electronDir: string, env: NodeJS.ProcessEnv): ElectronDownload {
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  return {
    version,
    platform: env.ELECTRON_INSTALL_PLATFORM || env.npm_config_platform || process.platform,
    arch: env.ELECTRON_INSTALL_ARCH || env.npm_config_arch || process.arch,
  };
}

/** Whether the binary is unpacked and of the package's version (what Electron's installer checks). */
export function isElectronInstalled(electronDir: string, env: NodeJS.ProcessEnv): boolean {
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return true;
  try {
    const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
    const installed = readFileSync(join(electronDir, 'dist', 'version'), 'utf8').replace(/^v/, '').trim();
    const binary = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    return installed === version && existsSync(join(electronDir, 'dist', binary));
  } catch {
    return false;
  }
}

interface ElectronGet {
  downloadArtifact(details: Record<string, unknown>): Promise<string>;
}

/**
 * Downloads the binary into Electron's cache with the settings its installer uses (mirror, cache folder,
 * checksums), then runs the installer, which finds it cached and unpacks it. Throws the download's own error.
 */
export async function downloadElectron(electronDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const target = electronDownloadOf(electronDir, env);
  const electronGet = createRequire(join(electronDir, 'package.json')).resolve('@electron/get');
  const { downloadArtifact } = (await import(pathToFileURL(electronGet).href)) as ElectronGet;
  const remoteChecksums = env.electron_use_remote_checksums || env.npm_config_electron_use_remote_checksums;
  await withStallTimeout(STALL_MS, (signal, progress) =>
    downloadArtifact({
      version: target.version,
      artifactName: 'electron',
      platform: target.platform,
      arch: target.arch,
      force: env.force_no_cache === 'true',
      cacheRoot: env.electron_config_cache,
      checksums: remoteChecksums ? undefined : JSON.parse(readFileSync(join(electronDir, 'checksums.json'), 'utf8')),
      downloadOptions: { signal, getProgressCallback: progress },
    }),
  );
  const unpacked = spawnSync(process.execPath, [join(electronDir, 'install.js')], { env, stdio: 'inherit' });
  if (unpacked.status !== 0) throw new Error(`Electron's installer could not unpack the download (exit ${unpacked.status ?? unpacked.signal}).`);
}
