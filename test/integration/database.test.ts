import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchFiles } from '../../electron/core/proxy/batch-files';
import { DatabaseTooNewError, openDatabase, PAGE_CACHE_KIB } from '../../electron/core/store/database';
import { LATEST_VERSION } from '../../electron/core/store/migrations';
import { listSubkeys } from '../../electron/core/store/subkeys-repo';
import { listUpstreams } from '../../electron/core/store/upstreams-repo';
import { unrestrictedPermissions } from '../../electron/shared/permissions';
import { migrateUpTo } from '../helpers/migrate-up-to';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the file, migrates to the latest version and sets the pragmas', () => {
    const db = openDatabase(join(dir, 'nested', 'keygate.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // A bounded page cache (4 MB), not better-sqlite3's 16 MB, which a busy proxy fills: most of the store's RSS.
    const raw = new BetterSqlite3(':memory:');
    expect(raw.pragma('cache_size', { simple: true })).toBe(-16000);
    raw.close();
    expect(db.pragma('cache_size', { simple: true })).toBe(PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBe(-4000);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['batch_files', 'custom_prices', 'in_flight', 'late_settlements', 'models', 'objects', 'price_data', 'refusal_counts', 'settings', 'spend', 'subkeys', 'threshold_alerts', 'upstreams', 'usage', 'usage_daily', 'usage_daily_models']);
    db.close();
  });

  it('reopens an existing database without migrating again, keeping its rows', () => {
    const file = join(dir, 'keygate.db');
    const first = openDatabase(file);
    first.prepare("INSERT INTO settings (key, value) VALUES ('k', '1')").run();
    first.close();
    const second = openDatabase(file);
    expect(second.prepare("SELECT value FROM settings WHERE key = 'k'").pluck().get()).toBe('1');
    second.close();
  });

  it('refuses a database written by a newer Keygate and leaves it untouched', () => {
    const file = join(dir, 'keygate.db');
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    const check = new BetterSqlite3(file);
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1);
    expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
    check.close();
  });

  it('keeps existing upstreams forwarding only documented endpoints after the pass-through column is added', () => {
    const file = join(dir, 'keygate.db');
    const raw = new BetterSqlite3(file);
    migrateUpTo(raw, 'addPassThroughUnknownEndpoints');
    raw.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'n', 'https://a.example', x'00', 'h', 0)").run();
    raw.close();
    const db = openDatabase(file);
    expect(listUpstreams(db).map((upstream) => upstream.passThroughUnknownEndpoints)).toEqual([false]);
    expect(() => db.prepare("UPDATE upstreams SET pass_through_unknown_endpoints = 2 WHERE id = 'u'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('gives sub-keys issued before permissions existed every endpoint, but no minting and no shared objects', () => {
    const file = join(dir, 'keygate.db');
    const raw = new BetterSqlite3(file);
    migrateUpTo(raw, 'addSubkeyPermissionsAndObjectOwnership');
    raw.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'n', 'https://a.example', x'00', 'h', 0)").run();
    raw.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('s', 'old', 'u', 'h', 'x', 0)").run();
    raw.close();
    const db = openDatabase(file);
    expect(listSubkeys(db).map((subkey) => subkey.permissions)).toEqual([unrestrictedPermissions()]);
    expect(unrestrictedPermissions()).toMatchObject({ mode: 'all', mintCredentials: false, shareProjectObjects: false });
    db.close();
  });

  it('keeps batch input files read before estimates existed, without one (a budgeted key cannot make a batch of them)', () => {
    const file = join(dir, 'keygate.db');
    const raw = new BetterSqlite3(file);
    migrateUpTo(raw, 'addBatchFileEstimates');
    raw.prepare(`INSERT INTO batch_files (file_id, subkey_id, line_count, models, endpoints, readable) VALUES ('file-old', 's', 3, '["gpt-4o"]', '["/v1/chat/completions"]', 1)`).run();
    raw.close();
    const db = openDatabase(file);
    expect(new BatchFiles(db).get('file-old')).toEqual({
      subkeyId: 's',
      summary: { lines: 3, models: ['gpt-4o'], endpoints: ['/v1/chat/completions'], readable: true, estimate: null },
    });
    db.close();
  });

  it('keeps the ownership of objects when their sub-key is removed', () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'n', 'https://a.example', x'00', 'h', 0)").run();
    db.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('s', 'n', 'u', 'h', 'x', 0)").run();
    db.prepare("INSERT INTO objects (id, subkey_id, kind, created_at) VALUES ('file-1', 's', 'file', 0)").run();
    db.prepare("DELETE FROM subkeys WHERE id = 's'").run();
    expect(db.prepare("SELECT subkey_id FROM objects WHERE id = 'file-1'").pluck().get()).toBe('s');
    db.close();
  });

  it('enforces foreign keys', () => {
    const db = openDatabase(join(dir, 'keygate.db'));
    expect(() =>
      db
        .prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('s', 'n', 'missing', 'h', 'x', 0)")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
