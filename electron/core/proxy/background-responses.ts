import type { UpstreamState } from './key-cache';
import type { Reservation } from './spend-gate';
import type { UsageRecord } from './usage-record';

/** How many background responses wait for their usage; the oldest are forgotten first (their reservation stands). */
const REMEMBERED = 10_000;

/** A background response's request, as it stood when its answer (queued, no usage yet) came. */
export interface PendingResponse {
  reservation: Reservation;
  record: UsageRecord;
  priced: { model: string | null; upstream: UpstreamState };
}

/**
 * Responses created with `background: true`: their answer comes back queued, without usage, so their reservation
 * stands as the charge, though the work runs on upstream afterwards and may use more (or less). The usage shows once
 * the client retrieves the finished response or cancels it: the proxy then settles the reservation to it (once).
 * A response never looked at again, or forgotten past REMEMBERED, keeps its reservation as its charge.
 */
export class BackgroundResponses {
  private readonly pending = new Map<string, PendingResponse>();

  remember(responseId: string, pending: PendingResponse): void {
    this.pending.set(responseId, pending);
    if (this.pending.size > REMEMBERED) this.pending.delete(this.pending.keys().next().value!);
  }

  /** The pending response `responseId`, now done with: it is settled at most once. */
  take(responseId: string): PendingResponse | undefined {
    const pending = this.pending.get(responseId);
    this.pending.delete(responseId);
    return pending;
  }
}
