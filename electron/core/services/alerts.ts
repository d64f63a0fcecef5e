import type { BudgetThreshold } from '../../shared/types';
import type { Database } from '../store/database';
import { recentAlerts } from '../store/threshold-alerts-repo';

/** The most announcements alerts:list answers (the bell keeps as many). */
export const ALERTS_LIST_LIMIT = 50;

/**
 * alerts:list — the budget and expiry announcements the store kept, newest first, so a window opened after they
 * were pushed (or a browser tab opened later) still shows them.
 */
export function createAlertsService(deps: { db: Database }) {
  return {
    list(): BudgetThreshold[] {
      return recentAlerts(deps.db, ALERTS_LIST_LIMIT);
    },
  };
}
