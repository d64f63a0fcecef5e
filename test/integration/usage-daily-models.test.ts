import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUsageRecord, type UsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { migrations } from '../../electron/core/store/migrations';
import { writeSetting } from '../../electron/core/store/settings-repo';
import { deleteSubkey } from '../../electron/core/store/subkeys-repo';
import { markInterruptedUsage, modelUsage, modelUsageScan } from '../../electron/core/store/usage-repo';
import { pruneUsageStep } from '../../electron/core/store/usage-retention';

const DAY = 86_400_000;
const NOW = Date.UTC(2031, 2, 15, 12);
const MODELS = ['gpt-4o', 'gpt-4o-mini', null] as const;
let dir: string;
let db: Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-models-'));
  db = openDatabase(join(dir, 'keygate.db'));
  seedKeys(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function seedKeys(target: Database): void {
  target.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'u', 'https://u', x'00', 'h', 0)").run();
  const insert = target.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES (?, ?, 'u', ?, 'h', 0)");
  for (const id of ['a', 'b']) insert.run(id, `key ${id}`, `hash-${id}`);
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Mixed rows over ten days: two keys and none, three models (one "no model"), priced, unpriced, refused, in flight. */
function mixedRecords(count: number, seed: number): UsageRecord[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const roll = next();
    return {
      ...newUsageRecord(next() < 0.05 ? 'WS' : 'POST', '/v1/chat/completions', NOW - Math.floor(next() * 10 * DAY)),
      subkeyId: next() < 0.1 ? null : i % 2 === 0 ? 'a' : 'b',
      model: MODELS[i % 3]!,
      status: roll < 0.1 ? null : roll < 0.2 ? 429 : 200,
      refusal: roll >= 0.1 && roll < 0.2 ? 'budget_exceeded' : null,
      totalTokens: Math.floor(next() * 1000),
      costUsd: next() < 0.2 ? null : Math.round(next() * 1e6) / 1e8,
    };
  });
}

function expectSameAsScan(days = 30, now = NOW): void {
  expect(modelUsage(db, { days, now })).toEqual(modelUsageScan(db, { days, now }));
  for (const subkeyId of ['a', 'b']) expect(modelUsage(db, { days, now, subkeyId })).toEqual(modelUsageScan(db, { days, now, subkeyId }));
}

const totalChanges = () => db.prepare('SELECT total_changes()').pluck().get() as number;

describe('usage_daily_models: cost per model without scanning the log', () => {
  it('equals a GROUP BY over the log after a batch of mixed models, completions that change the model, and a deleted key', () => {
    const writes = new WriteBatcher(db);
    const records = mixedRecords(600, 3);
    for (const record of records) writes.enqueueInsert(record);
    writes.flush();
    expectSameAsScan();
    const models = modelUsage(db, { days: 30, now: NOW }).map((row) => row.model);
    expect(models.sort()).toEqual(['gpt-4o', 'gpt-4o-mini', null].sort());

    // Rows in flight finish, some on another model than they asked for (an alias answered by a dated model).
    for (const record of records.filter((r) => r.status === null && r.method !== 'WS')) {
      Object.assign(record, { status: 200, model: 'gpt-4o-2024-08-06', costUsd: 0.001, totalTokens: 42 });
      writes.enqueueComplete(record);
    }
    writes.flush();
    expectSameAsScan();
    expect(modelUsage(db, { days: 30, now: NOW }).some((row) => row.model === 'gpt-4o-2024-08-06')).toBe(true);

    // A deleted key's models stay in the totals, under no key (as its log rows).
    const before = modelUsage(db, { days: 30, now: NOW });
    deleteSubkey(db, 'b');
    expect(modelUsage(db, { days: 30, now: NOW })).toEqual(before);
    expect(modelUsage(db, { days: 30, now: NOW, subkeyId: 'b' })).toEqual([]);
    expectSameAsScan();
  });

  it('adds one upsert per distinct day, key and model of a batch, not one statement per request', () => {
    const writes = new WriteBatcher(db);
    const at = NOW - 3600_000;
    const batch = Array.from({ length: 200 }, (_, i) => ({
      ...newUsageRecord('POST', '/v1/chat/completions', at + i),
      subkeyId: 'a',
      model: i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
      status: 200,
      totalTokens: 10,
      costUsd: 0.01,
    }));
    const start = totalChanges();
    for (const record of batch) writes.enqueueInsert(record);
    writes.flush();
    // 200 log rows, one usage_daily row (one day, one key) and two usage_daily_models rows (two models).
    expect(totalChanges() - start).toBe(200 + 1 + 2);
    expect(modelUsage(db, { days: 1, now: NOW })).toEqual([
      { model: 'gpt-4o', requests: 100, totalTokens: 1000, costUsd: 1, unpricedRequests: 0 },
      { model: 'gpt-4o-mini', requests: 100, totalTokens: 1000, costUsd: 1, unpricedRequests: 0 },
    ]);

    // Refused requests write nothing per model.
    const refusedStart = totalChanges();
    for (let i = 0; i < 50; i++) {
      writes.enqueueInsert({ ...newUsageRecord('POST', '/v1/chat/completions', at), subkeyId: 'a', model: 'gpt-4o', status: 429, refusal: 'budget_exceeded' });
    }
    writes.flush();
    expect(totalChanges() - refusedStart).toBe(50 + 1);
  });

  it('is rekeyed with usage_daily when the time zone changes, and rows in flight land on their new local day', () => {
    writeSetting(db, 'budgets.timeZone', 'America/New_York');
    const writes = new WriteBatcher(db);
    // A row days before the rest: the log's first (possibly pruned) day keeps its zone, and is left out of the window.
    writes.enqueueInsert({ ...newUsageRecord('POST', '/v1/x', NOW - 8 * DAY), subkeyId: 'a', model: 'gpt-4o', status: 200, totalTokens: 1, costUsd: 1 });
    const records = mixedRecords(300, 11).map((record) => ({ ...record, at: NOW - Math.floor((record.at % DAY) * 3) }));
    for (const record of records) writes.enqueueInsert(record);
    writes.flush();
    expectSameAsScan(5);

    writeSetting(db, 'budgets.timeZone', 'Asia/Kolkata');
    writes.flush();
    expectSameAsScan(5);
    for (const record of records.filter((r) => r.status === null && r.method !== 'WS')) {
      Object.assign(record, { status: 200, costUsd: 0.5 });
      writes.enqueueComplete(record);
    }
    writes.flush();
    expectSameAsScan(5);
  });

  it('keeps the totals of pruned rows, like usage_daily', () => {
    const writes = new WriteBatcher(db);
    for (const record of mixedRecords(400, 5)) writes.enqueueInsert({ ...record, status: record.status ?? 200 });
    writes.flush();
    const before = modelUsage(db, { days: 30, now: NOW });
    expect(pruneUsageStep(db, NOW - 5 * DAY, 0, 10_000).deleted).toBeGreaterThan(0);
    expect(modelUsage(db, { days: 30, now: NOW })).toEqual(before);
    // The log no longer holds them: the scan now says less, the roll-up does not.
    expect(modelUsageScan(db, { days: 30, now: NOW })).not.toEqual(before);
    // The days still in the log agree with it.
    expectSameAsScan(4);
  });

  it('stops counting a WebSocket connection left open by a crash, and keeps interrupted requests charged', () => {
    const writes = new WriteBatcher(db);
    const at = NOW - 3600_000;
    writes.enqueueInsert({ ...newUsageRecord('WS', '/v1/realtime', at), subkeyId: 'a', model: 'gpt-realtime' });
    writes.enqueueInsert({ ...newUsageRecord('POST', '/v1/chat/completions', at), subkeyId: 'a', model: 'gpt-4o' });
    writes.flush();
    expect(modelUsage(db, { days: 1, now: NOW }).map((row) => row.model).sort()).toEqual(['gpt-4o', 'gpt-realtime']);
    markInterruptedUsage(db);
    expect(modelUsage(db, { days: 1, now: NOW })).toEqual([{ model: 'gpt-4o', requests: 1, totalTokens: 0, costUsd: 0, unpricedRequests: 1 }]);
    expectSameAsScan(1);
  });

  it('is filled from the retained log when the store is migrated', () => {
    const file = join(dir, 'old.db');
    const old = new BetterSqlite3(file);
    old.pragma('foreign_keys = ON');
    const before = migrations.findIndex((step) => step.name === 'rollUpDailyCostPerModel');
    expect(before).toBeGreaterThan(0);
    for (const step of migrations.slice(0, before)) step(old);
    old.pragma(`user_version = ${before}`);
    seedKeys(old);
    // The roll-up was keyed in Tokyo's days: the new table follows the same days.
    old.prepare("INSERT INTO settings (key, value) VALUES ('usage.dailyTimeZone', '\"Asia/Tokyo\"')").run();
    const insert = old.prepare('INSERT INTO usage (subkey_id, at, method, path, model, status, total_tokens, refusal, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    old.transaction(() => {
      for (const r of mixedRecords(500, 9)) insert.run(r.subkeyId, r.at, r.method, r.path, r.model, r.status, r.totalTokens, r.refusal, r.costUsd);
    })();
    old.close();
    db.close();
    db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM usage_daily_models').pluck().get()).toBeGreaterThan(0);
    expectSameAsScan();
  });
});
