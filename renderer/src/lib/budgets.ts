import type { Budget, BudgetMetric, BudgetStatus, BudgetWindow, RateLimits } from '../../../electron/shared/types';

export const BUDGET_METRICS: readonly BudgetMetric[] = ['usd', 'requests', 'tokens'];
export const BUDGET_WINDOWS: readonly BudgetWindow[] = ['day', 'week', 'month', 'total'];

/** One-click budgets the issue and edit forms offer. */
export const BUDGET_PRESETS: readonly Budget[] = [
  { metric: 'usd', limit: 5, window: 'month' },
  { metric: 'usd', limit: 1, window: 'day' },
  { metric: 'requests', limit: 1000, window: 'day' },
  { metric: 'tokens', limit: 1_000_000, window: 'month' },
];

export const NO_RATE_LIMITS: RateLimits = { requestsPerMinute: null, tokensPerMinute: null, maxConcurrent: null };

/** `budgets` with `budget` in it: its limit replaces that of the budget with the same metric and window, if any. */
export function withBudget(budgets: readonly Budget[], budget: Budget): Budget[] {
  const index = budgets.findIndex((each) => each.metric === budget.metric && each.window === budget.window);
  if (index === -1) return [...budgets, budget];
  return budgets.map((each, at) => (at === index ? { ...each, limit: budget.limit } : each));
}

/** A budget to add: the first metric and window pair not yet taken ($ a month first). */
export function nextBudget(budgets: readonly Budget[]): Budget {
  for (const metric of BUDGET_METRICS) {
    for (const window of ['month', 'day', 'week', 'total'] as const) {
      if (!budgets.some((each) => each.metric === metric && each.window === window)) return { metric, limit: metric === 'usd' ? 5 : 1000, window };
    }
  }
  return { metric: 'usd', limit: 5, window: 'month' };
}

/** Indexes of budgets that repeat an earlier one's metric and window (the contract takes one of each). */
export function duplicateBudgets(budgets: readonly Budget[]): Set<number> {
  const seen = new Set<string>();
  const duplicates = new Set<number>();
  budgets.forEach((budget, index) => {
    const key = `${budget.metric} ${budget.window}`;
    if (seen.has(key)) duplicates.add(index);
    seen.add(key);
  });
  return duplicates;
}

/** The budgets themselves, without what is spent (what `subkeys:update` takes back). */
export function budgetsOf(statuses: readonly BudgetStatus[]): Budget[] {
  return statuses.map(({ metric, limit, window }) => ({ metric, limit, window }));
}

/** Whether two budget lists are the same budgets in the same order (an edit that changed nothing sends nothing). */
export function sameBudgets(a: readonly Budget[], b: readonly Budget[]): boolean {
  return a.length === b.length && a.every((budget, index) => budget.metric === b[index]!.metric && Object.is(budget.limit, b[index]!.limit) && budget.window === b[index]!.window);
}

/** Whether two sets of rate limits are the same. */
export function sameRateLimits(a: RateLimits, b: RateLimits): boolean {
  return a.requestsPerMinute === b.requestsPerMinute && a.tokensPerMinute === b.tokensPerMinute && a.maxConcurrent === b.maxConcurrent;
}

/** How much of a budget is spent, 0–100. */
export function spentPercent(budget: Pick<BudgetStatus, 'spent' | 'limit'>): number {
  if (budget.limit <= 0) return 100;
  return Math.min(100, Math.max(0, (budget.spent / budget.limit) * 100));
}

/** An amount of a metric as a number in the UI language: dollars to the cent (a tenth of one below a cent), whole counts. */
export function formatMetricNumber(metric: BudgetMetric, amount: number, language: string): string {
  if (metric === 'usd') {
    const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
    return new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: digits }).format(amount);
  }
  return new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(Math.round(amount));
}
