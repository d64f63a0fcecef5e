import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverJournal, WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { newUsageRecord, type UsageRecord } from '../../electron/core/proxy/usage-record';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { deleteSubkey, deleteSubkeysOfUpstream } from '../../electron/core/store/subkeys-repo';
import { dailyUsage, dailyUsageScan, markInterruptedUsage } from '../../electron/core/store/usage-repo';
import { migrateUpTo } from '../helpers/migrate-up-to';

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

function seedKeys(db: Database, count: number, upstream = 'u'): string[] {
  db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES (?, ?, 'https://u', x'00', 'h', 0)").run(upstream, upstream);
  const ids = Array.from({ length: count }, (_, i) => `${upstream}-key-${i}`);
  const insert = db.prepare('INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES (?, ?, ?, ?, \'h\', 0)');
  // Two keys share a name: once deleted, their days are one group, as in the scan.
  for (const [i, id] of ids.entries()) insert.run(id, i === 1 ? `${upstream}-key-0` : id, upstream, `hash-${id}`);
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
    const keys = [...seedKeys(db, 5), ...seedKeys(db, 3, 'v')];
    const next = random(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const batcher = new WriteBatcher(db);
    const open: UsageRecord[] = [];
    const live = new Set(keys);
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 50; i++) {
        const socket = next() < 0.15;
        const record = newUsageRecord(socket ? 'WS' : 'POST', socket ? '/v1/realtime' : '/v1/chat/completions', NOW - Math.floor(next() * 20 * DAY));
        // Keys deleted by now are still named now and then: the insert falls back to no sub-key, as in flight.
        record.subkeyId = next() < 0.1 ? null : pick(keys);
        const kind = next();
        if (kind < 0.2) {
          // Refused before forwarding (a WebSocket upgrade too): final at once, never charged.
          record.status = 403;
          record.refusal = 'model_not_allowed';
          batcher.enqueueInsert(record);
        } else {
          const quota = record.subkeyId === null || !live.has(record.subkeyId) ? undefined : { subkeyId: record.subkeyId, delta: 0, at: record.at };
          batcher.enqueueInsert(record, quota);
          open.push(record);
        }
      }
      // Complete some of the open rows in this batch (their insert may ride in the same one): answered with or
      // without tokens, or refused after forwarding (the client left, upstream failed); a connection closes.
      for (let i = open.length - 1; i >= 0; i--) {
        if (next() < 0.4) continue;
        const record = open.splice(i, 1)[0]!;
        const outcome = next();
        if (record.method === 'WS') {
          record.status = 101;
          record.refusal = outcome < 0.7 ? 'ws_close_1000' : 'ws_close_1008';
        } else {
          record.status = outcome < 0.7 ? 200 : 499;
          record.refusal = outcome < 0.7 ? null : 'client_closed';
        }
        record.totalTokens = next() < 0.8 ? Math.floor(next() * 1000) : null;
        batcher.enqueueComplete(record);
      }
      batcher.flush();
      // Renamed, deleted with rows still in flight (they finish unattributed, under the name it had), and a whole
      // upstream's keys deleted at once.
      if (round === 10) db.prepare("UPDATE subkeys SET name = 'renamed' WHERE id = ?").run(keys[2]);
      if (round === 20) for (const id of [keys[0]!, keys[1]!]) { deleteSubkey(db, id); live.delete(id); }
      if (round === 40) { deleteSubkeysOfUpstream(db, 'v'); for (const id of keys.slice(5)) live.delete(id); }
    }
    expectSameAsScan(db, keys);
    // Requests reserved (journaled in flight) whose usage rows the process "dies" before writing: the next start
    // logs them from the journal, then marks them interrupted with the rest.
    const journaledOnly = [...live].slice(0, 3);
    for (const [index, subkeyId] of [...journaledOnly, null].entries()) {
      const record = newUsageRecord('POST', '/v1/chat/completions', NOW - index * DAY);
      record.subkeyId = subkeyId;
      record.model = 'gpt-4o-mini';
      batcher.enqueueInsert(record, subkeyId === null ? undefined : { subkeyId, delta: 0, at: record.at });
    }
    batcher.flushReservations();
    const journaled = (): number => db.prepare('SELECT count(*) FROM in_flight').pluck().get() as number;
    expect(journaled()).toBe(3);
    const logged = db.prepare('SELECT count(*) FROM usage').pluck().get() as number;
    expect(recoverJournal(db)).toBe(3);
    expect(journaled()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM usage').pluck().get()).toBe(logged + 3);
    expectSameAsScan(db, keys);
    // What is still open when the process "dies" is marked interrupted at the next start (a connection: closed 1006).
    expect(open.some((record) => record.method === 'WS')).toBe(true);
    expect(open.some((record) => record.method !== 'WS')).toBe(true);
    expect(markInterruptedUsage(db)).toBeGreaterThan(3);
    expectSameAsScan(db, keys);
    const days = dailyUsage(db, { days: 30, now: NOW });
    expect(days.some((day) => day.interrupted > 0)).toBe(true);
    expect(days.some((day) => day.refused > 0)).toBe(true);
    expect(days.some((day) => day.subkeyId === null && !day.subkeyDeleted)).toBe(true);
    expect(days.some((day) => day.subkeyDeleted && day.subkeyName === 'u-key-0')).toBe(true);
    expect(days.some((day) => day.subkeyDeleted && day.subkeyName === 'v-key-2')).toBe(true);
    expect(days.some((day) => day.subkeyName === 'renamed')).toBe(true);
    db.close();
  });

  it('keeps a day whose only row is a WebSocket connection, counted as neither a request nor a refusal', () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    const [key] = seedKeys(db, 1);
    const batcher = new WriteBatcher(db);
    const connection = { ...newUsageRecord('WS', '/v1/realtime', NOW), subkeyId: key! };
    batcher.enqueueInsert(connection, { subkeyId: key!, delta: 0, at: NOW });
    batcher.flush();
    expect(dailyUsage(db, { days: 1, now: NOW })).toMatchObject([{ requests: 1, refused: 0 }]);
    Object.assign(connection, { status: 101, refusal: 'ws_close_1000' });
    batcher.enqueueComplete(connection);
    batcher.flush();
    expect(dailyUsage(db, { days: 1, now: NOW })).toEqual([
      { day: '2031-03-15', subkeyId: key, subkeyName: key, subkeyDeleted: false, requests: 0, interrupted: 0, refused: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0 },
    ]);
    expectSameAsScan(db, [key!]);
    db.close();
  });

  it('is built from the rows already in the log when the store is migrated', () => {
    const file = join(dir, 'keygate.db');
    const old = new BetterSqlite3(file);
    old.pragma('foreign_keys = ON');
    // The store as it was just before the roll-up learned refusals and deleted keys' names (later migrations follow).
    migrateUpTo(old, 'rollUpRefusalsAndDeletedKeyNames');
    const keys = seedKeys(old, 3);
    const next = random(7);
    const insert = old.prepare('INSERT INTO usage (subkey_id, at, method, path, status, total_tokens, refusal) VALUES (?, ?, ?, ?, ?, ?, ?)');
    old.transaction(() => {
      for (let i = 0; i < 2000; i++) {
        const method = next() < 0.1 ? 'WS' : 'POST';
        const refusal = next() < 0.2 ? 'insufficient_quota' : next() < 0.1 ? 'interrupted' : method === 'WS' && next() < 0.5 ? 'ws_close_1000' : null;
        const status = refusal === 'interrupted' ? null : method === 'WS' ? 101 : 200;
        insert.run(next() < 0.1 ? null : keys[i % 3], NOW - Math.floor(next() * 10 * DAY), method, '/v1/x', status, next() < 0.5 ? i : null, refusal);
      }
    })();
    // A key deleted before the upgrade: its rows carry the name it had (as main's deleteSubkey leaves them).
    old.prepare('UPDATE usage SET subkey_name = (SELECT name FROM subkeys WHERE id = ?) WHERE subkey_id = ?').run(keys[2], keys[2]);
    old.prepare('DELETE FROM subkeys WHERE id = ?').run(keys[2]);
    old.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM usage_daily').pluck().get()).toBeGreaterThan(0);
    expectSameAsScan(db, keys);
    expect(dailyUsage(db, { days: 30, now: NOW }).some((day) => day.subkeyDeleted && day.subkeyName === keys[2])).toBe(true);
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
