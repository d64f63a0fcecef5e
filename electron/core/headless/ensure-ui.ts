import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built UI's folder inside the project. */
export function uiDirOf(projectRoot: string): string {
  return join(projectRoot, 'out', 'renderer');
}

/**
 * Makes sure the UI is built (so `npm run serve -- --admin` works right after `npm install`): builds it with
 * electron-vite when `out/renderer/index.html` is missing. Answers an error message, or null when the UI is ready.
 */
export function ensureUiBuilt(projectRoot: string, log: (line: string) => void): string | null {
  if (existsSync(join(uiDirOf(projectRoot), 'index.html'))) return null;
  log('The admin UI is not built yet; building it (a few seconds)…');
  const cli = join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(cli)) return 'the admin UI (out/renderer) is not built, and electron-vite is not installed to build it: run `npm install` and `npm run build` first.';
  const result = spawnSync(process.execPath, [cli, 'build', '--logLevel', 'warn'], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !existsSync(join(uiDirOf(projectRoot), 'index.html'))) {
    return 'Building the admin UI failed (see above). Fix the build, or run without --admin.';
  }
  return null;
}
