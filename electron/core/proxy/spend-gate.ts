import type { Budget, BudgetMetric, BudgetWindow } from '../../shared/types';
import { readBudgetZones } from '../budgets/budget-settings';
import { budgetWindow, type WindowBounds } from '../budgets/windows';
import type { Database } from '../store/database';
import { readSpend } from '../store/spend-repo';
import type { KeyCache, SubkeyState } from './key-cache';
import type { StoredHold } from './late-settlements';
import { budgetLedgerKey } from './carried-reservations';
import { proxyErrors } from './proxy-error';
import { holdsTokensOrDollars } from './spend-amounts';
import { checkQuotaLeft, refundQuota, reserveQuota } from './quota';
import { hasRateLimits, RateLimiter, type RateHold } from './rate-limiter';
import type { UsageRecord } from './usage-record';
import type { SpendChange, WriteBatcher } from './write-batcher';

/** What a request takes or took: requests, tokens, and US dollars (null: no price is known for its model). */
export interface SpendAmounts {
  requests: number;
  tokens: number;
  usd: number | null;
  /**
   * When `tokens` and `usd` are estimates the request may exceed (its input guessed from its bytes, an uncapped
   * output taken at the settings' default): its sure worst case, worked out only when the gate needs it.
   */
  bound?: () => { tokens: number; usd: number | null };
}

interface Hold {
  budget: Budget;
  ledgerKey: string;
  windowStart: number;
  amount: number;
}

/** What one request holds until it is settled or released. */
export interface Reservation {
  subkey: SubkeyState;
  /** Whether requests were taken from the lifetime quota. */
  quota: boolean;
  /** How many requests were taken (a batch: one per line of its input); settling never changes it. */
  count: number;
  holds: Hold[];
  /** Its request, tokens and place in flight under the key's rate limits (null: the key has none). */
  rate: RateHold | null;
  /** Whether its budget holds are estimates (amounts.bound not taken): the key's one such reservation in flight. */
  guessed: boolean;
  /** Committed with the request's in-flight usage row: forward only after it resolves (rejects if the store failed). */
  committed: Promise<void>;
  done: boolean;
}

const METRIC_UNITS: Record<BudgetMetric, (amount: number) => string> = {
  requests: (amount) => `${amount} requests`,
  tokens: (amount) => `${amount} tokens`,
  usd: (amount) => `$${amount}`,
};

const WINDOW_NAMES: Record<BudgetWindow, string> = { day: 'a day', week: 'a week', month: 'a month', total: 'in total' };

/**
 * Reserve, then settle: the one place that decides whether a request may spend. `reserve` checks the lifetime quota
 * and every budget at once against the request's worst case and takes it (in memory, the authority: one thread, so
 * no two requests can take the same last dollar), queuing the store's copy in the same group commit as the request's
 * usage row. `settle` corrects each hold to what the answer reported; `release` gives everything back (non-2xx).
 *
 * A budget's reservations hold estimates for one request per key at a time: while a key has a request in flight whose
 * holds are estimates (`guessed`), every other request of the key holds its sure worst case (`amounts.bound`). So
 * whatever bodies and concurrency a holder crafts, spent stays within limit + what one request used beyond its
 * estimate. Sequential use, the common case, never pays for the larger holds.
 */
export class SpendGate {
  /** What each budget window has spent, by `subkeyId metric window`: the current window's start, amount and held part. */
  private readonly ledger = new Map<string, LedgerEntry>();
  /** Each budget's ledger key, made once per budget object (a loaded sub-key's), not per request and hold. */
  private readonly ledgerKeys = new WeakMap<Budget, { subkeyId: string; key: string }>();
  private readonly windows = new Map<BudgetWindow, WindowBounds>();
  private readonly rates = new RateLimiter();
  /** Sub-keys with a request in flight whose budget holds are estimates (at most one each). */
  private readonly guessing = new Set<string>();
  private settledListener: ((subkey: SubkeyState) => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly keys: KeyCache,
    private readonly writes: WriteBatcher,
    private readonly now: () => number = Date.now,
  ) {
    writes.onSpendDropped((changes) => {
      // The batch did not commit: what it would have written never happened.
      for (const change of changes) {
        const entry = this.ledger.get(change.ledgerKey);
        if (entry && entry.start === change.windowStart) entry.amount -= change.delta;
      }
    });
  }

  /** Refuses, before the body is read, a sub-key whose quota or any budget is already spent, or a rate limit reached (429). */
  checkLeft(subkey: SubkeyState): void {
    checkQuotaLeft(subkey);
    if (subkey.budgets.length === 0 && !hasRateLimits(subkey.rateLimits)) return;
    const now = this.now();
    for (const budget of subkey.budgets) {
      const bounds = this.bounds(budget.window, now);
      const key = this.ledgerKey(subkey.id, budget);
      const spent = this.spent(subkey.id, key, budget, bounds.start);
      if (spent < budget.limit) continue;
      // Full only with what requests in flight hold: they may settle below it.
      if (spent - this.heldIn(key, bounds.start) < budget.limit) throw proxyErrors.budgetHeld(describe(budget));
      throw this.exceeded(budget, bounds, now);
    }
    // Budgets first: a spent budget is final, a rate limit only says "later".
    this.rates.checkLeft(subkey.id, subkey.rateLimits, now);
  }

  /**
   * Takes `amounts` (the request's worst case) from the quota and every budget, or throws: 429 `insufficient_quota`,
   * 429 `budget_exceeded` (with Retry-After when the window resets), 403 `price_unknown` (a USD budget, no price),
   * 429 `rate_limit_exceeded` (a rate limit; the same token estimate as the budgets). Queues the in-flight usage
   * `record` with it.
   */
  reserve(subkey: SubkeyState, amounts: SpendAmounts, record: UsageRecord): Reservation {
    const now = this.now();
    const holds: Hold[] = [];
    // Requests are counted exactly; tokens and dollars are guessed only when no other guess of the key is in flight.
    const guessed = amounts.bound !== undefined && !this.guessing.has(subkey.id) && holdsTokensOrDollars(subkey.budgets);
    const held = amounts.bound === undefined || guessed ? amounts : amounts.bound();
    for (const budget of subkey.budgets) {
      const amount = budget.metric === 'requests' ? amounts.requests : held[budget.metric];
      if (amount === null) throw proxyErrors.priceUnknown(record.model ?? '');
      const bounds = this.bounds(budget.window, now);
      const key = this.ledgerKey(subkey.id, budget);
      const spent = this.spent(subkey.id, key, budget, bounds.start);
      if (spent >= budget.limit || spent + amount > budget.limit) {
        // Would it fit, with its estimate, once the requests in flight are settled? Then the budget is only held.
        const estimate = budget.metric === 'requests' ? amounts.requests : (amounts[budget.metric] ?? amount);
        if (spent - this.heldIn(key, bounds.start) + estimate <= budget.limit) throw proxyErrors.budgetHeld(describe(budget));
        throw this.exceeded(budget, bounds, now);
      }
      holds.push({ budget, ledgerKey: key, windowStart: bounds.start, amount });
    }
    const limited = hasRateLimits(subkey.rateLimits);
    if (limited) this.rates.checkFits(subkey.id, subkey.rateLimits, amounts.tokens, now);
    // What the holds take rides in the request's journal row with its quota (carried-reservations.ts), committed
    // before it is forwarded. reserveQuota throws insufficient_quota before anything was queued.
    const carried = holds.length === 0 ? null : holds.map((hold) => this.take(subkey.id, hold));
    let committed: Promise<void>;
    try {
      committed = reserveQuota(subkey, record, this.writes, amounts.requests, carried);
    } catch (error) {
      for (const hold of holds) this.untake(hold);
      throw error;
    }
    // Checked above in this same synchronous run, so it cannot fail now.
    const rate = limited ? this.rates.take(subkey.id, subkey.rateLimits, amounts.tokens, now) : null;
    if (guessed) this.guessing.add(subkey.id);
    return { subkey, quota: subkey.remaining !== null, count: amounts.requests, holds, rate, guessed, committed, done: false };
  }

  /**
   * Charges what the answer reported instead of the reservation. `actual` null (no usage arrived, e.g. the client
   * left a stream early) or a null USD amount charges what was reserved.
   */
  settle(reservation: Reservation, actual: SpendAmounts | null): void {
    if (reservation.done) return;
    reservation.done = true;
    this.stopGuessing(reservation);
    if (reservation.rate) this.rates.settle(reservation.rate, actual?.tokens ?? null);
    // Answered: what it holds is a charge now (its usage, or what it reserved), no longer in flight.
    for (const hold of reservation.holds) this.inFlight(hold, false);
    this.correct(reservation, actual);
  }

  /**
   * Charges what a background response turned out to use (late-settlements.ts), for a reservation its answer
   * left standing (`settle` with null): each budget's hold becomes `actual`. The minute its tokens counted toward a
   * rate limit has passed, so rate limits keep the estimate.
   */
  settleLate(reservation: Reservation, actual: SpendAmounts): void {
    this.correct(reservation, actual);
  }

  private correct(reservation: Reservation, actual: SpendAmounts | null): void {
    for (const hold of reservation.holds) {
      // Requests are counted when reserved (a batch's lines are not its answer's usage): only tokens and USD settle.
      const value = hold.budget.metric === 'requests' ? undefined : actual?.[hold.budget.metric];
      if (value === undefined || value === null) continue;
      this.change(reservation.subkey.id, hold, value - hold.amount);
      hold.amount = value;
    }
    if (reservation.holds.length > 0) this.settledListener?.(reservation.subkey);
  }

  /**
   * A reservation an earlier run made and kept (late-settlements.ts), to settle with `settleLate`: its holds as
   * stored, each against the key's budget of that metric and window (a budget removed since is settled all the same).
   */
  restore(subkey: SubkeyState, stored: readonly StoredHold[]): Reservation {
    const holds = stored.map((hold): Hold => {
      const budget = subkey.budgets.find((each) => each.metric === hold.metric && each.window === hold.window) ?? { metric: hold.metric, window: hold.window, limit: 0 };
      return { budget, ledgerKey: this.ledgerKey(subkey.id, budget), windowStart: hold.windowStart, amount: hold.amount };
    });
    return { subkey, quota: false, count: 0, holds, rate: null, guessed: false, committed: Promise.resolve(), done: true };
  }

  /** Gives everything back (upstream did not answer 2xx, or the request never went). */
  release(reservation: Reservation): void {
    if (reservation.done) return;
    reservation.done = true;
    this.stopGuessing(reservation);
    if (reservation.rate) this.rates.release(reservation.rate);
    if (reservation.quota) refundQuota(reservation.subkey, this.keys, this.writes, reservation.count);
    for (const hold of reservation.holds) this.giveBack(reservation.subkey.id, hold);
  }

  /** Forgets a reservation whose batch failed to commit: the batcher already took its changes back. */
  abandon(reservation: Reservation): void {
    if (!reservation.done) for (const hold of reservation.holds) this.inFlight(hold, false);
    reservation.done = true;
    this.stopGuessing(reservation);
    if (reservation.rate) this.rates.drop(reservation.rate);
  }

  /** A guessed reservation is settled or gone: the key's next request may guess again. */
  private stopGuessing(reservation: Reservation): void {
    if (!reservation.guessed) return;
    reservation.guessed = false;
    this.guessing.delete(reservation.subkey.id);
  }

  /**
   * The `x-ratelimit-*` headers every answer to a key with rate limits carries (its own limits, replacing upstream's),
   * or null for a key without; set on `into` when given.
   */
  rateHeaders(subkey: SubkeyState, into?: Record<string, string | string[]>): Record<string, string | string[]> | null {
    if (!hasRateLimits(subkey.rateLimits)) return null;
    return this.rates.headers(subkey.id, subkey.rateLimits, this.now(), into);
  }

  /**
   * A request in flight takes `hold`: spent from its budget window, and held there until it is answered. Answers the
   * change for the store, which the request's journal row carries.
   */
  private take(subkeyId: string, hold: Hold): SpendChange {
    this.spendInMemory(hold, hold.amount);
    this.inFlight(hold, true);
    return { ledgerKey: hold.ledgerKey, subkeyId, metric: hold.budget.metric, window: hold.budget.window, windowStart: hold.windowStart, delta: hold.amount };
  }

  /** Takes back what `take` took, before anything was queued for the store. */
  private untake(hold: Hold): void {
    this.spendInMemory(hold, -hold.amount);
    this.inFlight(hold, false);
  }

  /** A request in flight gives `hold` back: neither spent nor held any more. */
  private giveBack(subkeyId: string, hold: Hold): void {
    this.change(subkeyId, hold, -hold.amount);
    this.inFlight(hold, false);
  }

  private change(subkeyId: string, hold: Hold, delta: number): void {
    if (delta === 0) return;
    this.spendInMemory(hold, delta);
    this.writes.enqueueSpend(subkeyId, hold.budget, hold.windowStart, delta, hold.ledgerKey);
  }

  private spendInMemory(hold: Hold, delta: number): void {
    const entry = this.ledger.get(hold.ledgerKey);
    // A request that outlived its window is settled in that window's row only.
    if (entry && entry.start === hold.windowStart) entry.amount += delta;
  }

  /**
   * What the sub-key's budget (under `key`, its ledger key) has spent in the window starting at `start`. The store is
   * read once per window, before its first reservation here: from then on the ledger is the authority, and the store
   * trails it by what is queued and what journal rows still carry (carried-reservations.ts). So the store is brought
   * up to date before it is read: a clock set back into a window the ledger has left (a time sync across midnight)
   * must find that window's requests still in flight, whose journal rows are applied only when they end.
   */
  private spent(subkeyId: string, key: string, budget: Budget, start: number): number {
    const entry = this.ledger.get(key);
    if (entry && entry.start === start) return entry.amount;
    // Once per key, budget and window (and the first time a key is seen): a commit of what is pending, not per request.
    this.writes.flush();
    const amount = readSpend(this.db, subkeyId, budget, start);
    this.ledger.set(key, { start, amount, held: 0, holders: 0 });
    return amount;
  }

  /** What requests in flight hold of the budget under `key` in the window starting at `start` (part of its spent). */
  private heldIn(key: string, start: number): number {
    const entry = this.ledger.get(key);
    return entry && entry.start === start ? entry.held : 0;
  }

  /** A request in flight takes (`taking`) or no longer holds `hold`'s amount in its window. */
  private inFlight(hold: Hold, taking: boolean): void {
    const entry = this.ledger.get(hold.ledgerKey);
    if (!entry || entry.start !== hold.windowStart) return;
    entry.holders += taking ? 1 : -1;
    // Sums of dollar amounts drift: with nothing in flight, nothing is held.
    entry.held = entry.holders > 0 ? entry.held + (taking ? hold.amount : -hold.amount) : 0;
  }

  /** `subkeyId metric window`: where the ledger keeps what the budget has spent. */
  private ledgerKey(subkeyId: string, budget: Budget): string {
    const known = this.ledgerKeys.get(budget);
    if (known !== undefined && known.subkeyId === subkeyId) return known.key;
    const key = budgetLedgerKey(subkeyId, budget);
    this.ledgerKeys.set(budget, { subkeyId, key });
    return key;
  }

  /** The current bounds of `window`, recomputed (reading the time-zone settings) only once a window has ended. */
  private bounds(window: BudgetWindow, now: number): WindowBounds {
    const cached = this.windows.get(window);
    if (cached && now >= cached.start && (cached.end === null || now < cached.end)) return cached;
    const bounds = budgetWindow(window, now, readBudgetZones(this.db));
    this.windows.set(window, bounds);
    return bounds;
  }

  private exceeded(budget: Budget, bounds: WindowBounds, now: number) {
    return proxyErrors.budgetExceeded(describe(budget), bounds.end, now);
  }

  /** Registers who hears that a key with budgets settled a request (threshold alerts); it runs on the hot path. */
  onSettle(listener: (subkey: SubkeyState) => void): void {
    this.settledListener = listener;
  }

  /** What `budget`'s current window has spent for `subkeyId` (reservations in flight included), and its bounds. */
  budgetSpent(subkeyId: string, budget: Budget): { spent: number } & WindowBounds {
    const bounds = this.bounds(budget.window, this.now());
    return { spent: this.spent(subkeyId, this.ledgerKey(subkeyId, budget), budget, bounds.start), start: bounds.start, end: bounds.end };
  }
}

/** What one budget's ledger entry knows: its window's start, what it has spent, and how much of that requests in flight hold. */
interface LedgerEntry {
  start: number;
  amount: number;
  held: number;
  /** How many requests in flight hold part of it. */
  holders: number;
}

/** A budget as its refusals name it: `$5 a month`, `1000 requests a day`. */
function describe(budget: Budget): string {
  return `${METRIC_UNITS[budget.metric](budget.limit)} ${WINDOW_NAMES[budget.window]}`;
}
