import type { RateLimits } from '../../shared/types';
import { proxyErrors } from './proxy-error';

/** Requests and tokens per minute count what was taken in the last 60 seconds (a sliding window, not a clock minute). */
export const RATE_WINDOW_MS = 60_000;
/** A full concurrency cap cannot say when a request will end: clients are told to try again in a second. */
const CONCURRENCY_RETRY_MS = 1_000;

/**
 * The requests a key let through in one millisecond and the tokens they hold (reserved, then settled). One entry per
 * millisecond, not per request, keeps a window at most 60,000 entries whatever the rate, and loses nothing: the clock
 * has no finer grain.
 */
interface Entry {
  at: number;
  requests: number;
  tokens: number;
  /** Still inside the window's sums (false once it aged out). */
  live: boolean;
}

/** One sub-key's last minute: its entries oldest first, their sums, and its requests in flight. */
class KeyWindow {
  readonly entries: Entry[] = [];
  head = 0;
  requests = 0;
  tokens = 0;
  inFlight = 0;

  /** Lets entries older than the window go. */
  prune(now: number): void {
    const cutoff = now - RATE_WINDOW_MS;
    while (this.head < this.entries.length && this.entries[this.head]!.at <= cutoff) {
      const entry = this.entries[this.head++]!;
      entry.live = false;
      this.requests -= entry.requests;
      this.tokens -= entry.tokens;
    }
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
      // Sums of settled floats drift; an empty window is exactly zero.
      this.tokens = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** How long until `need` more requests (or tokens, with `tokens`) fit under `limit`, from the oldest entries' ageing out. */
  waitFor(limit: number, used: number, need: number, now: number, tokens: boolean): number {
    let freed = 0;
    for (let index = this.head; index < this.entries.length; index++) {
      const entry = this.entries[index]!;
      freed += tokens ? entry.tokens : entry.requests;
      if (used - freed + need <= limit) return entry.at + RATE_WINDOW_MS - now;
    }
    return RATE_WINDOW_MS;
  }

  /** How long until the window is empty again (of requests, or of tokens): the newest entry's ageing out. */
  resetIn(now: number, tokens: boolean): number {
    for (let index = this.entries.length - 1; index >= this.head; index--) {
      const entry = this.entries[index]!;
      if ((tokens ? entry.tokens : entry.requests) > 0) return entry.at + RATE_WINDOW_MS - now;
    }
    return 0;
  }
}

/** What one request holds of its key's rate limits until it ends. */
export interface RateHold {
  window: KeyWindow;
  /** Its millisecond in the requests and tokens windows (null for a key limited only in concurrency). */
  entry: Entry | null;
  /** The tokens it holds in that entry. */
  tokens: number;
  done: boolean;
}

/** Whether any of a key's rate limits is set. */
export function hasRateLimits(limits: RateLimits): boolean {
  return limits.requestsPerMinute !== null || limits.tokensPerMinute !== null || limits.maxConcurrent !== null;
}

/**
 * Sliding-window rate limits per sub-key, in memory. A restart forgets at most the last minute, which is all a
 * per-minute limit looks at; keeping them in memory spares the hot path a write per request beyond the usage row.
 * One thread: a check and the take that follows it in the same synchronous call cannot be raced, so N concurrent
 * requests on a limit of L let exactly L through.
 */
export class RateLimiter {
  private readonly windows = new Map<string, KeyWindow>();

  /**
   * Refuses, before the body is read, a key whose requests per minute, tokens per minute or requests in flight are
   * already at their limit (429 `rate_limit_exceeded`).
   */
  checkLeft(subkeyId: string, limits: RateLimits, now: number): void {
    this.checkFits(subkeyId, limits, 0, now);
  }

  /** Throws the 429 a request taking `tokens` gets when it does not fit every limit now; takes nothing. */
  checkFits(subkeyId: string, limits: RateLimits, tokens: number, now: number): void {
    const window = this.window(subkeyId, now, false);
    const { requestsPerMinute: rpm, tokensPerMinute: tpm, maxConcurrent } = limits;
    if (tpm !== null && tokens > tpm) throw proxyErrors.requestTooLarge(tpm, tokens);
    if (!window) return;
    if (maxConcurrent !== null && window.inFlight >= maxConcurrent) {
      throw proxyErrors.rateLimited('requests', `concurrent requests: Limit ${maxConcurrent}, In flight ${window.inFlight}`, CONCURRENCY_RETRY_MS);
    }
    if (rpm !== null && window.requests + 1 > rpm) {
      const wait = window.waitFor(rpm, window.requests, 1, now, false);
      throw proxyErrors.rateLimited('requests', `requests per min (RPM): Limit ${rpm}, Used ${window.requests}, Requested 1`, wait);
    }
    // A full window refuses even a request that reserves nothing: checkLeft's early answer.
    if (tpm !== null && (window.tokens + tokens > tpm || (tokens === 0 && window.tokens >= tpm))) {
      const used = Math.ceil(window.tokens);
      const wait = window.waitFor(tpm, window.tokens, Math.max(tokens, 1), now, true);
      const requested = tokens === 0 ? '' : `, Requested ${tokens}`;
      throw proxyErrors.rateLimited('tokens', `tokens per min (TPM): Limit ${tpm}, Used ${used}${requested}`, wait);
    }
  }

  /** Takes one request, `tokens` and a place in flight; call `checkFits` first in the same synchronous run. */
  take(subkeyId: string, limits: RateLimits, tokens: number, now: number): RateHold {
    const window = this.window(subkeyId, now, true)!;
    window.inFlight++;
    let entry: Entry | null = null;
    if (limits.requestsPerMinute !== null || limits.tokensPerMinute !== null) {
      const last = window.entries[window.entries.length - 1];
      if (last && last.at === now) entry = last;
      else {
        entry = { at: now, requests: 0, tokens: 0, live: true };
        window.entries.push(entry);
      }
      entry.requests++;
      entry.tokens += tokens;
      window.requests++;
      window.tokens += tokens;
    }
    return { window, entry, tokens, done: false };
  }

  /** The request ended with `tokens` used (null: no usage arrived, the reservation stands); its place in flight frees. */
  settle(hold: RateHold, tokens: number | null): void {
    if (!this.end(hold)) return;
    if (tokens !== null) this.setTokens(hold, tokens);
  }

  /** The request ended without a 2xx: it still counts as a request (it was let through), its tokens are given back. */
  release(hold: RateHold): void {
    if (!this.end(hold)) return;
    this.setTokens(hold, 0);
  }

  /** The request never went (its reservation did not commit): it counts for nothing. */
  drop(hold: RateHold): void {
    if (!this.end(hold)) return;
    this.setTokens(hold, 0);
    const entry = hold.entry;
    if (!entry) return;
    entry.requests--;
    if (entry.live) hold.window.requests--;
  }

  /**
   * The `x-ratelimit-*` headers of an answer to a key with these limits: for requests and for tokens per minute,
   * whichever is set, the limit, what is left in the window now, and when the window is empty again (`6s`, `1m0s`).
   * Set on `headers` when given (an answer's, whose same-named upstream values they replace), else on a new object.
   */
  headers(subkeyId: string, limits: RateLimits, now: number, headers: Record<string, string | string[]> = {}): Record<string, string | string[]> {
    const window = this.window(subkeyId, now, false);
    const rpm = limits.requestsPerMinute;
    const tpm = limits.tokensPerMinute;
    if (rpm !== null) {
      headers['x-ratelimit-limit-requests'] = String(rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpm - (window?.requests ?? 0)));
      headers['x-ratelimit-reset-requests'] = formatResetDuration(window ? window.resetIn(now, false) : 0);
    }
    if (tpm !== null) {
      headers['x-ratelimit-limit-tokens'] = String(tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tpm - Math.ceil(window?.tokens ?? 0)));
      headers['x-ratelimit-reset-tokens'] = formatResetDuration(window ? window.resetIn(now, true) : 0);
    }
    return headers;
  }

  private end(hold: RateHold): boolean {
    if (hold.done) return false;
    hold.done = true;
    hold.window.inFlight--;
    return true;
  }

  private setTokens(hold: RateHold, tokens: number): void {
    const entry = hold.entry;
    if (!entry) return;
    const delta = tokens - hold.tokens;
    hold.tokens = tokens;
    entry.tokens += delta;
    // An entry that aged out while its request ran is no longer in the sums.
    if (entry.live) hold.window.tokens += delta;
  }

  /** The key's window, pruned to now; an empty one is forgotten (unless `create`), so idle keys cost nothing. */
  private window(subkeyId: string, now: number, create: boolean): KeyWindow | null {
    let window = this.windows.get(subkeyId);
    if (window) {
      window.prune(now);
      if (!create && window.entries.length === 0 && window.inFlight === 0) {
        this.windows.delete(subkeyId);
        return null;
      }
      return window;
    }
    if (!create) return null;
    window = new KeyWindow();
    this.windows.set(subkeyId, window);
    return window;
  }
}

/** A duration as OpenAI's `x-ratelimit-reset-*` headers write it (Go's style): `0s`, `250ms`, `6s`, `1.5s`, `1m0s`. */
export function formatResetDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const rounded = Math.ceil(ms);
  const minutes = Math.floor(rounded / 60_000);
  const seconds = String((rounded - minutes * 60_000) / 1000);
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
