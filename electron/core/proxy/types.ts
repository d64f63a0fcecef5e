import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BudgetThreshold, Subkey, UsageEntry } from '../../shared/types';
import type { Database } from '../store/database';
import type { SecretBox } from '../secrets/secret-box';

export interface ProxyOptions {
  db: Database;
  secrets: SecretBox;
  /** Host names accepted in the Host header besides loopback names (DNS-rebinding guard). */
  allowedHosts?: readonly string[];
  /** Largest request body accepted; larger → 413. Default 64 MiB. */
  maxBodyBytes?: number;
  /** How long upstream may stay silent (no headers, or no bytes mid-body) before 504 / abort. Default 10 minutes. */
  upstreamTimeoutMs?: number;
  /** Called after usage was recorded (for the UI's push events); keep it cheap, it runs on the hot path. */
  onUsage?: (subkeyId: string | null) => void;
  /** Called after each commit with the usage rows it finished, oldest first (for pushes that carry them). */
  onUsageRows?: (entries: UsageEntry[]) => void;
  /**
   * Called when the store stops taking writes (with why, e.g. `SQLITE_FULL: database or disk is full`): every request
   * is then refused with 503 `store_unavailable`; and with null once a write succeeds again.
   */
  onStoreHealth?: (failure: string | null) => void;
  /** The clock budgets' windows are read from (tests pin it); Date.now by default. */
  now?: () => number;
  /** Called when a key reaches 80 % or 100 % of a budget (once per window and limit; see budget-alerts.ts). */
  onBudgetThreshold?: (event: BudgetThreshold) => void;
}

export interface InvalidateOptions {
  quotaReset?: boolean;
}

/** The OpenAI-compatible proxy: a request handler plus hooks the services call when the store changes. */
export interface Proxy {
  /** Handles one HTTP request (paths under `/v1`; anything else gets an OpenAI-shaped 404). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /**
   * Handles an HTTP upgrade (the server's 'upgrade' event): WebSockets on `/v1/realtime` and `/v1/responses` are
   * checked and relayed, every other upgrade is refused on the raw socket in OpenAI's error shape.
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Writes pending quota and usage records now (synchronously). Call before changing sub-keys in the store. */
  flush(): void;
  /**
   * `subkey` as read from the store without a flush, with the remaining requests and budgets spent the proxy counts
   * now (requests in flight included; the store trails by what journal rows carry and what is queued): for pushes.
   */
  counted(subkey: Subkey): Subkey;
  /** Why the store cannot be written (the last commit failed), or null when it can. */
  storeFailure(): string | null;
  /**
   * Drops cached sub-key and upstream state after the store changed them (all, or one sub-key). `quotaReset`: the
   * sub-key's remaining count was set anew, so requests in flight that fail must not refund into the new count.
   */
  invalidate(subkeyId?: string, options?: InvalidateOptions): void;
  /**
   * Waits for in-flight requests and WebSocket responses (at most `timeoutMs`, then aborts them; idle sockets close
   * with 1001 at once), then flushes.
   */
  drain(timeoutMs: number): Promise<void>;
}
