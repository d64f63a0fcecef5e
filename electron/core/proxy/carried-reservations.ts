import type { UsageRecord } from './usage-record';
import type { SpendChange } from './write-batcher';

/** A request's reservation as its `in_flight` journal row carries it: requests taken from a sub-key's quota, spend taken from its budget windows. */
export interface CarriedReservation {
  subkeyId: string;
  /** The change to the key's remaining requests (−count; 0 for an unlimited key). */
  quota: number;
  /** What it took from each budget window (null: none). */
  spend: SpendChange[] | null;
}

/**
 * Reservations carried by journal rows until they are applied. The commit before a request is forwarded writes its
 * journal row with its reservation (one page); the commit that writes its usage row deletes that journal row and
 * applies the reservation to `subkeys` and `spend`, summed per key and budget window for all the rows it writes. Until
 * then the store's count for a key is its stored count plus what its journal rows carry, which `pendingQuota` gives a
 * reloaded sub-key. (A budget window's spend is read from the store only before its first reservation in this
 * process: see SpendGate.spent.)
 */
export class CarriedReservations {
  /** Quota carried by journal rows, queued or written, not yet applied to the stored count, per sub-key. */
  private readonly unapplied = new Map<string, number>();
  /** What the commit being written applies (its records, and their sums), until it is known to have committed. */
  private applied: UsageRecord[] = [];
  private quota = new Map<string, number>();
  private spend = new Map<string, SpendChange>();

  /** `record` carries `carried` from now on (its journal row is queued). */
  carry(record: UsageRecord, carried: CarriedReservation): void {
    record.carried = carried;
    if (carried.quota !== 0) addTo(this.unapplied, carried.subkeyId, carried.quota);
  }

  /** The journal row of `record` was never written (its commit failed): it carries nothing. */
  drop(record: UsageRecord): void {
    const carried = record.carried;
    if (!carried) return;
    record.carried = null;
    if (carried.quota !== 0) addTo(this.unapplied, carried.subkeyId, -carried.quota);
  }

  /** The quota change carried for `subkeyId` and not yet in its stored count. */
  pendingQuota(subkeyId: string): number {
    return this.unapplied.get(subkeyId) ?? 0;
  }

  /** Inside a commit that deletes the journal row of `record`: its reservation is applied by `write` in the same commit. */
  apply(record: UsageRecord): void {
    const carried = record.carried;
    if (!carried) return;
    this.applied.push(record);
    if (carried.quota !== 0) addTo(this.quota, carried.subkeyId, carried.quota);
    if (carried.spend) for (const change of carried.spend) addChange(this.spend, change);
  }

  /** Still inside that commit: adds changes made after reservations (refunds, settlements) to what it writes. */
  include(quota: ReadonlyMap<string, number>, spend: ReadonlyMap<string, SpendChange> | null): void {
    for (const [subkeyId, delta] of quota) addTo(this.quota, subkeyId, delta);
    if (spend) for (const change of spend.values()) addChange(this.spend, change);
  }

  /** Still inside that commit: writes the sums of what it applies. */
  write(updateQuota: (subkeyId: string, delta: number) => void, upsertSpend: (change: SpendChange) => void): void {
    for (const [subkeyId, delta] of this.quota) updateQuota(subkeyId, delta);
    for (const change of this.spend.values()) upsertSpend(change);
  }

  /** After that commit: what it applied no longer rides on the records, or (it failed) still does. */
  settle(committed: boolean): void {
    if (committed) {
      for (const record of this.applied) {
        const carried = record.carried!;
        record.carried = null;
        if (carried.quota !== 0) addTo(this.unapplied, carried.subkeyId, -carried.quota);
      }
    }
    this.applied = [];
    this.quota = new Map();
    this.spend = new Map();
  }
}

/** The journal's `spend` column: `[[metric, window, window_start, amount], ...]`, or null for none. */
export function spendColumn(spend: readonly SpendChange[] | null): string | null {
  return spend && spend.length > 0 ? JSON.stringify(spend.map((change) => [change.metric, change.window, change.windowStart, change.delta])) : null;
}

/** A journal row's carried reservation, as `recoverJournal` applies it. */
export function carriedOf(subkeyId: string | null, quota: number, spend: string | null): CarriedReservation | null {
  if (subkeyId === null || (quota === 0 && spend === null)) return null;
  const changes = spend === null ? null : (JSON.parse(spend) as [string, string, number, number][]).map(
    ([metric, window, windowStart, delta]): SpendChange => ({ ledgerKey: budgetLedgerKey(subkeyId, { metric, window }), subkeyId, metric, window, windowStart, delta }),
  );
  return { subkeyId, quota, spend: changes };
}

/** Adds a change already made (carried, or summed in a log) to `into`, as sumSpendChange sums it. */
function addChange(into: Map<string, SpendChange>, change: SpendChange): void {
  sumSpendChange(into, change.subkeyId, change, change.windowStart, change.delta, change.ledgerKey);
}

/** Adds `delta` to what `counts` holds under `key`. */
export function addTo(counts: Map<string, number>, key: string, delta: number): void {
  counts.set(key, (counts.get(key) ?? 0) + delta);
}

/** `subkeyId metric window`: a budget's ledger key, where the spend gate keeps what it has spent and changes to it are summed. */
export function budgetLedgerKey(subkeyId: string, budget: { metric: string; window: string }): string {
  return `${subkeyId} ${budget.metric} ${budget.window}`;
}

/**
 * Adds a change to one budget window to `into`, summed under the budget's ledger key (`subkeyId metric window`, made
 * once per budget by the spend gate, so the hot path builds no key); a change to another window of the same budget
 * (one ended mid-batch) is kept apart under a key with its start.
 */
export function sumSpendChange(
  into: Map<string, SpendChange>,
  subkeyId: string,
  budget: { metric: string; window: string },
  windowStart: number,
  delta: number,
  ledgerKey: string,
): void {
  let key = ledgerKey;
  let queued = into.get(key);
  if (queued && queued.windowStart !== windowStart) {
    key = `${ledgerKey} ${windowStart}`;
    queued = into.get(key);
  }
  if (queued) queued.delta += delta;
  else into.set(key, { ledgerKey, subkeyId, metric: budget.metric, window: budget.window, windowStart, delta });
}
