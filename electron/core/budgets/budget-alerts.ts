import type { Budget, BudgetThreshold } from '../../shared/types';
import type { Database } from '../store/database';
import { readAlertMarks, subkeyNameOf, writeAlertMark, type AlertMark } from '../store/threshold-alerts-repo';
import type { WindowBounds } from './windows';

/** Where a budget's current window stands (the proxy's SpendGate answers it from memory). */
export interface SpendReader {
  budgetSpent(subkeyId: string, budget: Budget): { spent: number } & WindowBounds;
}

/** The highest threshold `spent` has reached of `limit` (0: none); a budget of 0 announces nothing (it allows nothing). */
export function reachedPercent(spent: number, limit: number): 0 | 80 | 100 {
  if (!(limit > 0)) return 0;
  if (spent >= limit) return 100;
  return spent >= limit * 0.8 ? 80 : 0;
}

/** The slot a budget's alerts are kept in: one budget per metric and window. */
export function budgetSlot(budget: Pick<Budget, 'metric' | 'window'>): string {
  return `${budget.metric} ${budget.window}`;
}

/** Marks per key kept in memory; past this many keys the cache starts over (they are re-read from the store). */
const MAX_CACHED_KEYS = 10_000;

/**
 * Announces `budget:threshold` when a key reaches 80 % and 100 % of a budget: each percent once per window and limit.
 * The proxy tells it which keys settled a request; it looks at them once after that event-loop turn (off the request's
 * path), comparing each budget's spent with what was already announced, which the store keeps so that a restart
 * does not announce it again. A new window or a changed limit re-arms the budget.
 */
export class BudgetAlerts {
  private readonly pending = new Map<string, readonly Budget[]>();
  private scheduled: NodeJS.Immediate | null = null;
  private readonly marks = new Map<string, Map<string, AlertMark>>();

  constructor(
    private readonly db: Database,
    private readonly spend: SpendReader,
    private readonly emit: (event: BudgetThreshold) => void,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** A key with budgets settled a request: its budgets are looked at once this event-loop turn is over. */
  settled(subkeyId: string, budgets: readonly Budget[]): void {
    this.pending.set(subkeyId, budgets);
    this.scheduled ??= setImmediate(this.checkPending);
  }

  /** Looks at the keys that settled since the last look now (tests, and before closing the store). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.checkPending();
  }

  private readonly checkPending = (): void => {
    this.scheduled = null;
    const pending = [...this.pending];
    this.pending.clear();
    if (!this.db.open) return;
    for (const [subkeyId, budgets] of pending) {
      try {
        this.check(subkeyId, budgets);
      } catch (error) {
        // The store could not be read or written: the next settled request looks again.
        this.onError(error);
      }
    }
  };

  private check(subkeyId: string, budgets: readonly Budget[]): void {
    const now = this.now();
    for (const budget of budgets) {
      const { spent, start, end } = this.spend.budgetSpent(subkeyId, budget);
      const percent = reachedPercent(spent, budget.limit);
      if (percent === 0) continue;
      const slot = budgetSlot(budget);
      const mark = `${start} ${budget.limit}`;
      const known = this.marksOf(subkeyId);
      const announced = known.get(slot);
      if (announced && announced.mark === mark && announced.percent >= percent) continue;
      const name = subkeyNameOf(this.db, subkeyId);
      if (name === null) return;
      const event: BudgetThreshold = {
        kind: 'budget',
        subkeyId,
        subkeyName: name,
        metric: budget.metric,
        window: budget.window,
        percent,
        spent,
        limit: budget.limit,
        resetsAt: end === null ? null : new Date(end).toISOString(),
        at: new Date(now).toISOString(),
      };
      if (!writeAlertMark(this.db, subkeyId, slot, { mark, percent }, now, event)) return;
      known.set(slot, { mark, percent });
      this.emit(event);
    }
  }

  private marksOf(subkeyId: string): Map<string, AlertMark> {
    let known = this.marks.get(subkeyId);
    if (!known) {
      if (this.marks.size >= MAX_CACHED_KEYS) this.marks.clear();
      known = readAlertMarks(this.db, subkeyId);
      this.marks.set(subkeyId, known);
    }
    return known;
  }
}
