import { silentLogger, type Logger } from '../logger';
import type { Database } from '../store/database';
import {
  checkpointAndTruncate,
  freePageCount,
  pruneUsageStep,
  readRetentionDays,
  retentionCutoff,
  shrinksIncrementally,
  vacuumStep,
} from '../store/usage-retention';

export interface UsagePrunerOptions {
  db: Database;
  now?: () => number;
  log?: Logger;
  /** Rows one step deletes at most (default 1,000): a step holds the proxy's thread for a few milliseconds. */
  stepRows?: number;
  /** Free pages one step gives back (default 1,000: 4 MB with SQLite's 4 KiB pages). */
  stepPages?: number;
  /** Pause between steps, so requests that arrived meanwhile run first (default 10 ms). */
  pauseMs?: number;
  /** First pass this long after start (default 1 minute: start-up is not slowed), then every `everyMs` (6 hours). */
  firstAfterMs?: number;
  everyMs?: number;
}

/** What one pass did. */
export interface PruneResult {
  /** Request rows deleted. */
  deleted: number;
  /** Steps that deleted rows or looked for them. */
  steps: number;
  /** Free pages given back to the file system. */
  freedPages: number;
}

export interface UsagePruner {
  /** Schedules the passes (timers that do not keep the process alive). */
  start(): void;
  /** A pass now (after the one running, if any): prunes past the current retention, then shrinks the file. */
  runNow(): Promise<PruneResult>;
  /** Stops scheduling and ends the running pass at its next step; resolves once it has. */
  stop(): Promise<void>;
}

const NOTHING: PruneResult = { deleted: 0, steps: 0, freedPages: 0 };

/**
 * Keeps the request log to the retention setting (request rows N days; the daily roll-up keeps its totals for good).
 * SQLite runs on the proxy's thread, so a pass is small steps with pauses in between: at most `stepRows` rows per
 * step, then `PRAGMA incremental_vacuum` `stepPages` pages at a time, then one checkpoint so the file shrinks.
 */
export function createUsagePruner(options: UsagePrunerOptions): UsagePruner {
  const { db } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? silentLogger;
  const stepRows = options.stepRows ?? 1_000;
  const stepPages = options.stepPages ?? 1_000;
  const pauseMs = options.pauseMs ?? 10;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<PruneResult> | null = null;
  let queued: Promise<PruneResult> | null = null;

  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, pauseMs));

  async function pass(): Promise<PruneResult> {
    const result = { ...NOTHING };
    const cutoff = retentionCutoff(now(), readRetentionDays(db));
    let afterId = 0;
    while (!stopped) {
      const step = pruneUsageStep(db, cutoff, afterId, stepRows);
      result.steps++;
      result.deleted += step.deleted;
      afterId = step.lastId;
      if (step.done) break;
      await pause();
    }
    if (result.deleted === 0 || !shrinksIncrementally(db)) return result;
    let free = freePageCount(db);
    while (!stopped && free > 0) {
      vacuumStep(db, stepPages);
      const left = freePageCount(db);
      result.freedPages += free - left;
      // A step that frees nothing would loop for good (it cannot, but a pass must end).
      if (left >= free) break;
      free = left;
      if (free > 0) await pause();
    }
    if (!stopped) checkpointAndTruncate(db);
    return result;
  }

  async function guarded(): Promise<PruneResult> {
    try {
      const result = await pass();
      if (result.deleted > 0) log.info(`usage log: ${result.deleted} request row(s) past retention deleted, ${result.freedPages} page(s) given back.`);
      return result;
    } catch (error) {
      // A failed step (a full disk…) leaves the rows for the next pass; requests are not affected.
      log.error('pruning the usage log failed', error);
      return { ...NOTHING };
    }
  }

  function runNow(): Promise<PruneResult> {
    if (stopped) return Promise.resolve({ ...NOTHING });
    if (queued) return queued;
    if (!running) {
      running = guarded().finally(() => (running = null));
      return running;
    }
    const next = running.then(() => {
      queued = null;
      running = guarded().finally(() => (running = null));
      return running;
    });
    queued = next;
    return next;
  }

  function schedule(delay: number): void {
    timer = setTimeout(() => {
      void runNow().then(() => {
        if (!stopped) schedule(options.everyMs ?? 6 * 3_600_000);
      });
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (!stopped && !timer) schedule(options.firstAfterMs ?? 60_000);
    },
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await (queued ?? running);
    },
  };
}
