import type { Database } from 'better-sqlite3';

/**
 * The ordered registry of schema migrations. Migration N (1-based) moves `user_version` from N-1 to N.
 * Applied migrations are never edited: add a new one instead.
 *
 * Times are INTEGER milliseconds since the epoch (cheap to compare on the proxy's hot path);
 * repositories map them to ISO strings for the domain types.
 */
export const migrations: ReadonlyArray<(db: Database) => void> = [
  function initialSchema(db) {
    db.exec(`
      CREATE TABLE upstreams (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        base_url TEXT NOT NULL,
        key_ciphertext BLOB NOT NULL,
        key_hint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_synced_at INTEGER
      );

      CREATE TABLE models (
        upstream_id TEXT NOT NULL REFERENCES upstreams(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        owned_by TEXT,
        synced_at INTEGER NOT NULL,
        PRIMARY KEY (upstream_id, id)
      ) WITHOUT ROWID;

      CREATE TABLE subkeys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        upstream_id TEXT NOT NULL REFERENCES upstreams(id),
        secret_hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        remaining_requests INTEGER CHECK (remaining_requests IS NULL OR remaining_requests >= 0),
        allow_models TEXT NOT NULL DEFAULT '[]',
        deny_models TEXT NOT NULL DEFAULT '[]',
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        last_used_at INTEGER
      );
      CREATE INDEX subkeys_upstream ON subkeys(upstream_id);

      -- One row per proxied request, refused ones included. status is NULL while the request is in flight.
      CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        subkey_id TEXT REFERENCES subkeys(id) ON DELETE SET NULL,
        at INTEGER NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        model TEXT,
        status INTEGER,
        latency_ms REAL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        total_tokens INTEGER,
        refusal TEXT
      );
      CREATE INDEX usage_subkey ON usage(subkey_id, id);
      CREATE INDEX usage_at ON usage(at);

      -- Small JSON values: proxy host/port/autoStart, the admin token's hash.
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },

  function addPassThroughUnknownEndpoints(db) {
    // Off by default: the proxy forwards only endpoints OpenAI documents unless an upstream is marked otherwise.
    db.exec(`
      ALTER TABLE upstreams ADD COLUMN pass_through_unknown_endpoints INTEGER NOT NULL DEFAULT 0
        CHECK (pass_through_unknown_endpoints IN (0, 1));
    `);
  },

  function countUnauthenticatedRefusalsAndClampTokens(db) {
    db.exec(`
      -- Requests refused before a sub-key was known (no key, an unknown key, a foreign Host) are counted here per
      -- hour and reason instead of getting a usage row each: whoever has no key must not be able to grow the store.
      CREATE TABLE refusal_counts (
        hour INTEGER NOT NULL, -- start of the hour, ms since the epoch
        reason TEXT NOT NULL,  -- the refusal's error code
        count INTEGER NOT NULL,
        PRIMARY KEY (hour, reason)
      ) WITHOUT ROWID;

      -- Token counts are stored within 0..10^12 from now on; older rows get the same bounds so sums cannot overflow.
      UPDATE usage SET prompt_tokens = min(max(prompt_tokens, 0), 1000000000000)
        WHERE prompt_tokens < 0 OR prompt_tokens > 1000000000000;
      UPDATE usage SET completion_tokens = min(max(completion_tokens, 0), 1000000000000)
        WHERE completion_tokens < 0 OR completion_tokens > 1000000000000;
      UPDATE usage SET total_tokens = min(max(total_tokens, 0), 1000000000000)
        WHERE total_tokens < 0 OR total_tokens > 1000000000000;
    `);
  },

  function keepDeletedSubkeyNames(db) {
    // Deleting a sub-key sets its usage rows' subkey_id to NULL, which made them look like strangers' wrong-key
    // attempts. The name it had is copied here first, so the log can still say whose requests they were.
    db.exec('ALTER TABLE usage ADD COLUMN subkey_name TEXT');
  },

  function addBudgetsSpendAndPrices(db) {
    db.exec(`
      -- A sub-key's budgets as JSON: [{ metric: 'requests' | 'tokens' | 'usd', limit, window: 'day' | 'week' | 'month' | 'total' }].
      ALTER TABLE subkeys ADD COLUMN budgets TEXT NOT NULL DEFAULT '[]';

      -- What each budget of a sub-key has spent per window (reservations of requests in flight included), kept
      -- current by the proxy's write batcher in the same commit as the request's reservation.
      CREATE TABLE spend (
        subkey_id TEXT NOT NULL REFERENCES subkeys(id) ON DELETE CASCADE,
        metric TEXT NOT NULL,        -- requests, tokens or usd
        window TEXT NOT NULL,        -- day, week, month or total
        window_start INTEGER NOT NULL, -- ms since the epoch; 0 for total
        amount REAL NOT NULL,
        PRIMARY KEY (subkey_id, metric, window, window_start)
      ) WITHOUT ROWID;

      -- Prices the owner set per upstream and model (US dollars per million tokens); they win over the price data.
      CREATE TABLE custom_prices (
        upstream_id TEXT NOT NULL REFERENCES upstreams(id) ON DELETE CASCADE,
        model TEXT NOT NULL COLLATE NOCASE,
        input_mtok REAL NOT NULL,
        cached_input_mtok REAL,      -- NULL: cached input costs what input does
        output_mtok REAL NOT NULL,
        PRIMARY KEY (upstream_id, model)
      ) WITHOUT ROWID;

      -- The last good price data fetched by prices:update (@pydantic/genai-prices' format); none = the bundled copy.
      CREATE TABLE price_data (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fetched_at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
    `);
  },

  function addRateLimits(db) {
    db.exec(`
      -- A sub-key's rate limits; NULL = none, so every existing key stays unlimited. The proxy keeps the sliding
      -- windows themselves in memory (a restart forgets at most a minute).
      ALTER TABLE subkeys ADD COLUMN rate_requests_per_minute INTEGER;
      ALTER TABLE subkeys ADD COLUMN rate_tokens_per_minute INTEGER;
      ALTER TABLE subkeys ADD COLUMN rate_max_concurrent INTEGER;
    `);
  },
];

export const LATEST_VERSION = migrations.length;
