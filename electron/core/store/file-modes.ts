import { statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data directory and the store's files (`file`, `-wal`, `-shm`) that exist and that group or others may
 * access, each with its mode, e.g. `/home/me/.config/Keygate/keygate.db (644)`. Empty on Windows, which has no
 * such modes. Uses stat only: opening the database file here would drop the lock the core holds on it.
 */
export function exposedStorePaths(dataDir: string, file: string, platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return [];
  const database = join(dataDir, file);
  const exposed: string[] = [];
  for (const path of [dataDir, database, `${database}-wal`, `${database}-shm`]) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) exposed.push(`${path} (${mode.toString(8)})`);
  }
  return exposed;
}
