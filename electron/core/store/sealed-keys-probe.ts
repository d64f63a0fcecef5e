import BetterSqlite3, { type Database } from 'better-sqlite3';
import { existsSync } from 'node:fs';

/**
 * Whether the store at `file` holds upstream keys sealed under `tag`, read before the core opens it (whether an
 * empty master.key may be replaced). No store holds none. A store that cannot be read (another process owns it, or
 * it is damaged) counts as holding some, so a key is never replaced on a guess.
 */
export function storeHoldsSealedKeys(file: string, tag: Buffer): boolean {
  if (!existsSync(file)) return false;
  let db: Database | null = null;
  try {
    // Opened as the core opens it (read-only connections cannot hold the exclusive lock): the WAL index in this
    // process's memory, so one look leaves no -shm file behind, and a WAL a crash left is read too.
    db = new BetterSqlite3(file, { fileMustExist: true });
    db.pragma('locking_mode = EXCLUSIVE');
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'upstreams'").get() !== undefined;
    if (!hasTable) return false;
    return db.prepare('SELECT 1 FROM upstreams WHERE substr(key_ciphertext, 1, ?) = ? LIMIT 1').get(tag.length, tag) !== undefined;
  } catch {
    return true;
  } finally {
    db?.close();
  }
}
