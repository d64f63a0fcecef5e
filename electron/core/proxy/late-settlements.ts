import type { BudgetMetric, BudgetWindow } from '../../shared/types';
import type { Database } from '../store/database';
import type { UsageRow } from '../store/usage-repo';
import type { KeyCache, SubkeyState, UpstreamState } from './key-cache';
import type { Reservation, SpendGate } from './spend-gate';
import type { UsageRecord } from './usage-record';
import type { WriteBatcher } from './write-batcher';

/** How many holds of each kind wait for their usage in memory; older ones are read back from the store. */
const REMEMBERED = 10_000;

/** Work whose usage shows after its answer: a response created with `background: true`, or a batch. */
export type LateKind = 'response' | 'batch';

/** A request whose reservation stands until its usage shows: the models its usage is priced at (a batch: its lines'). */
export interface PendingWork {
  reservation: Reservation;
  record: UsageRecord;
  /** A response: its model, or none; a batch: the models its lines name (its usage is one sum over them all). */
  models: readonly string[];
  upstream: UpstreamState;
}

/** What the store keeps of a reservation's hold: enough to settle it after a restart (spend-gate.ts `restore`). */
export interface StoredHold {
  metric: BudgetMetric;
  window: BudgetWindow;
  windowStart: number;
  amount: number;
}

/** A `late_settlements` row as the write batcher writes it (its usage row's id is read when that row is written). */
export interface LateSettlementRow {
  kind: LateKind;
  objectId: string;
  record: UsageRecord;
  subkeyId: string;
  upstreamId: string;
  models: readonly string[];
  holds: StoredHold[];
  at: number;
}

/** Batch statuses after which a batch's `usage` is final. */
export const FINAL_BATCH_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/**
 * Work that runs on upstream after its answer: a response created with `background: true` (answered queued, without
 * usage) and a batch (its lines run for up to a day). Its reservation stands as the charge until the client retrieves
 * the finished object or cancels it and the answer shows its usage: the proxy then settles it, once, by object id.
 * Each is kept in the store too (`late_settlements`, written with the usage log), so one whose usage shows after a
 * restart is settled all the same; one never looked at again keeps its reservation as its charge (its row goes when
 * retention prunes its usage row).
 */
export class LateSettlements {
  private readonly pending = new Map<string, PendingWork>();
  /** Ids settled by this run: their rows may wait for the next commit to go, and must not be read back meanwhile. */
  private readonly settled = new Set<string>();
  private readonly read;
  private readonly usageRow;

  constructor(
    private readonly kind: LateKind,
    private readonly facts: { db: Database; writes: WriteBatcher; keys: KeyCache; gate: SpendGate },
  ) {
    this.read = facts.db.prepare('SELECT subkey_id, usage_id, upstream_id, models, holds FROM late_settlements WHERE kind = ? AND object_id = ?');
    this.usageRow = facts.db.prepare('SELECT * FROM usage WHERE id = ?');
  }

  remember(id: string, work: PendingWork): void {
    this.pending.set(id, work);
    this.settled.delete(id);
    if (this.pending.size > REMEMBERED) this.pending.delete(this.pending.keys().next().value!);
    const { reservation, record } = work;
    const holds = reservation.holds.map((hold) => ({ metric: hold.budget.metric, window: hold.budget.window, windowStart: hold.windowStart, amount: hold.amount }));
    this.facts.writes.enqueueLateSettlement({
      kind: this.kind,
      objectId: id,
      record,
      subkeyId: reservation.subkey.id,
      upstreamId: work.upstream.id,
      models: work.models,
      holds,
      at: record.at,
    });
  }

  /** What waits on object `id`, now done with: it is settled at most once. Read back from the store after a restart. */
  take(id: string): PendingWork | undefined {
    if (this.settled.has(id)) return undefined;
    const work = this.pending.get(id) ?? this.restore(id);
    if (!work) return undefined;
    this.pending.delete(id);
    this.settled.add(id);
    if (this.settled.size > REMEMBERED) this.settled.delete(this.settled.values().next().value!);
    this.facts.writes.enqueueLateSettled(this.kind, id);
    return work;
  }

  /**
   * The work a row of an earlier run describes, or undefined: none, or its sub-key not loaded (the owner's next
   * retrieval, which loads it, settles it).
   */
  private restore(id: string): PendingWork | undefined {
    const row = this.read.get(this.kind, id) as { subkey_id: string; usage_id: number; upstream_id: string; models: string; holds: string } | undefined;
    if (!row) return undefined;
    const { writes, keys, gate } = this.facts;
    const subkey: SubkeyState | undefined = keys.cachedSubkey(row.subkey_id);
    if (!subkey) return undefined;
    // Retention pruning the usage row deletes this row with it (a trigger): none here means it went in between.
    const usage = this.usageRow.get(row.usage_id) as UsageRow | undefined;
    if (!usage) return undefined;
    let work: PendingWork;
    try {
      work = { reservation: gate.restore(subkey, JSON.parse(row.holds) as StoredHold[]), record: storedRecord(usage), models: JSON.parse(row.models) as string[], upstream: keys.upstream(row.upstream_id) };
    } catch {
      // An upstream whose key cannot be opened any more: the hold stands, as it would have without the row.
      return undefined;
    }
    writes.adopt(work.record);
    return work;
  }
}

/** The record of a usage row written by an earlier run. */
function storedRecord(row: UsageRow): UsageRecord {
  return {
    rowId: row.id,
    subkeyId: row.subkey_id,
    at: row.at,
    method: row.method,
    path: row.path,
    model: row.model ?? null,
    status: row.status ?? null,
    latencyMs: row.latency_ms ?? null,
    promptTokens: row.prompt_tokens ?? null,
    completionTokens: row.completion_tokens ?? null,
    totalTokens: row.total_tokens ?? null,
    refusal: row.refusal ?? null,
    costUsd: row.cost_usd ?? null,
    cachedTokens: row.cached_tokens ?? null,
    reasoningTokens: row.reasoning_tokens ?? null,
    // Counted as stored when the batcher adopts it.
    counted: null,
    pendingCount: null,
    carried: null,
  };
}
