import { performance } from 'node:perf_hooks';
import type { Database } from '../store/database';

/**
 * WAL pages after which SQLite still checkpoints on its own, inside a commit, when the proxy never goes quiet
 * (SQLite's default is 1000). About 32 MB of log at 4 KiB pages.
 */
export const BACKSTOP_PAGES = 8000;
/** How long after the last commit the log is copied into the file. */
export const IDLE_MS = 1000;
/** What a log is cut back to once it starts over after a checkpoint, so a busy spell does not leave a big file. */
const WAL_KEEP_BYTES = 4 * 1024 * 1024;

/**
 * Checkpoints the write-ahead log when the store has been quiet for IDLE_MS, rather than inside whichever commit
 * crosses SQLite's 1000-page mark. A checkpoint syncs the log and the file to disk (two fsyncs, milliseconds each on
 * a busy disk) on the proxy's thread: inside a commit that stall lands on requests waiting to be forwarded, and at
 * the default mark it came every ~140 requests at c=1. Durability does not change: commits are in the log either way.
 */
export class IdleCheckpoints {
  private lastCommit = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Database) {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  }

  /** Notes a commit: the checkpoint waits until IDLE_MS have passed without another. */
  committed(): void {
    this.lastCommit = performance.now();
    // One timer re-armed only when it fires: a commit costs a clock read, not a timer.
    if (this.timer === null) this.arm(IDLE_MS);
  }

  /** Stops waiting (the store is closing: closing checkpoints anyway). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.check, ms);
    this.timer.unref();
  }

  private readonly check = (): void => {
    this.timer = null;
    const quiet = performance.now() - this.lastCommit;
    if (quiet < IDLE_MS) {
      this.arm(IDLE_MS - quiet);
      return;
    }
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Closed or failing store: the log stays, and the next checkpoint (or closing) copies it.
    }
  };
}
