import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'keygate.lock';

/** Another live process (the desktop app or `npm run serve`) already serves this data directory. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `Another Keygate (process ${pid}) is already using ${dataDir}. ` +
        'Quit it first, or give this one another data directory: two processes on one store would each count quotas on their own.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Directories this process holds, so a pid reused after a crash is not mistaken for a live owner. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the data directory for this process, or throws DataDirInUseError. The proxy keeps quota counters in
 * memory, so exactly one process may serve a store. A lock left by a process that died (kill -9) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  if (held.has(file)) throw new DataDirInUseError(dataDir, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 'wx' creates atomically: of two processes starting together, exactly one wins.
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(file);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(file);
        if (ownerOf(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(file);
      if (owner !== null && owner !== process.pid && isAlive(owner)) throw new DataDirInUseError(dataDir, owner);
      // Stale (its process is gone) or half-written: remove it and race for it again.
      rmSync(file, { force: true });
    }
  }
  throw new DataDirInUseError(dataDir, ownerOf(file) ?? 0);
}
