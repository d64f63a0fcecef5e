import type { Database, Statement, Transaction } from 'better-sqlite3';
import { INTERRUPTED_REFUSAL } from '../../shared/types';
import { readBudgetZones } from '../budgets/budget-settings';
import { localDayKey, localDayStart, readRollupZone, writeRollupZone } from '../store/local-day';
import { readSetting, settingsVersion, SETTING_KEYS } from '../store/settings-repo';
import { MAX_STORED_MODEL, storedTokens, truncated, type UsageRecord } from './usage-record';

const DAY_MS = 86_400_000;
const NOT_SEEN = Symbol('not seen');

/** What one usage row adds to the `usage_daily` roll-up, under the sub-key it was stored with ('' for none). */
export interface RollupCount {
  day: number;
  subkeyId: string;
  requests: number;
  interrupted: number;
  refused: number;
  tokens: number;
  cost: number;
  unpriced: number;
  /** The model as stored ('' for none): `usage_daily_models` sums the charged part per model too. */
  model: string;
}

/** The sums of one day, sub-key and model in a batch, for `usage_daily_models`. */
interface ModelSum {
  day: number;
  subkeyId: string;
  model: string;
  requests: number;
  tokens: number;
  cost: number;
  unpriced: number;
}

/** The sums of one day and sub-key in a batch, and a row of theirs (to read a deleted key's kept name from). */
interface Sum extends Omit<RollupCount, 'model'> {
  rows: number;
  rowId: number | bigint | null;
}

/** Mirrors `dailyUsageScan`: charged rows, their interrupted ones and tokens, and refusals but a connection's own row. */
function counted(record: UsageRecord, storedSubkeyId: string | null, zone: string): RollupCount {
  const charged = record.refusal === null || record.refusal === INTERRUPTED_REFUSAL;
  return {
    day: localDayKey(record.at, zone),
    subkeyId: storedSubkeyId ?? '',
    requests: charged ? 1 : 0,
    interrupted: record.refusal === INTERRUPTED_REFUSAL ? 1 : 0,
    refused: !charged && record.method !== 'WS' ? 1 : 0,
    tokens: charged ? (storedTokens(record.totalTokens) ?? 0) : 0,
    cost: charged ? (record.costUsd ?? 0) : 0,
    unpriced: charged && record.costUsd === null ? 1 : 0,
    model: record.model === null ? '' : truncated(record.model, MAX_STORED_MODEL),
  };
}

/**
 * Keeps `usage_daily` (and `usage_daily_models`) current from the write batcher: each row's contribution is
 * remembered on its record (`counted`), and a batch adds the differences, summed per day and sub-key (and per day,
 * sub-key and model), with one upsert each (not one per request). Contributions become the remembered ones only when
 * their batch commits (`pendingCount` until then), so a failed batch leaves the roll-up and the memory in step.
 *
 * On the records and in collections made anew per batch, not in a WeakMap keyed by record and Maps cleared per batch:
 * those live as long as the proxy, and V8 gives an old collection's new tables (each clear, each rebuild) to the old
 * generation, where the tables left behind keep what they last held alive for every scavenge until the next full
 * collection (see in-flight.ts).
 */
export class DailyRollup {
  /** The open batch's view: the records it counted (their `pendingCount`), and the sums it adds. */
  private touched: UsageRecord[] = [];
  private sums = new Map<string, Sum>();
  private readonly upsert: Statement;
  private modelSums = new Map<string, ModelSum>();
  private readonly upsertModel: Statement;
  /** Rows committed while in flight: their contributions move when the days are rekeyed to another zone. */
  private readonly open = new Set<UsageRecord>();
  /** The zone the roll-up's days are keyed in, and the settings' raw zone value last seen (to notice a change). */
  private zone: string;
  private seenZoneSetting: unknown = NOT_SEEN;
  private seenSettingsVersion = -1;
  private readonly rekey: Transaction<(zone: string) => void>;

  constructor(private readonly db: Database) {
    this.zone = readRollupZone(db);
    // The retained log's days from the first whole one on are counted again in the new zone; days before it (partly
    // or wholly pruned from the log) keep the zone they were counted in. Rows are rekeyed from the same instant whose
    // old day rows are removed, so every row stays counted exactly once.
    const rebuild = db.prepare(
      `INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens, cost_usd, unpriced)
       SELECT local_day(at, @zone), coalesce(subkey_id, ''), coalesce(subkey_name, ''), count(*),
              sum(refusal IS NULL OR refusal = 'interrupted'), sum(refusal IS 'interrupted'),
              sum(NOT (refusal IS NULL OR refusal = 'interrupted') AND method != 'WS'),
              coalesce(sum(CASE WHEN refusal IS NULL OR refusal = 'interrupted' THEN total_tokens END), 0),
              coalesce(sum(CASE WHEN refusal IS NULL OR refusal = 'interrupted' THEN cost_usd END), 0),
              sum((refusal IS NULL OR refusal = 'interrupted') AND cost_usd IS NULL)
       FROM usage WHERE at >= @from GROUP BY 1, 2, 3
       ON CONFLICT (day, subkey_id, subkey_name) DO UPDATE SET rows = rows + excluded.rows,
         requests = requests + excluded.requests, interrupted = interrupted + excluded.interrupted,
         refused = refused + excluded.refused, total_tokens = total_tokens + excluded.total_tokens,
         cost_usd = cost_usd + excluded.cost_usd, unpriced = unpriced + excluded.unpriced`,
    );
    // The same rule for the per-model days: deleted sub-keys' rows (subkey_id NULL) go to '' as the trigger moves them.
    const rebuildModels = db.prepare(
      `INSERT INTO usage_daily_models (day, subkey_id, model, requests, total_tokens, cost_usd, unpriced)
       SELECT local_day(at, @zone), coalesce(subkey_id, ''), coalesce(model, ''), count(*), coalesce(sum(total_tokens), 0),
              coalesce(sum(cost_usd), 0), sum(cost_usd IS NULL)
       FROM usage WHERE at >= @from AND (refusal IS NULL OR refusal = 'interrupted') GROUP BY 1, 2, 3
       ON CONFLICT (day, subkey_id, model) DO UPDATE SET requests = requests + excluded.requests,
         total_tokens = total_tokens + excluded.total_tokens, cost_usd = cost_usd + excluded.cost_usd,
         unpriced = unpriced + excluded.unpriced`,
    );
    this.rekey = db.transaction((zone: string) => {
      const first = db.prepare('SELECT min(at) FROM usage').pluck().get() as number | null;
      if (first !== null) {
        const firstWholeDay = localDayKey(first, this.zone) + DAY_MS;
        db.prepare('DELETE FROM usage_daily WHERE day >= ?').run(firstWholeDay);
        rebuild.run({ zone, from: localDayStart(firstWholeDay, this.zone) });
        db.prepare('DELETE FROM usage_daily_models WHERE day >= ?').run(firstWholeDay);
        rebuildModels.run({ zone, from: localDayStart(firstWholeDay, this.zone) });
      }
      writeRollupZone(db, zone);
    });
    // A sub-key deleted since its row was written had its days moved to ('', its name) (usage_daily_forget_subkey);
    // the row itself keeps that name in usage.subkey_name, so the change goes there too.
    this.upsert = db.prepare(
      `INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens, cost_usd, unpriced)
       VALUES (@day, coalesce((SELECT id FROM subkeys WHERE id = @subkeyId), ''),
               CASE WHEN EXISTS (SELECT 1 FROM subkeys WHERE id = @subkeyId) THEN ''
                    ELSE coalesce((SELECT subkey_name FROM usage WHERE id = @rowId), '') END,
               @rows, @requests, @interrupted, @refused, @tokens, @cost, @unpriced)
       ON CONFLICT (day, subkey_id, subkey_name) DO UPDATE SET rows = rows + excluded.rows,
         requests = requests + excluded.requests, interrupted = interrupted + excluded.interrupted,
         refused = refused + excluded.refused, total_tokens = total_tokens + excluded.total_tokens,
         cost_usd = cost_usd + excluded.cost_usd, unpriced = unpriced + excluded.unpriced`,
    );
    this.upsertModel = db.prepare(
      `INSERT INTO usage_daily_models (day, subkey_id, model, requests, total_tokens, cost_usd, unpriced)
       VALUES (@day, coalesce((SELECT id FROM subkeys WHERE id = @subkeyId), ''), @model, @requests, @tokens, @cost, @unpriced)
       ON CONFLICT (day, subkey_id, model) DO UPDATE SET requests = requests + excluded.requests,
         total_tokens = total_tokens + excluded.total_tokens, cost_usd = cost_usd + excluded.cost_usd,
         unpriced = unpriced + excluded.unpriced`,
    );
  }

  /** Counts a row just inserted, stored under `storedSubkeyId`. */
  inserted(record: UsageRecord, storedSubkeyId: string | null): void {
    const now = counted(record, storedSubkeyId, this.zone);
    this.count(record, now);
    this.add(now, 1, 1, record.rowId);
  }

  /** Takes `record` as a row an earlier run wrote and counted, as it is stored, so its next update moves the days. */
  adopt(record: UsageRecord): void {
    record.counted = counted(record, record.subkeyId, this.zone);
  }

  /** Counts the change of a row just updated to the record's current state. */
  updated(record: UsageRecord): void {
    const before = record.pendingCount ?? record.counted;
    // A row this process did not write (its batch failed) has nothing in the roll-up to change.
    if (before === null) return;
    const now = counted(record, before.subkeyId === '' ? null : before.subkeyId, this.zone);
    this.count(record, now);
    this.add(before, -1, 0, record.rowId);
    this.add(now, 1, 0, record.rowId);
  }

  /** What `record` counts for in the open batch. */
  private count(record: UsageRecord, now: RollupCount): void {
    if (record.pendingCount === null) this.touched.push(record);
    record.pendingCount = now;
  }

  /** Writes the batch's sums; runs inside the batch's transaction. */
  write(): void {
    for (const sum of this.sums.values()) {
      if (sum.rows === 0 && sum.requests === 0 && sum.interrupted === 0 && sum.refused === 0 && sum.tokens === 0 && sum.cost === 0 && sum.unpriced === 0) continue;
      this.upsert.run({
        day: sum.day,
        subkeyId: sum.subkeyId,
        rowId: sum.subkeyId === '' ? null : sum.rowId,
        rows: sum.rows,
        requests: sum.requests,
        interrupted: sum.interrupted,
        refused: sum.refused,
        tokens: sum.tokens,
        cost: sum.cost,
        unpriced: sum.unpriced,
      });
    }
    for (const sum of this.modelSums.values()) {
      if (sum.requests === 0 && sum.tokens === 0 && sum.cost === 0 && sum.unpriced === 0) continue;
      this.upsertModel.run(sum);
    }
  }

  /** After the batch's transaction: keeps its contributions when it committed, forgets them when it failed. */
  settle(committed: boolean): void {
    for (const record of this.touched) {
      if (committed) {
        record.counted = record.pendingCount;
        if (record.status === null && record.refusal === null) this.open.add(record);
        else this.open.delete(record);
      }
      record.pendingCount = null;
    }
    this.touched = [];
    this.sums = new Map();
    this.modelSums = new Map();
  }

  /**
   * Keys the days in the settings' time zone when it changed (between batches, so no batch holds old-zone sums):
   * the retained log is counted again (see `rekey`) and rows in flight move with it. Throws, changing nothing, when
   * the store cannot be written; the next batch tries again.
   */
  followZone(): void {
    // Read only after a settings write: a flush runs per batch, on the proxy's hot path.
    const version = settingsVersion(this.db);
    if (version === this.seenSettingsVersion) return;
    const setting = readSetting(this.db, SETTING_KEYS.budgetTimeZone);
    if (setting === this.seenZoneSetting) {
      this.seenSettingsVersion = version;
      return;
    }
    const zone = readBudgetZones(this.db).zone;
    if (zone !== this.zone) {
      this.rekey.immediate(zone);
      this.zone = zone;
      for (const record of this.open) if (record.counted) record.counted.day = localDayKey(record.at, zone);
    }
    this.seenZoneSetting = setting;
    this.seenSettingsVersion = version;
  }

  private add(change: RollupCount, sign: 1 | -1, rows: number, rowId: number | bigint | null): void {
    const key = `${change.day} ${change.subkeyId}`;
    let sum = this.sums.get(key);
    if (!sum) {
      sum = { day: change.day, subkeyId: change.subkeyId, rows: 0, requests: 0, interrupted: 0, refused: 0, tokens: 0, cost: 0, unpriced: 0, rowId };
      this.sums.set(key, sum);
    }
    sum.rows += rows;
    sum.requests += sign * change.requests;
    sum.interrupted += sign * change.interrupted;
    sum.refused += sign * change.refused;
    sum.tokens += sign * change.tokens;
    sum.cost += sign * change.cost;
    sum.unpriced += sign * change.unpriced;
    // Refused rows add nothing per model: no entry for them, so a batch of refusals writes no model row.
    if (change.requests === 0) return;
    const modelKey = `${change.day}\u0000${change.subkeyId}\u0000${change.model}`;
    let modelSum = this.modelSums.get(modelKey);
    if (!modelSum) {
      modelSum = { day: change.day, subkeyId: change.subkeyId, model: change.model, requests: 0, tokens: 0, cost: 0, unpriced: 0 };
      this.modelSums.set(modelKey, modelSum);
    }
    modelSum.requests += sign * change.requests;
    modelSum.tokens += sign * change.tokens;
    modelSum.cost += sign * change.cost;
    modelSum.unpriced += sign * change.unpriced;
  }
}
