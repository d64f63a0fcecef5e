import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const PRODUCT_NAME = 'Keygate';

export interface DataDirEnvironment {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
}

const current = (): DataDirEnvironment => ({ env: process.env, platform: process.platform, home: homedir() });

/**
 * Where Keygate keeps its data: `KEYGATE_DATA_DIR` if set, else the folder Electron's `app.getPath('userData')`
 * gives for "Keygate", so the desktop app and `npm run serve` share one store by default.
 */
export function defaultDataDir(environment: DataDirEnvironment = current()): string {
  const { env, platform, home } = environment;
  if (env.KEYGATE_DATA_DIR) return env.KEYGATE_DATA_DIR;
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  const configHome = env.XDG_CONFIG_HOME && posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : posix.join(home, '.config');
  return posix.join(configHome, PRODUCT_NAME);
}
