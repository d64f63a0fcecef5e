import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Database } from './database';

/** Holds the owner's process id, for the message a second process shows. Never trusted for the lock itself. */
export const LOCK_FILE = 'keygate.lock';
/** How long a start waits for the lock: a process that was just killed lets go of it within moments. */
const LOCK_WAIT_MS = 500;

/** Another live process (the desktop app or `npm run serve`) already serves this data directory. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number | null) {
    super(
      `Another Keygate${pid === null ? '' : ` (process ${pid})`} is already using ${dataDir}. ` +
        'Quit it first, or give this one another data directory: two processes on one store would each count quotas on their own.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** The open store of a data directory this process owns. */
export interface OwnedStore {
  db: Database;
  /** Closes the store (which lets go of the lock) and removes the owner note. */
  release(): void;
}

/**
 * Opens `<dataDir>/<file>` and owns it for this process, or throws DataDirInUseError. The proxy counts quotas in
 * memory, so exactly one process may serve a store. Ownership is SQLite's exclusive lock on the database itself
 * (an OS file lock): the kernel drops it when the process dies, however it dies, so a crash never blocks the next
 * start, and a reused pid cannot fake an owner. `keygate.lock` only tells a second process who the owner is.
 *
 * POSIX drops a process's file locks when it closes *any* descriptor of the file: never open the database file with
 * `fs` while the store is open (read it through `db`, or from another process).
 */
export function openOwnedStore(dataDir: string, file: string): OwnedStore {
  let db: Database;
  try {
    db = openDatabase(join(dataDir, file), { exclusive: true, lockWaitMs: LOCK_WAIT_MS });
  } catch (error) {
    if (isBusy(error)) throw new DataDirInUseError(dataDir, ownerPid(dataDir));
    throw error;
  }
  const note = join(dataDir, LOCK_FILE);
  try {
    writeFileSync(note, String(process.pid), { mode: 0o600 });
  } catch {
    // Only the message a second process shows depends on it.
  }
  let released = false;
  return {
    db,
    release() {
      if (released) return;
      released = true;
      if (db.open) db.close();
      if (ownerPid(dataDir) === process.pid) rmSync(note, { force: true });
    },
  };
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function ownerPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, LOCK_FILE), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
