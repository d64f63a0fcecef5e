import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { newUsageRecord, type UsageRecord } from '../../electron/core/proxy/usage-record';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { LATEST_VERSION, migrations } from '../../electron/core/store/migrations';
import { dailyUsage, dailyUsageScan, markInterruptedUsage } from '../../electron/core/store/usage-repo';

const DAY = 86_400_000;
const NOW = Date.UTC(2031, 2, 15, 12);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-rollup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function seedKeys(db: Database, count: number): string[] {
  db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'u', 'https://u', x'00', 'h', 0)").run();
  const ids = Array.from({ length: count }, (_, i) => `key-${i}`);
  const insert = db.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES (?, ?, 'u', ?, 'h', 0)");
  for (const id of ids) insert.run(id, id, `hash-${id}`);
  return ids;
}

function expectSameAsScan(db: Database, keys: readonly string[]): void {
  for (const days of [1, 2, 7, 30, 400]) {
    expect(dailyUsage(db, { days, now: NOW })).toEqual(dailyUsageScan(db, { days, now: NOW }));
    for (const subkeyId of keys) expect(dailyUsage(db, { days, subkeyId, now: NOW })).toEqual(dailyUsageScan(db, { days, subkeyId, now: NOW }));
  }
}

describe('usage_daily roll-up', () => {
  it('gives the same numbers as a scan of the log on random traffic through the write batcher', () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    const keys = seedKeys(db, 5);
    const next = random(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const batcher = new WriteBatcher(db);
    const open: UsageRecord[] = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50; i++) {
        const record = newUsageRecord('POST', '/v1/chat/completions', NOW - Math.floor(next() * 20 * DAY));
        record.subkeyId = next() < 0.1 ? null : pick(keys);
        const kind = next();
        if (kind < 0.2) {
          // Refused before forwarding: final at once, never charged.
          record.status = 403;
          record.refusal = 'model_not_allowed';
          batcher.enqueueInsert(record);
        } else {
          batcher.enqueueInsert(record, record.subkeyId === null ? undefined : { subkeyId: record.subkeyId, delta: 0, at: record.at });
          open.push(record);
        }
      }
      // Complete some of the open rows in this batch (their insert may ride in the same one): answered with or
      // without tokens, or refused after forwarding (the client left, upstream failed).
      for (let i = open.length - 1; i >= 0; i--) {
        if (next() < 0.4) continue;
        const record = open.splice(i, 1)[0]!;
        const outcome = next();
        record.status = outcome < 0.7 ? 200 : 499;
        record.refusal = outcome < 0.7 ? null : 'client_closed';
        record.totalTokens = next() < 0.8 ? Math.floor(next() * 1000) : null;
        batcher.enqueueComplete(record);
      }
      batcher.flush();
      if (round === 20) db.prepare('DELETE FROM subkeys WHERE id = ?').run(keys[0]);
    }
    expectSameAsScan(db, keys);
    // What is still open when the process "dies" is marked interrupted at the next start.
    expect(open.length).toBeGreaterThan(0);
    expect(markInterruptedUsage(db)).toBeGreaterThan(0);
    expectSameAsScan(db, keys);
    expect(dailyUsage(db, { days: 30, now: NOW }).some((day) => day.interrupted > 0)).toBe(true);
    expect(dailyUsage(db, { days: 30, now: NOW }).some((day) => day.subkeyId === null)).toBe(true);
    db.close();
  });

  it('is built from the rows already in the log when the store is migrated', () => {
    const file = join(dir, 'keygate.db');
    const old = new BetterSqlite3(file);
    for (const step of migrations.slice(0, LATEST_VERSION - 1)) step(old);
    old.pragma(`user_version = ${LATEST_VERSION - 1}`);
    const keys = seedKeys(old, 3);
    const next = random(7);
    const insert = old.prepare('INSERT INTO usage (subkey_id, at, method, path, status, total_tokens, refusal) VALUES (?, ?, ?, ?, ?, ?, ?)');
    old.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const refusal = next() < 0.2 ? 'insufficient_quota' : next() < 0.1 ? 'interrupted' : null;
        insert.run(next() < 0.1 ? null : keys[i % 3], NOW - Math.floor(next() * 10 * DAY), 'POST', '/v1/x', refusal === 'interrupted' ? null : 200, next() < 0.5 ? i : null, refusal);
      }
    })();
    old.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM usage_daily').pluck().get()).toBeGreaterThan(0);
    expectSameAsScan(db, keys);
    db.close();
  });

  it('answers from the roll-up and uses the indexes, not a scan of the log', () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('\n');
    expect(plan("UPDATE usage SET refusal = 'interrupted' WHERE status IS NULL AND refusal IS NULL")).toMatch(/USING INDEX usage_in_flight/);
    expect(plan("SELECT * FROM usage WHERE subkey_id = 'k' AND at >= 0")).toMatch(/USING INDEX usage_subkey_at/);
    db.close();
  });
});
