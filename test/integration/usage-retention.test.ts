import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUsageRecord, type UsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { createUsagePruner } from '../../electron/core/services/usage-pruner';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { LATEST_VERSION, migrations } from '../../electron/core/store/migrations';
import { writeSetting, SETTING_KEYS } from '../../electron/core/store/settings-repo';
import { dailyUsage } from '../../electron/core/store/usage-repo';
import { checkpointAndTruncate, shrinksIncrementally, switchToIncrementalVacuum } from '../../electron/core/store/usage-retention';

const DAY = 86_400_000;
/** The pinned clock: every "now" in these tests. */
const NOW = Date.UTC(2031, 5, 30, 12);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-retention-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function seedKey(db: Database): string {
  db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'u', 'https://u', x'00', 'h', 0)").run();
  db.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('k', 'laptop', 'u', 'hash', 'h', 0)").run();
  return 'k';
}

/** `perDay` finished requests a day over the last `days` days (oldest first, as the proxy writes them), with tokens. */
function logDays(db: Database, key: string, days: number, perDay: number): void {
  const batcher = new WriteBatcher(db);
  for (let day = days - 1; day >= 0; day--) {
    for (let i = 0; i < perDay; i++) {
      const record: UsageRecord = { ...newUsageRecord('POST', '/v1/chat/completions', NOW - day * DAY - (perDay - i) * 1000), subkeyId: key };
      Object.assign(record, { model: 'gpt-4o-mini', status: i % 10 === 0 ? 429 : 200, refusal: i % 10 === 0 ? 'insufficient_quota' : null, latencyMs: 3, totalTokens: 100 + i });
      batcher.enqueueInsert(record);
    }
    batcher.flush();
  }
}

const fileBytes = (db: Database) => {
  checkpointAndTruncate(db);
  return statSync(db.name).size;
};
const count = (db: Database, where = '1') => db.prepare(`SELECT count(*) FROM usage WHERE ${where}`).pluck().get() as number;

describe('usage retention', () => {
  it('prunes request rows past retention in steps of at most 1,000 between which requests run, keeps the daily totals, and the file shrinks', async () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    const key = seedKey(db);
    logDays(db, key, 200, 150);
    // A request still in flight from long ago (a WebSocket left open) is not the pruner's to delete.
    const open = { ...newUsageRecord('WS', '/v1/realtime', NOW - 150 * DAY), subkeyId: key };
    const batcher = new WriteBatcher(db);
    batcher.enqueueInsert(open, { subkeyId: key, delta: 0, at: open.at });
    batcher.flush();
    const cutoff = NOW - 90 * DAY;
    const past = count(db, `at < ${cutoff} AND status IS NOT NULL`);
    const kept = count(db, `at >= ${cutoff}`);
    expect(past).toBeGreaterThan(15_000);
    const totals = dailyUsage(db, { days: 366, now: NOW });
    expect(totals).toHaveLength(200);
    const before = fileBytes(db);

    // What the proxy's thread sees while the pass runs: the log shrinks by at most one step between two turns.
    const seen: number[] = [];
    let watching = true;
    const watch = () => {
      if (!watching) return;
      seen.push(count(db));
      setImmediate(watch);
    };
    setImmediate(watch);
    const result = await createUsagePruner({ db, now: () => NOW, pauseMs: 1 }).runNow();
    watching = false;

    expect(result.deleted).toBe(past);
    expect(result.steps).toBeGreaterThanOrEqual(Math.ceil(past / 1000));
    const drops = seen.slice(1).map((value, i) => seen[i]! - value);
    expect(Math.max(...drops)).toBeLessThanOrEqual(1000);
    expect(drops.filter((drop) => drop > 0).length).toBeGreaterThan(10);
    expect(count(db, `at < ${cutoff}`)).toBe(1);
    expect(db.prepare('SELECT method, status FROM usage WHERE at < ?').get(cutoff)).toEqual({ method: 'WS', status: null });
    expect(count(db, `at >= ${cutoff}`)).toBe(kept);
    // The daily totals of pruned days stay: the roll-up is kept for good.
    expect(dailyUsage(db, { days: 366, now: NOW })).toEqual(totals);
    expect(result.freedPages).toBeGreaterThan(0);
    const after = fileBytes(db);
    expect(after).toBeLessThan(before * 0.7);
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);

    // A second pass finds nothing past retention, reading a single step.
    expect(await createUsagePruner({ db, now: () => NOW }).runNow()).toEqual({ deleted: 0, steps: 1, freedPages: 0 });
    db.close();
  });

  it('follows the retention setting: a shorter one prunes more, later days stay', async () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    const key = seedKey(db);
    logDays(db, key, 40, 20);
    writeSetting(db, SETTING_KEYS.usageRetentionDays, 7);
    const pruner = createUsagePruner({ db, now: () => NOW, pauseMs: 0 });
    await pruner.runNow();
    expect(count(db, `at < ${NOW - 7 * DAY}`)).toBe(0);
    expect(count(db)).toBe(7 * 20);
    // The clock moves on a day: the next pass takes that day's rows.
    const later = createUsagePruner({ db, now: () => NOW + DAY, pauseMs: 0 });
    expect((await later.runNow()).deleted).toBe(20);
    db.close();
  });

  it('switches a store made before auto_vacuum over with one VACUUM when small, and leaves a big one to a later start', async () => {
    const make = (name: string) => {
      const old = new BetterSqlite3(join(dir, name));
      old.pragma('journal_mode = WAL');
      for (const step of migrations) step(old);
      old.pragma(`user_version = ${LATEST_VERSION}`);
      old.close();
      return openDatabase(join(dir, name));
    };
    const small = make('small.db');
    expect(shrinksIncrementally(small)).toBe(false);
    logDays(small, seedKey(small), 100, 50);
    expect(switchToIncrementalVacuum(small, 64 * 1024 * 1024)).toBe(true);
    expect(shrinksIncrementally(small)).toBe(true);
    expect(switchToIncrementalVacuum(small, 64 * 1024 * 1024)).toBe(false);

    const big = make('big.db');
    logDays(big, seedKey(big), 100, 50);
    expect(switchToIncrementalVacuum(big, 4096)).toBe(false);
    expect(shrinksIncrementally(big)).toBe(false);
    // Pruning still works there: the freed pages stay in the file for new rows (and the pass ends).
    const result = await createUsagePruner({ db: big, now: () => NOW, pauseMs: 0 }).runNow();
    expect(result.deleted).toBe(10 * 50);
    expect(result.freedPages).toBe(0);
    expect(big.pragma('freelist_count', { simple: true })).toBeGreaterThan(0);
    small.close();
    big.close();
  });

  it('stops at the next step when the core closes', async () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    logDays(db, seedKey(db), 100, 100);
    writeSetting(db, SETTING_KEYS.usageRetentionDays, 7);
    const pruner = createUsagePruner({ db, now: () => NOW, pauseMs: 5 });
    // The first step runs at once; the pass then waits for its pause, and stop() ends it there.
    const pass = pruner.runNow();
    await pruner.stop();
    expect((await pass).deleted).toBe(1000);
    expect(count(db)).toBe(100 * 100 - 1000);
    expect((await pruner.runNow()).deleted).toBe(0);
    db.close();
  });
});
