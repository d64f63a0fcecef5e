import type { Budget, BudgetStatus } from '../../shared/types';
import { readBudgetZones } from '../budgets/budget-settings';
import { budgetWindow, type BudgetZones, type WindowBounds } from '../budgets/windows';
import type { Database } from './database';
import { isoOrNull, statement } from './statements';

/** What one budget's window has spent in the store (0 when nothing was). */
export function readSpend(db: Database, subkeyId: string, budget: Pick<Budget, 'metric' | 'window'>, windowStart: number): number {
  return (
    statement<[string, string, string, number], number>(
      db,
      'SELECT amount FROM spend WHERE subkey_id = ? AND metric = ? AND window = ? AND window_start = ?',
    )
      .pluck()
      .get(subkeyId, budget.metric, budget.window, windowStart) ?? 0
  );
}

/** Each budget with what its current window has spent and when it resets. */
export function budgetStatuses(db: Database, subkeyId: string, budgets: readonly Budget[], now: number): BudgetStatus[] {
  if (budgets.length === 0) return [];
  const zones = readBudgetZones(db);
  return budgets.map((budget) => {
    const bounds = cachedWindow(budget.window, now, zones);
    return { ...budget, spent: readSpend(db, subkeyId, budget, bounds.start), resetsAt: isoOrNull(bounds.end) };
  });
}

/** Window bounds take a few Intl calls each: a list of many keys computes each window once while it lasts. */
const windowCache = new Map<string, WindowBounds>();

function cachedWindow(window: Budget['window'], now: number, zones: BudgetZones): WindowBounds {
  const key = `${window} ${JSON.stringify(zones)}`;
  const cached = windowCache.get(key);
  if (cached && now >= cached.start && (cached.end === null || now < cached.end)) return cached;
  const bounds = budgetWindow(window, now, zones);
  if (windowCache.size > 64) windowCache.clear();
  windowCache.set(key, bounds);
  return bounds;
}

/** Budgets stored as JSON; anything unreadable counts as none (the proxy refuses such a key: see parseBudgets). */
export function parseStoredBudgets(json: string): Budget[] | null {
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return null;
    const budgets: Budget[] = [];
    for (const item of value) {
      const { metric, limit, window } = (item ?? {}) as Record<string, unknown>;
      if (metric !== 'requests' && metric !== 'tokens' && metric !== 'usd') return null;
      if (window !== 'day' && window !== 'week' && window !== 'month' && window !== 'total') return null;
      if (typeof limit !== 'number' || !(limit >= 0)) return null;
      budgets.push({ metric, limit, window });
    }
    return budgets;
  } catch {
    return null;
  }
}
