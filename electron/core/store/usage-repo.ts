import { INTERRUPTED_REFUSAL, WS_CLOSE_REFUSAL_PREFIX, type UsageDay, type UsageEntry, type UsageModel } from '../../shared/types';
import type { Database } from './database';
import { localDayStart, localWindowStart, readRollupZone } from './local-day';
import { statement } from './statements';

/** A row of the usage table as SQLite returns it. */
export interface UsageRow {
  id: number;
  subkey_id: string | null;
  at: number;
  method: string;
  path: string;
  model: string | null;
  status: number | null;
  latency_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  refusal: string | null;
  cost_usd: number | null;
  cached_tokens: number | null;
  reasoning_tokens: number | null;
  /** Set only when the sub-key was deleted: the name it had. */
  subkey_name: string | null;
}

/** A usage row with its sub-key's current name (from the join), or the kept name of a deleted one. */
type NamedUsageRow = UsageRow & { current_name: string | null };

const COLUMNS =
  'u.id, u.subkey_id, u.at, u.method, u.path, u.model, u.status, u.latency_ms, u.prompt_tokens, u.completion_tokens, u.total_tokens, u.refusal, u.cost_usd, u.cached_tokens, u.reasoning_tokens, u.subkey_name, s.name AS current_name';

/** Whose request a row was: the live sub-key's name, or the kept name of a deleted one. */
function subkeyOf(row: { subkey_id: string | null; subkey_name: string | null; current_name: string | null }) {
  const deleted = row.subkey_id === null && row.subkey_name !== null;
  return { subkeyName: row.current_name ?? row.subkey_name, subkeyDeleted: deleted };
}

function toUsageEntry(row: NamedUsageRow): UsageEntry {
  return {
    id: row.id,
    subkeyId: row.subkey_id,
    ...subkeyOf(row),
    at: new Date(row.at).toISOString(),
    method: row.method,
    path: row.path,
    model: row.model,
    status: row.status,
    latencyMs: row.latency_ms,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    refusal: row.refusal,
    costUsd: row.cost_usd,
    cachedTokens: row.cached_tokens,
    reasoningTokens: row.reasoning_tokens,
  };
}

export interface UsageQuery {
  subkeyId?: string | undefined;
  limit: number;
  /** Only entries with a smaller id (the cursor of the next page). */
  before?: number | undefined;
}

/** Usage entries, newest first. */
export function listUsage(db: Database, query: UsageQuery): UsageEntry[] {
  const conditions: string[] = [];
  if (query.subkeyId !== undefined) conditions.push('u.subkey_id = @subkeyId');
  if (query.before !== undefined) conditions.push('u.id < @before');
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  // One cached statement per combination of filters, so each keeps its own index plan.
  const sql = `SELECT ${COLUMNS} FROM usage u LEFT JOIN subkeys s ON s.id = u.subkey_id ${where} ORDER BY u.id DESC LIMIT @limit`;
  return statement<[Record<string, unknown>], NamedUsageRow>(db, sql)
    .all({ limit: query.limit, ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }), ...(query.before !== undefined && { before: query.before }) })
    .map(toUsageEntry);
}

/**
 * Usage entries newest first, as a lazy iterator over `stmt.iterate()`: the export reads them a row at a time. While
 * it is open the connection runs no other statement, so a caller must finish (or `return()`) it before yielding to
 * the event loop; `before` resumes after the last id read.
 */
export function iterateUsage(db: Database, query: { subkeyId?: string | undefined; before?: number | undefined }): IterableIterator<UsageEntry> {
  const conditions: string[] = [];
  if (query.subkeyId !== undefined) conditions.push('u.subkey_id = @subkeyId');
  if (query.before !== undefined) conditions.push('u.id < @before');
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const sql = `SELECT ${COLUMNS} FROM usage u LEFT JOIN subkeys s ON s.id = u.subkey_id ${where} ORDER BY u.id DESC`;
  const rows = statement<[Record<string, unknown>], NamedUsageRow>(db, sql).iterate({
    ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }),
    ...(query.before !== undefined && { before: query.before }),
  });
  return (function* () {
    try {
      for (const row of rows) yield toUsageEntry(row);
    } finally {
      rows.return?.();
    }
  })();
}

const DAY_MS = 86_400_000;

/** Start (ms) of the UTC day `days - 1` days before `now`'s day: the window of the last `days` days. */
export function usageWindowStart(now: number, days: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

/** A day of one sub-key as both reads answer it. */
type DayRow = {
  day: string;
  subkey_id: string | null;
  subkey_name: string | null;
  current_name: string | null;
  requests: number;
  interrupted: number;
  refused: number;
  total_tokens: number;
  cost_usd: number;
  unpriced: number;
};

function toUsageDay(row: DayRow): UsageDay {
  return {
    day: row.day,
    subkeyId: row.subkey_id,
    ...subkeyOf(row),
    requests: row.requests,
    interrupted: row.interrupted,
    refused: row.refused,
    totalTokens: row.total_tokens,
    // Sums of many small floats, added and taken back by the roll-up: rounded to a billionth of a cent.
    costUsd: Math.round(row.cost_usd * 1e11) / 1e11,
    unpricedRequests: row.unpriced,
  };
}

/**
 * Per local day and sub-key over the last `days` days (today included), oldest day first. Days are calendar days in
 * the time zone the roll-up is keyed in: the settings' zone (the write batcher rekeys the roll-up when it changes;
 * days older than the retained log keep the zone they were counted in). `requests` are the charged ones: forwarded
 * and answered, in flight, or left `interrupted` by a crash (also counted apart as `interrupted`); `refused` are the
 * rest of the log (refused by the proxy, never forwarded, or `client_closed`), so the chart counts what the request
 * log lists. Tokens and `costUsd` are those of the charged requests; `costUsd` sums the priced ones and
 * `unpricedRequests` counts those without a price (no price for the model, no usage reported, or not finished), so
 * an unknown cost is never shown as $0. A deleted sub-key's rows are grouped under the name it had. Read from the
 * `usage_daily` roll-up (kept by the write batcher), never from the log itself, so days whose rows retention pruned
 * still count.
 */
export function dailyUsage(db: Database, query: { days: number; subkeyId?: string | undefined; now?: number }): UsageDay[] {
  // '' is how the roll-up stores "no sub-key"; no sub-key has that id.
  if (query.subkeyId === '') return [];
  const since = localWindowStart(query.now ?? Date.now(), query.days, readRollupZone(db));
  const filter = query.subkeyId !== undefined ? 'AND d.subkey_id = @subkeyId' : '';
  const sql = `SELECT strftime('%Y-%m-%d', d.day / 1000, 'unixepoch') AS day, d.subkey_id, d.subkey_name, s.name AS current_name,
                      d.requests, d.interrupted, d.refused, d.total_tokens, d.cost_usd, d.unpriced
               FROM usage_daily d LEFT JOIN subkeys s ON s.id = d.subkey_id
               WHERE d.day >= @since AND d.rows > 0 ${filter}
               ORDER BY d.day, d.subkey_id, d.subkey_name`;
  type RollupRow = Omit<DayRow, 'subkey_id' | 'subkey_name'> & { subkey_id: string; subkey_name: string };
  const rows = statement<[Record<string, unknown>], RollupRow>(db, sql).all({
    since,
    ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }),
  });
  return rows.map((row) => toUsageDay({ ...row, subkey_id: row.subkey_id || null, subkey_name: row.subkey_name || null }));
}

/**
 * The same totals as dailyUsage, computed by scanning the log (days in the roll-up's zone): the reference the
 * roll-up is checked against (and what dailyUsage read before the roll-up existed).
 */
export function dailyUsageScan(db: Database, query: { days: number; subkeyId?: string | undefined; now?: number }): UsageDay[] {
  const zone = readRollupZone(db);
  const since = localDayStart(localWindowStart(query.now ?? Date.now(), query.days, zone), zone);
  const filter = query.subkeyId !== undefined ? 'AND u.subkey_id = @subkeyId' : '';
  const charged = '(u.refusal IS NULL OR u.refusal = @interrupted)';
  // A WebSocket connection's own row (method WS) is neither a request nor a refusal: its responses are rows of their own.
  const sql = `SELECT strftime('%Y-%m-%d', local_day(u.at, @zone) / 1000, 'unixepoch') AS day, u.subkey_id, u.subkey_name, s.name AS current_name,
                      sum(${charged}) AS requests, sum(u.refusal IS @interrupted) AS interrupted, sum(NOT ${charged} AND u.method != 'WS') AS refused,
                      coalesce(sum(CASE WHEN ${charged} THEN u.total_tokens END), 0) AS total_tokens,
                      coalesce(sum(CASE WHEN ${charged} THEN u.cost_usd END), 0) AS cost_usd, sum(${charged} AND u.cost_usd IS NULL) AS unpriced
               FROM usage u LEFT JOIN subkeys s ON s.id = u.subkey_id
               WHERE u.at >= @since ${filter}
               GROUP BY day, u.subkey_id, u.subkey_name ORDER BY day, u.subkey_id, u.subkey_name`;
  const rows = statement<[Record<string, unknown>], DayRow>(db, sql).all({
    since,
    zone,
    interrupted: INTERRUPTED_REFUSAL,
    ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }),
  });
  return rows.map(toUsageDay);
}

/**
 * Marks the rows still in flight as interrupted. Only safe while no request is in flight: the core calls it at start,
 * holding the data-directory lock, so such rows can only be left over from a process that died. A WebSocket
 * connection's row is not a request: it is closed as abnormally ended (101, `ws_close_1006`) and not counted. Returns
 * how many requests were marked.
 */
export function markInterruptedUsage(db: Database): number {
  return db.transaction(() => {
    // The roll-up counted these rows as charged requests already: a request now also counts as interrupted, and a
    // connection's row (a request while open, in the log's own terms) counts as neither from now on.
    statement(
      db,
      `INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens, cost_usd, unpriced)
       SELECT local_day(at, @zone), coalesce(subkey_id, ''), coalesce(subkey_name, ''), 0, -sum(method = 'WS'),
              sum(method != 'WS'), 0, -coalesce(sum(CASE WHEN method = 'WS' THEN total_tokens END), 0), 0, -sum(method = 'WS')
       FROM usage WHERE status IS NULL AND refusal IS NULL GROUP BY 1, 2, 3
       ON CONFLICT (day, subkey_id, subkey_name) DO UPDATE SET requests = requests + excluded.requests,
         interrupted = interrupted + excluded.interrupted, total_tokens = total_tokens + excluded.total_tokens,
         unpriced = unpriced + excluded.unpriced`,
    ).run({ zone: readRollupZone(db) });
    // Per model, the same: a connection's row stops counting, an interrupted request stays charged as it was.
    statement(
      db,
      `INSERT INTO usage_daily_models (day, subkey_id, model, requests, total_tokens, cost_usd, unpriced)
       SELECT local_day(at, @zone), coalesce(subkey_id, ''), coalesce(model, ''), -count(*), -coalesce(sum(total_tokens), 0),
              -coalesce(sum(cost_usd), 0), -sum(cost_usd IS NULL)
       FROM usage WHERE status IS NULL AND refusal IS NULL AND method = 'WS' GROUP BY 1, 2, 3
       ON CONFLICT (day, subkey_id, model) DO UPDATE SET requests = requests + excluded.requests,
         total_tokens = total_tokens + excluded.total_tokens, cost_usd = cost_usd + excluded.cost_usd,
         unpriced = unpriced + excluded.unpriced`,
    ).run({ zone: readRollupZone(db) });
    statement(db, "UPDATE usage SET status = 101, refusal = ? WHERE status IS NULL AND refusal IS NULL AND method = 'WS'").run(`${WS_CLOSE_REFUSAL_PREFIX}1006`);
    return statement(db, 'UPDATE usage SET refusal = ? WHERE status IS NULL AND refusal IS NULL').run(INTERRUPTED_REFUSAL).changes;
  })();
}

/**
 * Charged requests, tokens and cost per model over the last `days` local days (as dailyUsage), most expensive first;
 * with `subkeyId`, that sub-key's only. `model` is null for requests that named none. Read from the
 * `usage_daily_models` roll-up, so pruned days still count (those from before the roll-up existed are not known
 * per model). A deleted sub-key's models count under no sub-key.
 */
export function modelUsage(db: Database, query: { days: number; subkeyId?: string | undefined; now?: number }): UsageModel[] {
  if (query.subkeyId === '') return [];
  const since = localWindowStart(query.now ?? Date.now(), query.days, readRollupZone(db));
  const filter = query.subkeyId !== undefined ? 'AND subkey_id = @subkeyId' : '';
  const sql = `SELECT model, sum(requests) AS requests, sum(total_tokens) AS total_tokens, sum(cost_usd) AS cost_usd, sum(unpriced) AS unpriced
               FROM usage_daily_models WHERE day >= @since ${filter}
               GROUP BY model HAVING sum(requests) > 0 ORDER BY sum(cost_usd) DESC, model`;
  return statement<[Record<string, unknown>], ModelRow>(db, sql)
    .all({ since, ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }) })
    .map(toUsageModel);
}

/** The same as modelUsage, computed by scanning the log: the reference the roll-up is checked against. */
export function modelUsageScan(db: Database, query: { days: number; subkeyId?: string | undefined; now?: number }): UsageModel[] {
  const zone = readRollupZone(db);
  const since = localDayStart(localWindowStart(query.now ?? Date.now(), query.days, zone), zone);
  const filter = query.subkeyId !== undefined ? 'AND subkey_id = @subkeyId' : '';
  const sql = `SELECT coalesce(model, '') AS model, count(*) AS requests, coalesce(sum(total_tokens), 0) AS total_tokens,
                      coalesce(sum(cost_usd), 0) AS cost_usd, sum(cost_usd IS NULL) AS unpriced
               FROM usage WHERE at >= @since AND (refusal IS NULL OR refusal = @interrupted) ${filter}
               GROUP BY 1 ORDER BY sum(coalesce(cost_usd, 0)) DESC, 1`;
  return statement<[Record<string, unknown>], ModelRow>(db, sql)
    .all({ since, interrupted: INTERRUPTED_REFUSAL, ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }) })
    .map(toUsageModel);
}

/** One model's sums as modelUsage and modelUsageScan select them ('' for requests that named no model). */
interface ModelRow {
  model: string;
  requests: number;
  total_tokens: number;
  cost_usd: number;
  unpriced: number;
}

function toUsageModel(row: ModelRow): UsageModel {
  return {
    model: row.model === '' ? null : row.model,
    requests: row.requests,
    totalTokens: row.total_tokens,
    costUsd: Math.round(row.cost_usd * 1e11) / 1e11,
    unpricedRequests: row.unpriced,
  };
}
