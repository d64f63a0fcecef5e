import type { UpstreamState } from './key-cache';
import type { Reservation } from './spend-gate';
import type { UsageRecord } from './usage-record';

/** How many holds of each kind wait for their usage; the oldest are forgotten first (their reservation stands). */
const REMEMBERED = 10_000;

/** A background response's request, as it stood when its answer (queued, no usage yet) came. */
export interface PendingResponse {
  reservation: Reservation;
  record: UsageRecord;
  priced: { model: string | null; upstream: UpstreamState };
}

/** A batch's request, with the models its lines name (its usage is one sum over them all). */
export interface PendingBatch {
  reservation: Reservation;
  record: UsageRecord;
  models: readonly string[];
  upstream: UpstreamState;
}

/** Batch statuses after which a batch's `usage` is final. */
export const FINAL_BATCH_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/**
 * Work that runs on upstream after its answer: a response created with `background: true` (answered queued, without
 * usage) and a batch (its lines run for up to a day). Its reservation stands as the charge until the client retrieves
 * the finished object or cancels it and the answer shows its usage: the proxy then settles it, once, by object id.
 * One never looked at again, or forgotten past REMEMBERED, keeps its reservation as its charge.
 */
export class LateSettlements<T> {
  private readonly pending = new Map<string, T>();

  remember(id: string, pending: T): void {
    this.pending.set(id, pending);
    if (this.pending.size > REMEMBERED) this.pending.delete(this.pending.keys().next().value!);
  }

  /** What waits on object `id`, now done with: it is settled at most once. */
  take(id: string): T | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }
}
