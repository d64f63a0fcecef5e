import type { BudgetThreshold } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

/** The most notifications the window keeps; older ones drop off. */
export const MAX_ALERTS = 50;

export interface AlertsSlice {
  /** `budget:threshold` pushes received since the window opened, newest first. */
  alerts: BudgetThreshold[];
  /** How many of them arrived since the list was last viewed. */
  unseenAlerts: number;
  /** From a push event: a key reached a budget threshold or is about to expire. */
  receiveAlert: (alert: BudgetThreshold) => void;
  /** The list was viewed: nothing is new any more. */
  markAlertsSeen: () => void;
}

/** The window's notifications: what the bell counts and lists. */
export const createAlertsSlice: SliceCreator<AlertsSlice> = () => (set) => ({
  alerts: [],
  unseenAlerts: 0,
  receiveAlert: (alert) =>
    set((state) => ({ alerts: [alert, ...state.alerts].slice(0, MAX_ALERTS), unseenAlerts: Math.min(state.unseenAlerts + 1, MAX_ALERTS) })),
  markAlertsSeen: () => set((state) => (state.unseenAlerts === 0 ? state : { unseenAlerts: 0 })),
});
