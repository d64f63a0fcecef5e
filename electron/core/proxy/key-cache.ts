import { Pool } from 'undici';
import type { ModelPolicy } from '../../shared/model-policy';
import type { Budget, RateLimits } from '../../shared/types';
import { parseStoredBudgets } from '../store/spend-repo';
import { rateLimitsOf } from '../store/subkeys-repo';
import { isRestricted } from '../../shared/model-policy';
import type { Permissions } from '../../shared/permissions';
import type { SecretBox } from '../secrets/secret-box';
import { hashSubkeySecret } from '../secrets/subkey-secret';
import { readPermissions } from '../store/subkeys-repo';
import type { Database } from '../store/database';
import { keyPattern, type KeyPattern } from './key-scrubber';
import { proxyErrors } from './proxy-error';

/** What the hot path needs of a sub-key, kept in memory. `remaining` is authoritative (the store is written through). */
export interface SubkeyState {
  id: string;
  hash: string;
  upstreamId: string;
  enabled: boolean;
  expiresAt: number | null;
  /** Requests left, or null for unlimited. */
  remaining: number | null;
  policy: ModelPolicy;
  /** Has a model policy (not every model allowed): about models only, see `permissions` for endpoints. */
  restricted: boolean;
  /** Which endpoint groups the key may call (mode `all`: every one). */
  permissions: Permissions;
  /** How often the remaining count had been set anew when this state was loaded (see `quotaEpoch`). */
  quotaEpoch: number;
  /** Spending limits per window (spend-gate.ts keeps what each has spent). */
  budgets: readonly Budget[];
  /** Per-minute and in-flight limits (rate-limiter.ts keeps the windows). */
  rateLimits: RateLimits;
}

/** An upstream ready to forward to: its connection pool and the `Authorization` value with the real key. */
export interface UpstreamState {
  id: string;
  /** Scheme, host and port of the base URL (`https://api.openai.com`): WebSocket connections are opened to it. */
  origin: string;
  /** Path prefix of the base URL (`/api` for `https://openrouter.ai/api`), '' for none. */
  basePath: string;
  authorization: string;
  /** The real key as answers are scrubbed of it, or null for a placeholder key too short to be a secret. */
  keyPattern: KeyPattern | null;
  /** Forward endpoints OpenAI does not document (for keys without a model policy). */
  passThroughUnknownEndpoints: boolean;
  /** The base URL as configured, which tells the price data which provider this is. */
  baseUrl: string;
  pool: Pool;
}

interface SubkeyRow {
  id: string;
  upstream_id: string;
  enabled: number;
  expires_at: number | null;
  remaining_requests: number | null;
  allow_models: string;
  deny_models: string;
  budgets: string;
  permissions: string;
  rate_requests_per_minute: number | null;
  rate_tokens_per_minute: number | null;
  rate_max_concurrent: number | null;
}

interface UpstreamRow {
  base_url: string;
  key_ciphertext: Buffer;
  pass_through_unknown_endpoints: number;
}

export interface KeyCacheOptions {
  db: Database;
  secrets: SecretBox;
  upstreamTimeoutMs: number;
  /** Quota changes queued but not yet written, per sub-key: added to the stored value when a sub-key is (re)loaded. */
  pendingDelta: (subkeyId: string) => number;
  /** How many presented secrets to remember (least recently used ones go first). Default SECRET_CACHE_LIMIT. */
  secretCacheLimit?: number;
}

/** Secrets remembered by default: beyond it the least recently used one is forgotten (and hashed again if it comes back). */
export const SECRET_CACHE_LIMIT = 10_000;

/**
 * Sub-keys by secret hash and upstreams by id, loaded from the store on first use and dropped by `invalidate`.
 * Decrypted upstream keys live only here, in memory, never in logs or errors.
 */
export class KeyCache {
  /** Known sub-keys by the secret presented, so a repeat request skips the SHA-256 (bounded: known keys only). */
  private readonly bySecret = new Map<string, SubkeyState>();
  /** The secret last added to or moved to the end of bySecret (null: none, or it may have left). */
  private newestSecret: string | null = null;
  private readonly byHash = new Map<string, SubkeyState>();
  private readonly byId = new Map<string, SubkeyState>();
  private readonly upstreams = new Map<string, UpstreamState>();
  /** Per sub-key, how often its remaining count was set anew (an admin's absolute value replaces what was left). */
  private readonly quotaResets = new Map<string, number>();
  private readonly selectSubkey;
  private readonly selectUpstream;

  constructor(private readonly options: KeyCacheOptions) {
    this.selectSubkey = options.db.prepare<[string], SubkeyRow>(
      'SELECT id, upstream_id, enabled, expires_at, remaining_requests, allow_models, deny_models, budgets, permissions, ' +
        'rate_requests_per_minute, rate_tokens_per_minute, rate_max_concurrent FROM subkeys WHERE secret_hash = ?',
    );
    this.selectUpstream = options.db.prepare<[string], UpstreamRow>('SELECT base_url, key_ciphertext, pass_through_unknown_endpoints FROM upstreams WHERE id = ?');
  }

  /** The sub-key whose secret is `secret`, or null when none is. */
  subkeyBySecret(secret: string): SubkeyState | null {
    const cached = this.bySecret.get(secret);
    if (cached) {
      // A Map iterates in insertion order: moving a hit to the end keeps the least recently used one first. A hit on
      // the secret last moved or added is at the end already (the common case: one tool sends request after request),
      // and moving it anyway left a deleted entry behind per request for the Map to compact.
      if (secret !== this.newestSecret) {
        this.bySecret.delete(secret);
        this.bySecret.set(secret, cached);
        this.newestSecret = secret;
      }
      return cached;
    }
    const state = this.subkeyByHash(hashSubkeySecret(secret));
    if (state) {
      if (this.bySecret.size >= (this.options.secretCacheLimit ?? SECRET_CACHE_LIMIT)) {
        this.bySecret.delete(this.bySecret.keys().next().value!);
      }
      this.bySecret.set(secret, state);
      this.newestSecret = secret;
    }
    return state;
  }

  /** The sub-key whose secret hashes to `hash`, or null when none does. */
  subkeyByHash(hash: string): SubkeyState | null {
    const cached = this.byHash.get(hash);
    if (cached) return cached;
    const row = this.selectSubkey.get(hash);
    if (!row) return null;
    const allowModels = parseList(row.allow_models);
    const denyModels = parseList(row.deny_models);
    // A corrupt policy must not widen access: then the key may use no model at all.
    const policy = allowModels && denyModels ? { allowModels, denyModels } : { allowModels: [], denyModels: ['*'] };
    const state: SubkeyState = {
      id: row.id,
      hash,
      upstreamId: row.upstream_id,
      enabled: row.enabled === 1,
      expiresAt: row.expires_at,
      remaining: row.remaining_requests === null ? null : Math.max(0, row.remaining_requests + this.options.pendingDelta(row.id)),
      policy,
      restricted: isRestricted(policy),
      permissions: readPermissions(row.permissions),
      quotaEpoch: this.quotaEpoch(row.id),
      // Unreadable budgets must not lift a limit: such a key may spend nothing.
      budgets: parseStoredBudgets(row.budgets) ?? [{ metric: 'requests', limit: 0, window: 'total' }],
      rateLimits: rateLimitsOf(row),
    };
    this.byHash.set(hash, state);
    this.byId.set(row.id, state);
    return state;
  }

  /** The cached state of sub-key `id`, if it is loaded (refunds credit it). */
  cachedSubkey(id: string): SubkeyState | undefined {
    return this.byId.get(id);
  }

  /** How often sub-key `id`'s remaining count was set anew; a reservation taken under an older epoch is not refunded. */
  quotaEpoch(id: string): number {
    return this.quotaResets.get(id) ?? 0;
  }

  /** Whether `state` is still the current view of its sub-key (false after `invalidate`). */
  isCurrent(state: SubkeyState): boolean {
    return this.byId.get(state.id) === state;
  }

  /** The upstream `id`, with its key decrypted. Throws a 500 ProxyError when the key cannot be decrypted. */
  upstream(id: string): UpstreamState {
    const cached = this.upstreams.get(id);
    if (cached) return cached;
    const row = this.selectUpstream.get(id);
    if (!row) throw proxyErrors.unknownKey();
    let key: string;
    try {
      key = this.options.secrets.open(row.key_ciphertext);
    } catch {
      throw proxyErrors.upstreamKeyUnreadable();
    }
    const url = new URL(row.base_url);
    const timeout = this.options.upstreamTimeoutMs;
    const state: UpstreamState = {
      id,
      origin: url.origin,
      basePath: url.pathname.replace(/\/+$/, ''),
      authorization: `Bearer ${key}`,
      keyPattern: keyPattern(key),
      passThroughUnknownEndpoints: row.pass_through_unknown_endpoints === 1,
      baseUrl: row.base_url,
      pool: new Pool(url.origin, { connections: 256, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 30_000 }),
    };
    this.upstreams.set(id, state);
    return state;
  }

  /** Forgets one sub-key, or every sub-key and upstream (their pools close once their requests finish). */
  invalidate(subkeyId?: string, quotaReset = false): void {
    if (subkeyId !== undefined) {
      if (quotaReset) this.quotaResets.set(subkeyId, this.quotaEpoch(subkeyId) + 1);
      const state = this.byId.get(subkeyId);
      if (!state) return;
      this.byId.delete(subkeyId);
      this.byHash.delete(state.hash);
      for (const [secret, candidate] of this.bySecret) if (candidate === state) this.bySecret.delete(secret);
      this.newestSecret = null;
      return;
    }
    this.bySecret.clear();
    this.newestSecret = null;
    this.byHash.clear();
    this.byId.clear();
    this.closePools();
  }

  /** Closes every upstream connection pool (gracefully) and forgets the upstreams. */
  closePools(): void {
    for (const upstream of this.upstreams.values()) void upstream.pool.close().catch(() => undefined);
    this.upstreams.clear();
  }
}

function parseList(json: string): string[] | null {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : null;
  } catch {
    return null;
  }
}
