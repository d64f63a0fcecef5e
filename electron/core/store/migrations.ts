import type { Database } from 'better-sqlite3';
import { readRollupZone, registerLocalDay } from './local-day';

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

  function indexUsageAndRollUpDailyTotals(db) {
    db.exec(`
      -- Per-key reads by time, and the start-up scan for rows left in flight, without reading the whole log.
      CREATE INDEX usage_subkey_at ON usage(subkey_id, at);
      CREATE INDEX usage_in_flight ON usage(id) WHERE status IS NULL;

      -- Charged requests per UTC day and sub-key (subkey_id '' when none), so the daily chart never scans the log
      -- and survives the log's retention. A row is charged when it was forwarded: refusal NULL or 'interrupted'.
      -- The write batcher adds each batch's changes (daily-rollup.ts); the start-up interrupted scan adds its own.
      CREATE TABLE usage_daily (
        day INTEGER NOT NULL, -- start of the UTC day, ms since the epoch
        subkey_id TEXT NOT NULL,
        requests INTEGER NOT NULL,
        interrupted INTEGER NOT NULL,
        total_tokens INTEGER NOT NULL,
        PRIMARY KEY (day, subkey_id)
      ) WITHOUT ROWID;

      INSERT INTO usage_daily (day, subkey_id, requests, interrupted, total_tokens)
        SELECT (at / 86400000) * 86400000, coalesce(subkey_id, ''), count(*), count(refusal), coalesce(sum(total_tokens), 0)
        FROM usage WHERE refusal IS NULL OR refusal = 'interrupted'
        GROUP BY 1, 2;

      -- Deleting a sub-key sets its rows' subkey_id to NULL (ON DELETE SET NULL): their totals move to '' with them.
      -- Only that statement names subkey_id, so the proxy's writes never run this trigger.
      CREATE TRIGGER usage_daily_unattribute AFTER UPDATE OF subkey_id ON usage
        WHEN old.subkey_id IS NOT new.subkey_id AND (old.refusal IS NULL OR old.refusal = 'interrupted')
      BEGIN
        UPDATE usage_daily SET requests = requests - 1, interrupted = interrupted - (old.refusal IS NOT NULL),
            total_tokens = total_tokens - coalesce(old.total_tokens, 0)
          WHERE day = (old.at / 86400000) * 86400000 AND subkey_id = coalesce(old.subkey_id, '');
        INSERT INTO usage_daily (day, subkey_id, requests, interrupted, total_tokens)
          VALUES ((old.at / 86400000) * 86400000, coalesce(new.subkey_id, ''), 1, old.refusal IS NOT NULL,
                  coalesce(old.total_tokens, 0))
          ON CONFLICT (day, subkey_id) DO UPDATE SET requests = requests + 1,
            interrupted = interrupted + excluded.interrupted, total_tokens = total_tokens + excluded.total_tokens;
      END;
    `);
  },

  function rollUpRefusalsAndDeletedKeyNames(db) {
    db.exec(`
      -- usage:daily also counts refusals and groups a deleted sub-key's rows under the name it had
      -- (usage.subkey_name): the roll-up gains those, and is rebuilt from the log once.
      DROP TRIGGER usage_daily_unattribute;
      DROP TABLE usage_daily;
      CREATE TABLE usage_daily (
        day INTEGER NOT NULL,      -- start of the UTC day, ms since the epoch
        subkey_id TEXT NOT NULL,   -- '' for no known sub-key, or a deleted one
        subkey_name TEXT NOT NULL, -- '' but for a deleted sub-key's rows: the name it had (names are never empty)
        rows INTEGER NOT NULL,     -- log rows of any kind: a day with only a WebSocket connection's row is still listed
        requests INTEGER NOT NULL, -- charged: refusal NULL (answered or in flight) or 'interrupted'
        interrupted INTEGER NOT NULL,
        refused INTEGER NOT NULL,  -- the other rows but a WebSocket connection's own (method 'WS')
        total_tokens INTEGER NOT NULL, -- of the charged rows
        PRIMARY KEY (day, subkey_id, subkey_name)
      ) WITHOUT ROWID;

      INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens)
        SELECT (at / 86400000) * 86400000, coalesce(subkey_id, ''), coalesce(subkey_name, ''), count(*),
               sum(refusal IS NULL OR refusal = 'interrupted'), sum(refusal IS 'interrupted'),
               sum(NOT (refusal IS NULL OR refusal = 'interrupted') AND method != 'WS'),
               coalesce(sum(CASE WHEN refusal IS NULL OR refusal = 'interrupted' THEN total_tokens END), 0)
        FROM usage GROUP BY 1, 2, 3;

      -- A sub-key's days move to its name when it goes, pruned days too (the log's rows get that name in
      -- deleteSubkey). One statement per day of the key, instead of a trigger per usage row.
      CREATE TRIGGER usage_daily_forget_subkey BEFORE DELETE ON subkeys
      BEGIN
        INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens)
          SELECT day, '', old.name, rows, requests, interrupted, refused, total_tokens FROM usage_daily WHERE subkey_id = old.id
          ON CONFLICT (day, subkey_id, subkey_name) DO UPDATE SET rows = rows + excluded.rows,
            requests = requests + excluded.requests, interrupted = interrupted + excluded.interrupted,
            refused = refused + excluded.refused, total_tokens = total_tokens + excluded.total_tokens;
        DELETE FROM usage_daily WHERE subkey_id = old.id;
      END;
    `);
  },

  function addSubkeyPermissionsAndObjectOwnership(db) {
    db.exec(`
      -- Keys issued before permissions existed keep reaching every endpoint, but mint no credentials and see only
      -- their own objects: both are new powers, off unless asked for.
      ALTER TABLE subkeys ADD COLUMN permissions TEXT NOT NULL
        DEFAULT '{"mode":"all","groups":{},"mintCredentials":false,"shareProjectObjects":false}';

      -- Which sub-key created each object (file, response, …) through the proxy, so keys cannot see each other's.
      -- No foreign key to subkeys: removing a key keeps its objects owned by its (now unusable) id.
      CREATE TABLE objects (
        id TEXT PRIMARY KEY,
        subkey_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- What a batch input file uploaded through a sub-key asks for, read from its JSONL lines at upload, so that
      -- creating a batch from it can be checked and counted per line.
      CREATE TABLE batch_files (
        file_id TEXT PRIMARY KEY,
        subkey_id TEXT NOT NULL,
        line_count INTEGER NOT NULL,
        models TEXT NOT NULL,    -- JSON array of the models the lines name
        endpoints TEXT NOT NULL, -- JSON array of the lines' urls
        readable INTEGER NOT NULL CHECK (readable IN (0, 1)) -- 0: a line Keygate could not read
      ) WITHOUT ROWID;
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

  function addThresholdAlerts(db) {
    db.exec(`
      -- What a budget:threshold push already announced, so a restart does not announce it again. One row per key and
      -- slot: a budget's 'metric window' with the window start and limit it was for and the highest percent reached
      -- (a new window or limit re-arms it), or 'expiry' with the expiry it warned of (a changed expiry re-arms it).
      CREATE TABLE threshold_alerts (
        subkey_id TEXT NOT NULL REFERENCES subkeys(id) ON DELETE CASCADE,
        slot TEXT NOT NULL,     -- e.g. 'usd month', or 'expiry'
        mark TEXT NOT NULL,     -- budgets: '<window start ms> <limit>'; expiry: '<expires_at ms>'
        percent INTEGER NOT NULL, -- budgets: 80 or 100; expiry: 100
        fired_at INTEGER NOT NULL,
        PRIMARY KEY (subkey_id, slot)
      ) WITHOUT ROWID;
    `);
  },

  function addUsageCostAndTokenDetails(db) {
    db.exec(`
      -- Cost wherever usage is shown: each row keeps what its answer cost (NULL: unpriced) and the cached and
      -- reasoning parts of its tokens; the roll-up sums the cost of its charged rows and counts those left unpriced.
      ALTER TABLE usage ADD COLUMN cost_usd REAL;
      ALTER TABLE usage ADD COLUMN cached_tokens INTEGER;
      ALTER TABLE usage ADD COLUMN reasoning_tokens INTEGER;
      ALTER TABLE usage_daily ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;   -- of the charged rows, priced ones
      ALTER TABLE usage_daily ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0; -- charged rows with cost_usd NULL
      UPDATE usage_daily SET unpriced = requests;

      DROP TRIGGER usage_daily_forget_subkey;
      CREATE TRIGGER usage_daily_forget_subkey BEFORE DELETE ON subkeys
      BEGIN
        INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens, cost_usd, unpriced)
          SELECT day, '', old.name, rows, requests, interrupted, refused, total_tokens, cost_usd, unpriced FROM usage_daily WHERE subkey_id = old.id
          ON CONFLICT (day, subkey_id, subkey_name) DO UPDATE SET rows = rows + excluded.rows,
            requests = requests + excluded.requests, interrupted = interrupted + excluded.interrupted,
            refused = refused + excluded.refused, total_tokens = total_tokens + excluded.total_tokens,
            cost_usd = cost_usd + excluded.cost_usd, unpriced = unpriced + excluded.unpriced;
        DELETE FROM usage_daily WHERE subkey_id = old.id;
      END;
    `);
  },

  function addBatchFileEstimates(db) {
    db.exec(`
      -- A batch input file's worst case per model, read from its lines at upload (JSON array of { model, input,
      -- output, uncapped }), so that creating a batch reserves it in token and USD budgets. NULL for files read
      -- before: a key with such budgets cannot make a batch from them (fail closed), others can as before.
      ALTER TABLE batch_files ADD COLUMN estimate TEXT;
    `);
  },

  function rollUpDailyCostPerModel(db) {
    db.exec(`
      -- Cost per model on the Usage screen without scanning the log: the charged requests of each local day (in the
      -- zone usage_daily is keyed in), sub-key and model. Kept by the write batcher's roll-up step (daily-rollup.ts)
      -- with usage_daily, rekeyed with it on a zone change, and like it never pruned.
      CREATE TABLE usage_daily_models (
        day INTEGER NOT NULL,       -- local day key, as usage_daily.day
        subkey_id TEXT NOT NULL,    -- '' for no known sub-key, or a deleted one
        model TEXT NOT NULL,        -- '' for requests that named no model
        requests INTEGER NOT NULL,  -- charged: refusal NULL or 'interrupted'
        total_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,     -- of the priced ones
        unpriced INTEGER NOT NULL,  -- charged rows with cost_usd NULL
        PRIMARY KEY (day, subkey_id, model)
      ) WITHOUT ROWID;

      -- A deleted sub-key's models move to '' (the log's rows lose their subkey_id the same way).
      CREATE TRIGGER usage_daily_models_forget_subkey BEFORE DELETE ON subkeys
      BEGIN
        INSERT INTO usage_daily_models (day, subkey_id, model, requests, total_tokens, cost_usd, unpriced)
          SELECT day, '', model, requests, total_tokens, cost_usd, unpriced FROM usage_daily_models WHERE subkey_id = old.id
          ON CONFLICT (day, subkey_id, model) DO UPDATE SET requests = requests + excluded.requests,
            total_tokens = total_tokens + excluded.total_tokens, cost_usd = cost_usd + excluded.cost_usd,
            unpriced = unpriced + excluded.unpriced;
        DELETE FROM usage_daily_models WHERE subkey_id = old.id;
      END;
    `);
    // Days already pruned from the log are not known per model: the table starts from the retained rows. local_day
    // is registered here too, for a connection opened without openDatabase.
    registerLocalDay(db);
    db.prepare(
      `INSERT INTO usage_daily_models (day, subkey_id, model, requests, total_tokens, cost_usd, unpriced)
       SELECT local_day(at, ?), coalesce(subkey_id, ''), coalesce(model, ''), count(*), coalesce(sum(total_tokens), 0),
              coalesce(sum(cost_usd), 0), sum(cost_usd IS NULL)
       FROM usage WHERE refusal IS NULL OR refusal = 'interrupted' GROUP BY 1, 2, 3`,
    ).run(readRollupZone(db));
  },

  function keepThresholdAlertEvents(db) {
    db.exec(`
      -- alerts:list answers what was announced, so a window opened later still shows it: each row keeps the
      -- budget:threshold push it sent, as JSON (NULL for rows announced before: they are not listed).
      ALTER TABLE threshold_alerts ADD COLUMN event TEXT;
      CREATE INDEX threshold_alerts_fired_at ON threshold_alerts (fired_at);
    `);
  },

  function journalRequestsInFlight(db) {
    db.exec(`
      -- What is durable before a request is forwarded, besides its reservation: that it is in flight. One small
      -- row (one page for all of them), where a usage row costs its table leaf, four index leaves and the roll-ups;
      -- the usage row follows in a later commit, which deletes this one. Left at a start: never logged, so it is
      -- logged then and marked interrupted (write-batcher.ts recoverJournal).
      CREATE TABLE in_flight (
        id INTEGER PRIMARY KEY,
        subkey_id TEXT,
        at INTEGER NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        model TEXT
      );
    `);
  },

  function keepLateSettlements(db) {
    db.exec(`
      -- Work whose usage shows after its answer (a background response, a batch): what its reservation holds, so that
      -- a retrieval after a restart still settles it (late-settlements.ts). Deleted once settled; a sub-key's or
      -- upstream's go with it, and one never looked at again goes when retention prunes its usage row.
      CREATE TABLE late_settlements (
        kind TEXT NOT NULL,
        object_id TEXT NOT NULL,
        subkey_id TEXT NOT NULL REFERENCES subkeys(id) ON DELETE CASCADE,
        usage_id INTEGER NOT NULL,
        upstream_id TEXT NOT NULL REFERENCES upstreams(id) ON DELETE CASCADE,
        -- JSON: the models its usage is priced at; its holds, [{metric, window, windowStart, amount}].
        models TEXT NOT NULL,
        holds TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, object_id)
      ) WITHOUT ROWID;
      CREATE INDEX late_settlements_usage ON late_settlements (usage_id);
      CREATE INDEX late_settlements_subkey ON late_settlements (subkey_id);
      CREATE INDEX late_settlements_upstream ON late_settlements (upstream_id);
      CREATE TRIGGER late_settlements_pruned AFTER DELETE ON usage BEGIN
        DELETE FROM late_settlements WHERE usage_id = old.id;
      END;
    `);
  },

  function carryReservationsInTheJournal(db) {
    db.exec(`
      -- A journal row carries its request's reservation until the row goes: the commit that writes the usage row
      -- and deletes the journal row applies it to subkeys.remaining_requests and spend (write-batcher.ts), so the
      -- commit before forwarding writes the journal's page alone. What the store holds for a key is its stored
      -- count and spend plus what its journal rows carry; a start applies what a stop left (recoverJournal).
      -- Rows written before this carry nothing (their reservation was applied when they were written).
      ALTER TABLE in_flight ADD COLUMN quota INTEGER NOT NULL DEFAULT 0;
      -- JSON [[metric, window, window_start, amount], ...]: what the request took from each budget window.
      ALTER TABLE in_flight ADD COLUMN spend TEXT;
    `);
  },
];

export const LATEST_VERSION = migrations.length;
