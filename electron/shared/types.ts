/** Domain types shared by core, main, preload and renderer. Times are ISO 8601 strings (UTC). */
import type { Permissions } from './permissions';

import type { ErrorParams, ErrorReason } from './errors';

export interface Upstream {
  id: string;
  name: string;
  /** Without a trailing slash or `/v1`: the proxy appends the incoming `/v1/...` path. */
  baseUrl: string;
  /** e.g. `sk-…wxyz`: enough to recognise a key, never enough to use it. */
  keyHint: string;
  createdAt: string;
  lastSyncedAt: string | null;
  /** The proxy forwards endpoints OpenAI does not document (for sub-keys without a model policy). Off by default. */
  passThroughUnknownEndpoints: boolean;
}

export interface Model {
  id: string;
  upstreamId: string;
  ownedBy: string | null;
  syncedAt: string;
}

export type SubkeyStatus = 'active' | 'disabled' | 'expired' | 'exhausted';

/** What a budget counts: requests, tokens (input + output), or US dollars at the model's price. */
export type BudgetMetric = 'requests' | 'tokens' | 'usd';
/** Calendar windows in the settings' time zone (midnight, Monday 00:00, the 1st), or the key's whole life. */
export type BudgetWindow = 'day' | 'week' | 'month' | 'total';

/** A limit on what a sub-key may spend per window; at most one per metric and window. */
export interface Budget {
  metric: BudgetMetric;
  limit: number;
  window: BudgetWindow;
}

/** A budget with what is spent in the current window (reservations of requests in flight included). */
export interface BudgetStatus extends Budget {
  spent: number;
  /** When the current window ends; null for `total`. */
  resetsAt: string | null;
}

/**
 * A sub-key's rate limits, each null for none: requests and tokens (input + output, settled to usage) in any 60
 * seconds, and requests in flight at once.
 */
export interface RateLimits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  maxConcurrent: number | null;
}

export interface Subkey {
  id: string;
  name: string;
  upstreamId: string;
  /** e.g. `sk-kg-…wxyz`. */
  hint: string;
  createdAt: string;
  /** null = never expires. */
  expiresAt: string | null;
  /** null = unlimited. */
  remainingRequests: number | null;
  /** Empty = every model. Patterns may use `*`. */
  allowModels: string[];
  /** Deny wins over allow. */
  denyModels: string[];
  /** Spending limits per window, with what is spent in the current one. */
  budgets: BudgetStatus[];
  /** Per-minute limits (sliding windows) and a cap on requests in flight; all null = none. */
  rateLimits: RateLimits;
  enabled: boolean;
  /** Which endpoint groups the key may call, and whether it may mint credentials or see other keys' objects. */
  permissions: Permissions;
  /** Derived from enabled, expiresAt and remainingRequests at read time. */
  status: SubkeyStatus;
  lastUsedAt: string | null;
}

/** A price the owner set for a model on an upstream, in US dollars per million tokens; it wins over the price data. */
export interface CustomPrice {
  upstreamId: string;
  model: string;
  inputPerMillion: number;
  /** null: cached input costs what input does. */
  cachedInputPerMillion: number | null;
  outputPerMillion: number;
}

/** The prices budgets use: the price data's date and the owner's own prices. */
export interface PriceList {
  /** The day of the price data in use (YYYY-MM-DD): when `prices:update` fetched it, or the bundled copy's date. */
  dataDate: string;
  source: 'bundled' | 'fetched';
  custom: CustomPrice[];
}

/** A sub-key's secret, returned once at creation or rotation. */
export interface IssuedSubkey {
  subkey: Subkey;
  secret: string;
}

export interface UsageEntry {
  id: number;
  /** null when the request named no known sub-key, or its sub-key was deleted since. */
  subkeyId: string | null;
  /** The sub-key's name: its current one, or the one it had when it was deleted; null for no known sub-key. */
  subkeyName: string | null;
  /** The sub-key was deleted since (then `subkeyId` is null and `subkeyName` the name it had). */
  subkeyDeleted: boolean;
  at: string;
  method: string;
  path: string;
  model: string | null;
  /**
   * HTTP status answered to the client; null while the request is in flight (or was `interrupted`). A WebSocket
   * connection's row (method `WS`) says 101 once it closed; its responses have rows of their own (method
   * `response.create`).
   */
  status: number | null;
  latencyMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  /**
   * Why the request did not end normally: the proxy's refusal code (then it was never forwarded), `client_closed`,
   * or `interrupted` (Keygate stopped before it ended; its quota stays spent). null otherwise. A WebSocket
   * connection's row says how it closed: `ws_close_` + the close code (WS_CLOSE_REFUSAL_PREFIX).
   */
  refusal: string | null;
  /** What the answer cost in US dollars, at the price its budgets were settled with; null when unpriced (no price for its model, no usage reported, refused or in flight). */
  costUsd: number | null;
  /** Of `promptTokens`, read from the prompt cache; null when not reported. */
  cachedTokens: number | null;
  /** Of `completionTokens`, spent on reasoning; null when not reported. */
  reasoningTokens: number | null;
}

/** `UsageEntry.refusal` of a request Keygate stopped before it ended (crash, kill -9); its quota stays spent. */
export const INTERRUPTED_REFUSAL = 'interrupted';

/**
 * `UsageEntry.refusal` of a WebSocket connection's row, followed by its close code (`ws_close_1000`): a connection is
 * not a request, so its row stays out of the daily request counts, like refusals.
 */
export const WS_CLOSE_REFUSAL_PREFIX = 'ws_close_';

/** Requests, tokens and cost of one sub-key on one local day (the settings' time zone), for the usage chart. */
export interface UsageDay {
  day: string;
  /** As in `UsageEntry`: null for no known sub-key or a deleted one. */
  subkeyId: string | null;
  /** As in `UsageEntry`: the current name, or the one a deleted sub-key had. */
  subkeyName: string | null;
  subkeyDeleted: boolean;
  /** Requests charged: answered, in flight, or `interrupted` (Keygate stopped before they ended). */
  requests: number;
  /** Of `requests`, how many Keygate's stop left `interrupted`: charged, their answer unknown. */
  interrupted: number;
  /** The rest of the log: refused by the proxy (never forwarded), or `client_closed`. */
  refused: number;
  /** Tokens of the `requests`. */
  totalTokens: number;
  /** US dollars of the `requests` that have a price (0 when none has); see `unpricedRequests`. */
  costUsd: number;
  /** Of `requests`, those without a price (no price for the model, no usage reported, or not finished): not in `costUsd`. */
  unpricedRequests: number;
}

/** Requests, tokens and cost of one model over the days asked (usage:models), for the "Cost per model" table. */
export interface UsageModel {
  /** The model the request named; null for requests that named none. */
  model: string | null;
  /** Requests charged, as in `UsageDay`. */
  requests: number;
  totalTokens: number;
  /** US dollars of the `requests` that have a price; see `unpricedRequests`. */
  costUsd: number;
  unpricedRequests: number;
}

/**
 * Requests refused before a sub-key was known (no key, an unknown key, a foreign Host), for one reason: the proxy
 * counts them per hour instead of logging each one.
 */
export interface RefusalCount {
  /** The refusal's error code, e.g. `missing_api_key`. */
  reason: string;
  /** In the current hour and the 23 before it. */
  lastDay: number;
  /** In the current hour and the 167 before it. */
  lastWeek: number;
}

export interface ProxyStatus {
  running: boolean;
  /** Base URL tools should use, e.g. `http://127.0.0.1:8080/v1`. */
  url: string;
  host: string;
  port: number;
  /** Start the proxy when the app starts. */
  autoStart: boolean;
  /** The IANA time zone budgets' calendar windows count in (default: the system's); a change applies from the next window. */
  timeZone: string;
  /** The output tokens reserved for a request that sets no output cap (`max_tokens` and the like). */
  defaultOutputTokens: number;
  /** Days the request log keeps its rows (default 90); the daily totals are kept for good. */
  usageRetentionDays: number;
  /** Last start failure (e.g. port in use), cleared by a successful start. */
  error: string | null;
  /**
   * Why Keygate cannot write its store (e.g. `SQLITE_FULL: database or disk is full`), or null when it can. Meanwhile
   * the proxy refuses every request with 503 `store_unavailable`; it clears once a write succeeds again.
   */
  storeError: string | null;
  /** With `error`: its stable reason and values, for the window to word it in its language. */
  errorReason?: ErrorReason;
  errorParams?: ErrorParams;
}

/** How upstream keys are protected at rest. `weak` = the OS offers no real keychain (Linux `basic_text`). */
export type SecretStorageKind = 'os-keychain' | 'weak' | 'master-key';

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'headless';
  secretStorage: SecretStorageKind;
  dataDir: string;
}

export interface ConnectionTest {
  ok: boolean;
  /** Models the upstream listed, when it answered. */
  modelCount: number | null;
  latencyMs: number;
  message: string | null;
  /** With a failure's English `message`: its stable reason and values, for the window to word it in its language. */
  reason?: ErrorReason;
  params?: ErrorParams;
}

/** What usage:export did: the file the CSV went to (null when the save dialog was cancelled) and its rows. */
export interface UsageExport {
  path: string | null;
  rows: number;
}

/** The store on disk, for the Usage screen's storage panel. */
export interface StorageInfo {
  /** The database file and its write-ahead log, in bytes. */
  sizeBytes: number;
  /** When the oldest request the log still keeps started; null when the log is empty. */
  oldestRequestAt: string | null;
  /** Pruned rows' space goes back to the file system (false: it is reused, until a start switches the store over). */
  shrinks: boolean;
}

/** A key reached 80 % or 100 % of one of its budgets in the current window (once per window, limit and percent). */
export interface BudgetThresholdReached {
  kind: 'budget';
  subkeyId: string;
  subkeyName: string;
  metric: BudgetMetric;
  window: BudgetWindow;
  percent: 80 | 100;
  spent: number;
  limit: number;
  /** When the window ends; null for `total`. */
  resetsAt: string | null;
  /** When it was announced. */
  at: string;
}

/** A key will expire within 24 hours (once per expiry value). */
export interface ExpiryThresholdReached {
  kind: 'expiry';
  subkeyId: string;
  subkeyName: string;
  expiresAt: string;
  /** When it was announced. */
  at: string;
}

/** What a `budget:threshold` push carries. */
export type BudgetThreshold = BudgetThresholdReached | ExpiryThresholdReached;
