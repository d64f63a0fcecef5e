import BetterSqlite3, { type Database } from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { registerLocalDay } from './local-day';
import { LATEST_VERSION, migrations } from './migrations';
import { betterSqlite3Dir, describeNativeLoadError, nativeBindingPath, runtimeOf } from './native-binding';

export type { Database };

/** Raised when the file was written by a newer Keygate: opening it could lose data, so we refuse. */
export class DatabaseTooNewError extends Error {
  constructor(file: string, version: number) {
    super(
      `The database ${file} is at schema version ${version}, newer than this Keygate understands (${LATEST_VERSION}). ` +
        'Update Keygate, or point it at another data directory.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** better-sqlite3's native module is missing or built for another runtime; the message says what to run. */
export class NativeModuleError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'NativeModuleError';
  }
}

/** Opens `file` with the native build made for the runtime this process is (Node or Electron). */
function openWithRuntimeBinding(file: string): Database {
  const runtime = runtimeOf(process.versions);
  const nativeBinding = nativeBindingPath(betterSqlite3Dir(), runtime);
  try {
    return new BetterSqlite3(file, { nativeBinding });
  } catch (error) {
    const message = describeNativeLoadError(error, { runtime, file: nativeBinding, abi: process.versions.modules });
    throw message ? new NativeModuleError(message, error) : error;
  }
}

/** Throws NativeModuleError now, before start-up creates anything, when the store's native module does not load. */
export function checkNativeModule(): void {
  openWithRuntimeBinding(':memory:').close();
}

export interface OpenDatabaseOptions {
  /**
   * Hold SQLite's exclusive lock on the file from the start until the connection closes, so no other connection,
   * in this process or another, can read or write it meanwhile. The kernel drops the lock when the process dies,
   * however it dies. A file another connection holds fails at once (after `lockWaitMs`) with SQLITE_BUSY.
   */
  exclusive?: boolean;
  /** How long to wait for a lock another connection holds (a process that was just killed lets go within moments). */
  lockWaitMs?: number;
}

/** SQLite's page cache per connection, in KiB (negative: a size, not a page count). */
export const PAGE_CACHE_KIB = -4000;

/** Opens (creating if needed) the store at `file`, sets pragmas and applies pending migrations. */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
    createPrivately(file);
  }
  const db = openWithRuntimeBinding(file);
  try {
    if (options.exclusive) {
      // Before anything reads the file: in WAL mode SQLite then keeps the WAL index in this process's memory
      // (no -shm file), which is what lets it hold the lock for good.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma(`busy_timeout = ${options.lockWaitMs ?? 0}`);
    }
    // Only a file without pages takes this at once (before WAL mode writes the first page): a store made since then
    // gives pruned pages back to the file system in steps (usage-pruner.ts). An older store switches with one
    // VACUUM at start (switchToIncrementalVacuum).
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // A write transaction takes the exclusive lock now rather than at the first write.
    if (options.exclusive) db.exec('BEGIN IMMEDIATE; COMMIT');
    // NORMAL is durable across process crashes (kill -9) in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    // better-sqlite3 raises SQLite's page cache to 16 MB, which a busy proxy fills (it is most of the store's RSS).
    // The hot path touches a handful of pages per commit (the newest leaf of the log and of each index, the key's
    // row, today's roll-up rows) and the window reads pages of recent rows; 4 MB holds those and a 10,000-key table.
    db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
    // Because foreign key support is not enabled by default!
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    registerLocalDay(db);
    migrate(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Creates an empty database file readable by its owner only (SQLite makes new files 0644 less the umask). SQLite
 * gives the -wal and -shm files it creates later the mode of the database file, so they are private too. An
 * existing file is left alone: `wx` fails without opening it.
 */
function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Applies each pending migration in its own transaction, setting `user_version` inside it. */
export function migrate(db: Database, file = db.name): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) throw new DatabaseTooNewError(file, current);
  for (let version = current + 1; version <= LATEST_VERSION; version++) {
    const step = migrations[version - 1]!;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
