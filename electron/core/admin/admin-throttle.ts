export interface AdminThrottleOptions {
  /** Wrong tokens one address may send within `windowMs` before it must wait. Default 20. */
  maxFailures?: number;
  /** Default one minute. */
  windowMs?: number;
  /** Addresses remembered at most; past it the longest-quiet ones are forgotten. Default 10,000. */
  maxAddresses?: number;
  now?: () => number;
}

/**
 * Counts wrong admin tokens per client address in a sliding window, so a token cannot be guessed faster than
 * `maxFailures` per `windowMs`. While an address is over the limit no token from it is checked at all, the right one
 * included: otherwise a guesser would learn from the answer when it hit. Memory stays bounded: each address keeps at
 * most `maxFailures` times, quiet addresses are swept once per window, and past `maxAddresses` the longest-quiet one is dropped.
 */
export class AdminThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(options: AdminThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  /** Whole seconds `address` must wait before its next try, or 0 when it may try now. */
  waitSeconds(address: string): number {
    const times = this.recent(address, this.now());
    if (!times || times.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.windowMs - this.now()) / 1000));
  }

  /** Notes a wrong token from `address`. */
  fail(address: string): void {
    const now = this.now();
    const times = this.recent(address, now) ?? [];
    times.push(now);
    if (times.length > this.maxFailures) times.shift();
    // Re-inserted, so the map's order is "longest quiet first" for eviction.
    this.failures.delete(address);
    this.failures.set(address, times);
    if (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
    if (now - this.lastSweep >= this.windowMs) this.sweep(now);
  }

  /** A right token from `address`: its earlier mistakes are forgiven. */
  succeed(address: string): void {
    this.failures.delete(address);
  }

  /** How many addresses are remembered (for tests of the bound). */
  get size(): number {
    return this.failures.size;
  }

  /** `address`'s failures still inside the window (the list is pruned in place), or undefined for none. */
  private recent(address: string, now: number): number[] | undefined {
    const times = this.failures.get(address);
    if (!times) return undefined;
    let expired = 0;
    while (expired < times.length && times[expired]! <= now - this.windowMs) expired++;
    if (expired === times.length) {
      this.failures.delete(address);
      return undefined;
    }
    if (expired > 0) times.splice(0, expired);
    return times;
  }

  /** Forgets every address whose last failure left the window (at most once per window, so O(1) per request). */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [address, times] of this.failures) if (times.at(-1)! <= now - this.windowMs) this.failures.delete(address);
  }
}
