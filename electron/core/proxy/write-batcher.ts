import type { Database } from '../store/database';
import type { UsageRecord } from './usage-record';

const enum OpKind {
  Insert,
  Complete,
}

interface Op {
  kind: OpKind;
  record: UsageRecord;
}

interface Batch {
  ops: Op[];
  /** Quota change per sub-key (reservations −1, refunds +1); 0 for unlimited keys, which still get last_used_at. */
  deltas: Map<string, number>;
  lastUsed: Map<string, number>;
  committed: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Whether someone waits on `committed` (otherwise a failure must not become an unhandled rejection). */
  awaited: boolean;
}

/**
 * Group commit: the quota reservations and usage rows of every request seen in one event-loop turn are written in
 * ONE immediate transaction (one WAL commit) in the check phase of that turn. A request whose quota is limited waits
 * for its batch's commit before it is forwarded, so a reservation is durable before upstream sees the request;
 * after-the-fact records (usage completion, refunds) ride in whichever batch comes next.
 */
export class WriteBatcher {
  private batch: Batch | null = null;
  private readonly updateSubkey;
  private readonly insertUsage;
  private readonly completeUsage;
  private readonly commit;

  constructor(
    db: Database,
    private readonly onCommitted?: (subkeyIds: ReadonlySet<string | null>) => void,
    private readonly onFailed?: (batchDeltas: ReadonlyMap<string, number>, error: unknown) => void,
  ) {
    this.updateSubkey = db.prepare(
      'UPDATE subkeys SET remaining_requests = remaining_requests + ?, last_used_at = COALESCE(?, last_used_at) WHERE id = ?',
    );
    this.insertUsage = db.prepare(
      `INSERT INTO usage (subkey_id, at, method, path, model, status, latency_ms, prompt_tokens, completion_tokens, total_tokens, refusal)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.completeUsage = db.prepare(
      'UPDATE usage SET model = ?, status = ?, latency_ms = ?, prompt_tokens = ?, completion_tokens = ?, total_tokens = ?, refusal = ? WHERE id = ?',
    );
    this.commit = db.transaction((batch: Batch) => {
      for (const [id, delta] of batch.deltas) this.updateSubkey.run(delta, batch.lastUsed.get(id) ?? null, id);
      for (const op of batch.ops) {
        if (op.kind === OpKind.Insert) this.insert(op.record);
        else if (op.record.rowId !== null) this.complete(op.record);
      }
    });
  }

  /**
   * Queues a usage row (in flight, or final for a refused request) and, when `reserve` names a sub-key, its quota
   * change. Nobody waits for it: a failed commit is reported through `onFailed`.
   */
  enqueueInsert(record: UsageRecord, quota?: { subkeyId: string; delta: number; at: number }): void {
    this.push(record, quota);
  }

  /** Like enqueueInsert, for a caller that waits for the commit before going on (a failed commit rejects). */
  enqueueAwaitedInsert(record: UsageRecord, quota: { subkeyId: string; delta: number; at: number }): Promise<void> {
    const batch = this.push(record, quota);
    batch.awaited = true;
    return batch.committed;
  }

  private push(record: UsageRecord, quota?: { subkeyId: string; delta: number; at: number }): Batch {
    const batch = this.current();
    batch.ops.push({ kind: OpKind.Insert, record });
    if (quota) {
      batch.deltas.set(quota.subkeyId, (batch.deltas.get(quota.subkeyId) ?? 0) + quota.delta);
      batch.lastUsed.set(quota.subkeyId, quota.at);
    }
    return batch;
  }

  /** Queues the final state of a usage row written earlier (or in this same batch). */
  enqueueComplete(record: UsageRecord): void {
    this.current().ops.push({ kind: OpKind.Complete, record });
  }

  /** Queues a quota refund (+1) for a sub-key. */
  enqueueRefund(subkeyId: string): void {
    const batch = this.current();
    batch.deltas.set(subkeyId, (batch.deltas.get(subkeyId) ?? 0) + 1);
  }

  /** The quota change queued but not yet written for `subkeyId`. */
  pendingDelta(subkeyId: string): number {
    return this.batch?.deltas.get(subkeyId) ?? 0;
  }

  /** Writes the pending batch now, synchronously. */
  flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    try {
      this.commit.immediate(batch);
    } catch (error) {
      this.onFailed?.(batch.deltas, error);
      if (batch.awaited) batch.reject(error);
      return;
    }
    batch.resolve();
    if (this.onCommitted) {
      const touched = new Set<string | null>();
      for (const op of batch.ops) if (op.record.status !== null) touched.add(op.record.subkeyId);
      if (touched.size > 0) this.onCommitted(touched);
    }
  }

  private current(): Batch {
    if (this.batch) return this.batch;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.batch = { ops: [], deltas: new Map(), lastUsed: new Map(), committed, resolve, reject, awaited: false };
    setImmediate(() => this.flush());
    return this.batch;
  }

  private insert(record: UsageRecord): void {
    const values = [
      record.at,
      record.method,
      record.path,
      record.model,
      record.status,
      record.latencyMs,
      record.promptTokens,
      record.completionTokens,
      record.totalTokens,
      record.refusal,
    ] as const;
    try {
      record.rowId = this.insertUsage.run(record.subkeyId, ...values).lastInsertRowid;
    } catch (error) {
      // The sub-key was deleted while its request was on its way: keep the row, unattributed (as ON DELETE SET NULL would).
      if (record.subkeyId === null || !isForeignKeyError(error)) throw error;
      record.rowId = this.insertUsage.run(null, ...values).lastInsertRowid;
    }
  }

  private complete(record: UsageRecord): void {
    this.completeUsage.run(
      record.model,
      record.status,
      record.latencyMs,
      record.promptTokens,
      record.completionTokens,
      record.totalTokens,
      record.refusal,
      record.rowId,
    );
  }
}

function isForeignKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
