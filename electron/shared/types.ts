/** Domain types shared by core, main, preload and renderer. Times are ISO 8601 strings (UTC). */
import type { Permissions } from './permissions';

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
  enabled: boolean;
  /** Which endpoint groups the key may call, and whether it may mint credentials or see other keys' objects. */
  permissions: Permissions;
  /** Derived from enabled, expiresAt and remainingRequests at read time. */
  status: SubkeyStatus;
  lastUsedAt: string | null;
}

/** A sub-key's secret, returned once at creation or rotation. */
export interface IssuedSubkey {
  subkey: Subkey;
  secret: string;
}

export interface UsageEntry {
  id: number;
  /** null when the request named no known sub-key. */
  subkeyId: string | null;
  at: string;
  method: string;
  path: string;
  model: string | null;
  /** HTTP status answered to the client; null while the request is in flight (or was `interrupted`). */
  status: number | null;
  latencyMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  /**
   * Why the request did not end normally: the proxy's refusal code (then it was never forwarded), `client_closed`,
   * or `interrupted` (Keygate stopped before it ended; its quota stays spent). null otherwise.
   */
  refusal: string | null;
}

/** `UsageEntry.refusal` of a request Keygate stopped before it ended (crash, kill -9); its quota stays spent. */
export const INTERRUPTED_REFUSAL = 'interrupted';

/** Requests and tokens of one sub-key on one UTC day, for the usage chart. */
export interface UsageDay {
  day: string;
  subkeyId: string | null;
  requests: number;
  totalTokens: number;
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
  /** Last start failure (e.g. port in use), cleared by a successful start. */
  error: string | null;
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
}
