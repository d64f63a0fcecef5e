import type { BudgetThreshold } from '../../shared/types';
import type { Database } from '../store/database';
import { nextExpiryAfter, unwarnedExpiries, writeAlertMark } from '../store/threshold-alerts-repo';

/** How long before a key expires it is announced. */
export const EXPIRY_WARNING_MS = 24 * 3_600_000;
/** setTimeout's longest delay (about 24.8 days); a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Announces `budget:threshold` (kind `expiry`) once per key and expiry, when an enabled key is within 24 h of expiring.
 * One timer, set for the soonest expiry's warning, instead of a scan per request; `changed()` after a key was written
 * looks again (a changed expiry re-arms its warning). What was announced is kept in the store, so a restart does not
 * repeat it.
 */
export class ExpiryAlerts {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly emit: (event: BudgetThreshold) => void,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Announces what is due now and sets the timer for the next one. */
  start(): void {
    this.stopped = false;
    this.run();
  }

  /** Keys were written: look again once this event-loop turn is over. */
  changed(): void {
    if (this.stopped) return;
    this.immediate ??= setImmediate(() => {
      this.immediate = null;
      this.run();
    });
  }

  /** Stops the timer (before the store closes). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private run(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || !this.db.open) return;
    const now = this.now();
    try {
      for (const key of unwarnedExpiries(this.db, now, now + EXPIRY_WARNING_MS)) {
        const event: BudgetThreshold = { kind: 'expiry', subkeyId: key.id, subkeyName: key.name, expiresAt: new Date(key.expiresAt).toISOString(), at: new Date(now).toISOString() };
        if (!writeAlertMark(this.db, key.id, 'expiry', { mark: String(key.expiresAt), percent: 100 }, now, event)) continue;
        this.emit(event);
      }
      const next = nextExpiryAfter(this.db, now + EXPIRY_WARNING_MS);
      if (next === null) return;
      this.timer = setTimeout(() => this.run(), Math.min(Math.max(1, next - EXPIRY_WARNING_MS - now), MAX_TIMER_MS));
    } catch (error) {
      // The store could not be read or written: try again in a minute.
      this.onError(error);
      this.timer = setTimeout(() => this.run(), 60_000);
    }
    this.timer?.unref();
  }
}
