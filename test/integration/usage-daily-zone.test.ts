import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUsageRecord, type UsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { readRollupZone } from '../../electron/core/store/local-day';
import { writeSetting } from '../../electron/core/store/settings-repo';
import { dailyUsage, dailyUsageScan } from '../../electron/core/store/usage-repo';

let dir: string;
let db: Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-zone-'));
  db = openDatabase(join(dir, 'keygate.db'));
  db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'u', 'https://u', x'00', 'h', 0)").run();
  db.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('k', 'bot', 'u', 'hash', 'h', 0)").run();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function answered(at: string, costUsd: number | null, status: number | null = 200): UsageRecord {
  return { ...newUsageRecord('POST', '/v1/chat/completions', Date.parse(at)), subkeyId: 'k', model: 'gpt-4o-mini', status, totalTokens: 10, costUsd };
}

const summary = (now: string, days: number) =>
  dailyUsage(db, { days, now: Date.parse(now) }).map(({ day, requests, totalTokens, costUsd, unpricedRequests }) => ({ day, requests, totalTokens, costUsd, unpricedRequests }));

describe('usage:daily counts local days in the settings\' time zone', () => {
  it('splits days at local midnight across a daylight-saving change, with cost summed and unpriced requests counted apart', () => {
    writeSetting(db, 'budgets.timeZone', 'America/New_York');
    const writes = new WriteBatcher(db);
    // New York springs forward on Sunday 8 March 2026 (02:00 EST → 03:00 EDT): that day is 23 hours long.
    for (const record of [
      answered('2026-03-08T04:30:00Z', 0.1), // 23:30 EST, Saturday 7 March
      answered('2026-03-08T05:30:00Z', 0.2), // 00:30 EST, Sunday 8 March
      answered('2026-03-09T03:30:00Z', null), // 23:30 EDT, still Sunday 8 March
      answered('2026-03-09T04:30:00Z', 0.4), // 00:30 EDT, Monday 9 March
    ]) writes.enqueueInsert(record);
    writes.flush();
    expect(readRollupZone(db)).toBe('America/New_York');
    expect(summary('2026-03-09T12:00:00Z', 3)).toEqual([
      { day: '2026-03-07', requests: 1, totalTokens: 10, costUsd: 0.1, unpricedRequests: 0 },
      { day: '2026-03-08', requests: 2, totalTokens: 20, costUsd: 0.2, unpricedRequests: 1 },
      { day: '2026-03-09', requests: 1, totalTokens: 10, costUsd: 0.4, unpricedRequests: 0 },
    ]);
    // "Today" is the local day too: at 02:00 UTC on 10 March it is still 9 March in New York.
    expect(summary('2026-03-10T02:00:00Z', 1).map((day) => day.day)).toEqual(['2026-03-09']);
    expect(summary('2026-03-09T12:00:00Z', 3)).toEqual(
      dailyUsageScan(db, { days: 3, now: Date.parse('2026-03-09T12:00:00Z') }).map(({ day, requests, totalTokens, costUsd, unpricedRequests }) => ({ day, requests, totalTokens, costUsd, unpricedRequests })),
    );
  });

  it('rekeys the retained log when the zone changes, keeps the first (possibly pruned) day as counted, and moves rows in flight', () => {
    writeSetting(db, 'budgets.timeZone', 'America/New_York');
    const writes = new WriteBatcher(db);
    const inFlight = answered('2026-03-09T20:00:00Z', null, null); // 16:00 in New York on 9 March; 01:30 in Kolkata on 10 March
    for (const record of [
      answered('2026-03-08T04:30:00Z', 0.1),
      answered('2026-03-08T05:30:00Z', 0.2),
      answered('2026-03-09T03:30:00Z', 0.3),
      answered('2026-03-09T04:30:00Z', 0.4),
      inFlight,
    ]) writes.enqueueInsert(record);
    writes.flush();

    writeSetting(db, 'budgets.timeZone', 'Asia/Kolkata');
    writes.flush();
    expect(readRollupZone(db)).toBe('Asia/Kolkata');
    // The log's first New York day (7 March) may have lost rows to retention: it keeps its count. From 8 March 00:00
    // in New York on, rows are counted in Kolkata's days (UTC+5:30).
    expect(summary('2026-03-10T12:00:00Z', 4)).toEqual([
      { day: '2026-03-07', requests: 1, totalTokens: 10, costUsd: 0.1, unpricedRequests: 0 },
      { day: '2026-03-08', requests: 1, totalTokens: 10, costUsd: 0.2, unpricedRequests: 0 },
      { day: '2026-03-09', requests: 2, totalTokens: 20, costUsd: 0.7, unpricedRequests: 0 },
      { day: '2026-03-10', requests: 1, totalTokens: 10, costUsd: 0, unpricedRequests: 1 },
    ]);

    // The request in flight at the change finishes: its cost lands on its Kolkata day, nothing is left on the old one.
    Object.assign(inFlight, { status: 200, costUsd: 0.5, totalTokens: 30 });
    writes.enqueueComplete(inFlight);
    writes.flush();
    expect(summary('2026-03-10T12:00:00Z', 2)).toEqual([
      { day: '2026-03-09', requests: 2, totalTokens: 20, costUsd: 0.7, unpricedRequests: 0 },
      { day: '2026-03-10', requests: 1, totalTokens: 30, costUsd: 0.5, unpricedRequests: 0 },
    ]);

    // A restart does not count the log again: the roll-up says which zone it is keyed in.
    const restarted = new WriteBatcher(db);
    restarted.flush();
    expect(summary('2026-03-10T12:00:00Z', 4)).toHaveLength(4);
    expect(summary('2026-03-10T12:00:00Z', 4)[0]).toEqual({ day: '2026-03-07', requests: 1, totalTokens: 10, costUsd: 0.1, unpricedRequests: 0 });
  });

  it('moves a store whose roll-up was kept in UTC days to the settings\' zone at the first flush', () => {
    db.prepare("INSERT INTO usage (subkey_id, at, method, path, status, total_tokens, cost_usd) VALUES ('k', ?, 'POST', '/v1/x', 200, 5, 0.25)").run(Date.parse('2026-03-01T23:30:00Z'));
    db.prepare("INSERT INTO usage (subkey_id, at, method, path, status, total_tokens, cost_usd) VALUES ('k', ?, 'POST', '/v1/x', 200, 5, 0.25)").run(Date.parse('2026-03-02T23:30:00Z'));
    db.prepare("INSERT INTO usage_daily (day, subkey_id, subkey_name, rows, requests, interrupted, refused, total_tokens, cost_usd, unpriced) VALUES (?, 'k', '', 1, 1, 0, 0, 5, 0.25, 0), (?, 'k', '', 1, 1, 0, 0, 5, 0.25, 0)").run(
      Date.UTC(2026, 2, 1),
      Date.UTC(2026, 2, 2),
    );
    expect(readRollupZone(db)).toBe('UTC');
    writeSetting(db, 'budgets.timeZone', 'Asia/Tokyo');
    new WriteBatcher(db).flush();
    // 23:30 UTC on 2 March is 08:30 on 3 March in Tokyo; the log's first day stays as counted.
    expect(summary('2026-03-03T12:00:00Z', 3).map(({ day, requests }) => ({ day, requests }))).toEqual([
      { day: '2026-03-01', requests: 1 },
      { day: '2026-03-03', requests: 1 },
    ]);
  });
});
