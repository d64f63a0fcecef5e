import type { BudgetThreshold } from '../../../electron/shared/types';
import { readAlertsSeenAt, writeAlertsSeenAt } from '../lib/alerts-seen';
import type { SliceCreator } from './store-types';

/** The most notifications the window keeps; older ones drop off. */
export const MAX_ALERTS = 50;

/** One announcement, whether it came as a push or from alerts:list (the same one may come both ways). */
function alertKey(alert: BudgetThreshold): string {
  const slot = alert.kind === 'budget' ? `${alert.metric} ${alert.window} ${alert.percent}` : alert.expiresAt;
  return `${alert.kind} ${alert.subkeyId} ${slot} ${alert.at}`;
}

export interface AlertsSlice {
  /** What fired, newest first: what the store kept (alerts:list) and `budget:threshold` pushes since. */
  alerts: BudgetThreshold[];
  /** How many of them arrived since the list was last viewed (in this window or, by `at`, an earlier one). */
  unseenAlerts: number;
  /** Reads what fired while no window was open (alerts:list) and merges it with the pushes already received. */
  loadAlerts: () => Promise<void>;
  /** From a push event: a key reached a budget threshold or is about to expire. */
  receiveAlert: (alert: BudgetThreshold) => void;
  /** The list was viewed: nothing is new any more, after a reload either. */
  markAlertsSeen: () => void;
}

/** The window's notifications: what the bell counts and lists. */
export const createAlertsSlice: SliceCreator<AlertsSlice> = (api) => (set, get) => ({
  alerts: [],
  unseenAlerts: 0,
  async loadAlerts() {
    const stored = await api['alerts:list']({});
    set((state) => {
      const known = new Set(state.alerts.map(alertKey));
      const alerts = [...state.alerts, ...stored.filter((alert) => !known.has(alertKey(alert)))]
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
        .slice(0, MAX_ALERTS);
      const seenAt = readAlertsSeenAt();
      return { alerts, unseenAlerts: alerts.filter((alert) => Date.parse(alert.at) > seenAt).length };
    });
  },
  receiveAlert: (alert) =>
    set((state) => ({ alerts: [alert, ...state.alerts].slice(0, MAX_ALERTS), unseenAlerts: Math.min(state.unseenAlerts + 1, MAX_ALERTS) })),
  markAlertsSeen: () => {
    // `at` is main's clock: never remember less than the newest listed, or a clock behind it would show it again.
    const newest = get().alerts[0];
    writeAlertsSeenAt(Math.max(Date.now(), newest ? Date.parse(newest.at) : 0));
    set((state) => (state.unseenAlerts === 0 ? state : { unseenAlerts: 0 }));
  },
});
