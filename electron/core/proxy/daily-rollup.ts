import type { Database, Statement } from 'better-sqlite3';
import { INTERRUPTED_REFUSAL } from '../../shared/types';
import { storedTokens, type UsageRecord } from './usage-record';

const DAY_MS = 86_400_000;

/** What one usage row adds to the `usage_daily` roll-up, under the sub-key it was stored with ('' for none). */
interface Counted {
  day: number;
  subkeyId: string;
  requests: number;
  interrupted: number;
  tokens: number;
}

function counted(record: UsageRecord, storedSubkeyId: string | null): Counted {
  const charged = record.refusal === null || record.refusal === INTERRUPTED_REFUSAL;
  return {
    day: Math.floor(record.at / DAY_MS) * DAY_MS,
    subkeyId: storedSubkeyId ?? '',
    requests: charged ? 1 : 0,
    interrupted: charged && record.refusal !== null ? 1 : 0,
    tokens: charged ? (storedTokens(record.totalTokens) ?? 0) : 0,
  };
}

/**
 * Keeps `usage_daily` current from the write batcher: each row's contribution is remembered, and a batch adds the
 * differences, summed per day and sub-key, with one upsert each (not one per request). Contributions become the
 * remembered ones only when their batch commits, so a failed batch leaves the roll-up and the memory in step.
 */
export class DailyRollup {
  /** What each written row counts for in the committed roll-up. */
  private readonly written = new WeakMap<UsageRecord, Counted>();
  /** The open batch's view: contributions written in it, and the sums it adds. */
  private readonly batchWritten = new Map<UsageRecord, Counted>();
  private readonly sums = new Map<string, Counted>();
  private readonly upsert: Statement;

  constructor(db: Database) {
    // A sub-key deleted since the row was written has had its rows (and their totals) moved to '' already.
    this.upsert = db.prepare(
      `INSERT INTO usage_daily (day, subkey_id, requests, interrupted, total_tokens)
       VALUES (?, coalesce((SELECT id FROM subkeys WHERE id = ?), ''), ?, ?, ?)
       ON CONFLICT (day, subkey_id) DO UPDATE SET requests = requests + excluded.requests,
         interrupted = interrupted + excluded.interrupted, total_tokens = total_tokens + excluded.total_tokens`,
    );
  }

  /** Counts a row just inserted, stored under `storedSubkeyId`. */
  inserted(record: UsageRecord, storedSubkeyId: string | null): void {
    const now = counted(record, storedSubkeyId);
    this.batchWritten.set(record, now);
    this.add(now, 1);
  }

  /** Counts the change of a row just updated to the record's current state. */
  updated(record: UsageRecord): void {
    const before = this.batchWritten.get(record) ?? this.written.get(record);
    // A row this process did not write (its batch failed) has nothing in the roll-up to change.
    if (before === undefined) return;
    const now = counted(record, before.subkeyId === '' ? null : before.subkeyId);
    this.batchWritten.set(record, now);
    this.add(before, -1);
    this.add(now, 1);
  }

  /** Writes the batch's sums; runs inside the batch's transaction. */
  write(): void {
    for (const sum of this.sums.values()) {
      if (sum.requests !== 0 || sum.interrupted !== 0 || sum.tokens !== 0) {
        this.upsert.run(sum.day, sum.subkeyId, sum.requests, sum.interrupted, sum.tokens);
      }
    }
  }

  /** After the batch's transaction: keeps its contributions when it committed, forgets them when it failed. */
  settle(committed: boolean): void {
    if (committed) for (const [record, now] of this.batchWritten) this.written.set(record, now);
    this.batchWritten.clear();
    this.sums.clear();
  }

  private add(change: Counted, sign: 1 | -1): void {
    if (change.requests === 0) return;
    const key = `${change.day} ${change.subkeyId}`;
    let sum = this.sums.get(key);
    if (!sum) {
      sum = { day: change.day, subkeyId: change.subkeyId, requests: 0, interrupted: 0, tokens: 0 };
      this.sums.set(key, sum);
    }
    sum.requests += sign * change.requests;
    sum.interrupted += sign * change.interrupted;
    sum.tokens += sign * change.tokens;
  }
}
