/** Where the window keeps when the bell was last opened, so "new" survives a reload or restart. */
export const ALERTS_SEEN_KEY = 'keygate.alertsSeenAt';

/** When the bell was last opened (ms since the epoch); 0 when never, or when storage is unavailable. */
export function readAlertsSeenAt(): number {
  try {
    const saved = Number(globalThis.localStorage?.getItem(ALERTS_SEEN_KEY));
    return Number.isFinite(saved) ? saved : 0;
  } catch {
    // Storage can be blocked (privacy settings): everything listed then counts as new, as before this was kept.
    return 0;
  }
}

/** Remembers that the bell was opened at `at`. */
export function writeAlertsSeenAt(at: number): void {
  try {
    globalThis.localStorage?.setItem(ALERTS_SEEN_KEY, String(at));
  } catch {
    // Not kept: the count clears for this window only.
  }
}
