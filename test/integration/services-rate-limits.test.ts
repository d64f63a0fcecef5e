import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database';
import { listSubkeys } from '../../electron/core/store/subkeys-repo';
import type { IssuedSubkey, Subkey, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { migrateUpTo } from '../helpers/migrate-up-to';

const NONE = { requestsPerMinute: null, tokensPerMinute: null, maxConcurrent: null };

describe('rate limits on sub-keys', () => {
  let fx: CoreFixture;
  let upstream: Upstream;

  beforeEach(async () => {
    fx = startCore();
    upstream = await fx.call<Upstream>('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
  });
  afterEach(() => fx.close());

  it('takes rate limits on create, keeps fields left out on update, lifts one with null, and lists them', async () => {
    const plain = await fx.call<IssuedSubkey>('subkeys:create', { name: 'plain', upstreamId: upstream.id });
    expect(plain.subkey.rateLimits).toEqual(NONE);

    const issued = await fx.call<IssuedSubkey>('subkeys:create', { name: 'ci', upstreamId: upstream.id, rateLimits: { requestsPerMinute: 60, maxConcurrent: 2 } });
    expect(issued.subkey.rateLimits).toEqual({ requestsPerMinute: 60, tokensPerMinute: null, maxConcurrent: 2 });

    const updated = await fx.call<Subkey>('subkeys:update', { id: issued.subkey.id, rateLimits: { tokensPerMinute: 40_000, maxConcurrent: null } });
    expect(updated.rateLimits).toEqual({ requestsPerMinute: 60, tokensPerMinute: 40_000, maxConcurrent: null });
    const renamed = await fx.call<Subkey>('subkeys:update', { id: issued.subkey.id, name: 'renamed' });
    expect(renamed.rateLimits).toEqual(updated.rateLimits);

    const listed = await fx.call<Subkey[]>('subkeys:list');
    expect(listed.map((key) => [key.name, key.rateLimits])).toEqual([
      ['plain', NONE],
      ['renamed', { requestsPerMinute: 60, tokensPerMinute: 40_000, maxConcurrent: null }],
    ]);
  });

  it('refuses zero, fractions, huge values and unknown fields as field errors, and writes nothing', async () => {
    const result = await fx.core.dispatch('subkeys:create', {
      name: 'ci',
      upstreamId: upstream.id,
      rateLimits: { requestsPerMinute: 0, tokensPerMinute: 1.5, maxConcurrent: 1e9 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      { path: ['rateLimits', 'requestsPerMinute'], message: 'Requests per minute must be at least 1' },
      { path: ['rateLimits', 'tokensPerMinute'], message: 'Tokens per minute must be a whole number' },
      { path: ['rateLimits', 'maxConcurrent'], message: 'Concurrent requests must be at most 10,000' },
    ]);
    const unknown = await fx.core.dispatch('subkeys:create', { name: 'ci', upstreamId: upstream.id, rateLimits: { perHour: 5 } });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.issues?.[0]?.path).toEqual(['rateLimits']);
    expect(fx.core.db.prepare('SELECT count(*) FROM subkeys').pluck().get()).toBe(0);
  });

  it('leaves a key unchanged when an update carries a bad rate limit', async () => {
    const issued = await fx.call<IssuedSubkey>('subkeys:create', { name: 'ci', upstreamId: upstream.id, rateLimits: { requestsPerMinute: 10 } });
    const result = await fx.core.dispatch('subkeys:update', { id: issued.subkey.id, name: 'other', rateLimits: { requestsPerMinute: -1 } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues).toEqual([{ path: ['rateLimits', 'requestsPerMinute'], message: 'Requests per minute must be at least 1' }]);
    const [key] = await fx.call<Subkey[]>('subkeys:list');
    expect(key).toMatchObject({ name: 'ci', rateLimits: { requestsPerMinute: 10, tokensPerMinute: null, maxConcurrent: null } });
  });
});

describe('the rate-limit migration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every existing sub-key no rate limits', () => {
    const file = join(dir, 'keygate.db');
    const raw = new BetterSqlite3(file);
    migrateUpTo(raw, 'addRateLimits');
    raw.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('u', 'n', 'https://a.example', x'00', 'h', 0)").run();
    raw.prepare("INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at) VALUES ('s', 'old', 'u', 'h', 'x', 0)").run();
    raw.close();
    const db = openDatabase(file);
    expect(listSubkeys(db).map((key) => key.rateLimits)).toEqual([NONE]);
    db.close();
  });
});
