import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../electron/core/app-core';
import { newUsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { LATEST_VERSION, migrations } from '../../electron/core/store/migrations';
import type { IssuedSubkey, ProxyStatus, StorageInfo, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

const DAY = 86_400_000;
let fx: CoreFixture;
let key: string;

function logRequest(at: number): void {
  const record = { ...newUsageRecord('POST', '/v1/chat/completions', at), subkeyId: key, status: 200, latencyMs: 1 };
  const writes = new WriteBatcher(fx.core.db);
  writes.enqueueInsert(record);
  writes.flush();
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(async () => {
  fx = startCore();
  const upstream = await fx.call<Upstream>('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
  key = (await fx.call<IssuedSubkey>('subkeys:create', { name: 'a', upstreamId: upstream.id })).subkey.id;
});
afterEach(() => fx.close());

describe('usage retention setting (proxy:configure)', () => {
  it('keeps 90 days by default, saves a new number of days, and refuses a bad one on its field, saving nothing', async () => {
    expect((await fx.call<ProxyStatus>('proxy:status')).usageRetentionDays).toBe(90);
    for (const [value, message] of [
      [0, 'Keep request rows at least 1 day'],
      [3651, 'Keep request rows at most 3,650 days'],
      [2.5, 'Retention must be a whole number of days'],
      ['30', 'Retention must be a number of days'],
    ] as const) {
      const result = await fx.core.dispatch('proxy:configure', { usageRetentionDays: value, autoStart: false });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', issues: [{ path: ['usageRetentionDays'], message }] } });
    }
    expect(await fx.call<ProxyStatus>('proxy:status')).toMatchObject({ usageRetentionDays: 90, autoStart: true });
    expect(await fx.call<ProxyStatus>('proxy:configure', { usageRetentionDays: 30 })).toMatchObject({ usageRetentionDays: 30 });
    expect((await fx.call<ProxyStatus>('proxy:status')).usageRetentionDays).toBe(30);
  });

  it('prunes at once when the retention is shortened', async () => {
    const now = Date.now();
    logRequest(now - 60 * DAY);
    logRequest(now - 10 * DAY);
    logRequest(now);
    const rows = () => fx.core.db.prepare('SELECT count(*) FROM usage').pluck().get() as number;
    await fx.call('proxy:configure', { usageRetentionDays: 30 });
    await until(() => rows() === 2);
    await fx.call('proxy:configure', { usageRetentionDays: 5 });
    await until(() => rows() === 1);
    // The chart still counts the pruned days.
    expect((await fx.call<{ requests: number }[]>('usage:daily', { days: 90 })).reduce((sum, day) => sum + day.requests, 0)).toBe(3);
  });
});

describe('usage:storage', () => {
  it("answers the store's size on disk and the oldest request kept", async () => {
    const empty = await fx.call<StorageInfo>('usage:storage');
    expect(empty).toEqual({ sizeBytes: expect.any(Number), oldestRequestAt: null, shrinks: true });
    expect(empty.sizeBytes).toBeGreaterThan(0);
    const at = Date.now() - 3 * DAY;
    logRequest(at);
    logRequest(Date.now());
    expect((await fx.call<StorageInfo>('usage:storage')).oldestRequestAt).toBe(new Date(at).toISOString());
  });
});

describe('a store made before auto_vacuum', () => {
  it('is switched over with one VACUUM when the core starts, keeping its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-old-store-'));
    try {
      const old = new BetterSqlite3(join(dataDir, DATABASE_FILE));
      old.pragma('journal_mode = WAL');
      for (const step of migrations) step(old);
      old.pragma(`user_version = ${LATEST_VERSION}`);
      old.prepare("INSERT INTO usage (at, method, path, status) VALUES (1, 'POST', '/v1/x', 200)").run();
      expect(old.pragma('auto_vacuum', { simple: true })).toBe(0);
      old.close();
      const restarted = startCore({ dataDir });
      try {
        expect(restarted.logLines).toContain('The store now gives the space of pruned usage rows back to the disk.');
        expect((await restarted.call<StorageInfo>('usage:storage')).shrinks).toBe(true);
        expect(restarted.core.db.prepare('SELECT count(*) FROM usage').pluck().get()).toBe(1);
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
