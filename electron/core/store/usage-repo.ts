import { INTERRUPTED_REFUSAL, type UsageDay, type UsageEntry } from '../../shared/types';
import type { Database } from './database';
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
}

const COLUMNS =
  'id, subkey_id, at, method, path, model, status, latency_ms, prompt_tokens, completion_tokens, total_tokens, refusal';

function toUsageEntry(row: UsageRow): UsageEntry {
  return {
    id: row.id,
    subkeyId: row.subkey_id,
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
  if (query.subkeyId !== undefined) conditions.push('subkey_id = @subkeyId');
  if (query.before !== undefined) conditions.push('id < @before');
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  // One cached statement per combination of filters, so each keeps its own index plan.
  const sql = `SELECT ${COLUMNS} FROM usage ${where} ORDER BY id DESC LIMIT @limit`;
  return statement<[Record<string, unknown>], UsageRow>(db, sql)
    .all({ limit: query.limit, ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }), ...(query.before !== undefined && { before: query.before }) })
    .map(toUsageEntry);
}

const DAY_MS = 86_400_000;

/** Start (ms) of the UTC day `days - 1` days before `now`'s day: the window of the last `days` days. */
export function usageWindowStart(now: number, days: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

/**
 * Charged requests and total tokens per UTC day and sub-key over the last `days` days, oldest day first. A request
 * is charged once forwarded: answered, in flight, or left `interrupted` by a crash (counted, and counted apart as
 * `interrupted`). Refused requests (never forwarded, nothing spent) are left out; the request log lists them.
 * Read from the `usage_daily` roll-up (kept by the write batcher), never from the log itself.
 */
export function dailyUsage(db: Database, query: { days: number; subkeyId?: string | undefined; now?: number }): UsageDay[] {
  const since = usageWindowStart(query.now ?? Date.now(), query.days);
  const filter = query.subkeyId !== undefined ? 'AND subkey_id = @subkeyId' : '';
  const sql = `SELECT strftime('%Y-%m-%d', day / 1000, 'unixepoch') AS day, subkey_id, requests, interrupted, total_tokens
               FROM usage_daily WHERE usage_daily.day >= @since AND requests > 0 ${filter}
               ORDER BY usage_daily.day, subkey_id`;
  const rows = statement<[Record<string, unknown>], { day: string; subkey_id: string; requests: number; interrupted: number; total_tokens: number }>(
    db,
    sql,
  ).all({ since, ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }) });
  return rows.map((row) => ({
    day: row.day,
    subkeyId: row.subkey_id === '' ? null : row.subkey_id,
    requests: row.requests,
    interrupted: row.interrupted,
    totalTokens: row.total_tokens,
  }));
}

/**
 * The same totals as dailyUsage, computed by scanning the log: the reference the roll-up is checked against
 * (and what dailyUsage read before the roll-up existed).
 */
export function dailyUsageScan(db: Database, query: { days: number; subkeyId?: string | undefined; now?: number }): UsageDay[] {
  const since = usageWindowStart(query.now ?? Date.now(), query.days);
  const filter = query.subkeyId !== undefined ? 'AND subkey_id = @subkeyId' : '';
  const sql = `SELECT strftime('%Y-%m-%d', at / 1000, 'unixepoch') AS day, subkey_id, count(*) AS requests,
                      count(refusal) AS interrupted, coalesce(sum(total_tokens), 0) AS total_tokens
               FROM usage WHERE at >= @since AND (refusal IS NULL OR refusal = @interrupted) ${filter}
               GROUP BY day, subkey_id ORDER BY day, subkey_id`;
  const rows = statement<[Record<string, unknown>], { day: string; subkey_id: string | null; requests: number; interrupted: number; total_tokens: number }>(
    db,
    sql,
  ).all({
    since,
    interrupted: INTERRUPTED_REFUSAL,
    ...(query.subkeyId !== undefined && { subkeyId: query.subkeyId }),
  });
  return rows.map((row) => ({
    day: row.day,
    subkeyId: row.subkey_id,
    requests: row.requests,
    interrupted: row.interrupted,
    totalTokens: row.total_tokens,
  }));
}

/**
 * Marks the rows still in flight as interrupted. Only safe while no request is in flight: the core calls it at start,
 * holding the data-directory lock, so such rows can only be left over from a process that died. Returns how many.
 */
export function markInterruptedUsage(db: Database): number {
  return db.transaction(() => {
    // The roll-up counted these rows as charged requests already; they now also count as interrupted.
    statement(
      db,
      `INSERT INTO usage_daily (day, subkey_id, requests, interrupted, total_tokens)
       SELECT (at / 86400000) * 86400000, coalesce(subkey_id, ''), 0, count(*), 0 FROM usage
       WHERE status IS NULL AND refusal IS NULL GROUP BY 1, 2
       ON CONFLICT (day, subkey_id) DO UPDATE SET interrupted = interrupted + excluded.interrupted`,
    ).run();
    return statement(db, 'UPDATE usage SET refusal = ? WHERE status IS NULL AND refusal IS NULL').run(INTERRUPTED_REFUSAL).changes;
  })();
}
