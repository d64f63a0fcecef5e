import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSubkeySecret } from '../../electron/core/secrets/subkey-secret';
import { createSubkeysService } from '../../electron/core/services/subkeys';
import type { IssuedSubkey, Subkey, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';

let fx: CoreFixture;
let upstream: Upstream;
const future = () => new Date(Date.now() + 86_400_000).toISOString();

beforeEach(async () => {
  fx = startCore();
  upstream = await fx.call<Upstream>('upstreams:add', { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-upstream-123456789' });
});
afterEach(() => fx.close());

function subkeyCount(): number {
  return fx.core.db.prepare('SELECT count(*) FROM subkeys').pluck().get() as number;
}

describe('subkeys:create', () => {
  it('answers the secret once and stores only its SHA-256', async () => {
    const issued = await fx.call<IssuedSubkey>('subkeys:create', {
      name: 'ci',
      upstreamId: upstream.id,
      remainingRequests: 10,
      expiresAt: '2099-01-01T00:00:00+02:00',
      allowModels: ['gpt-4o*', 'gpt-4o*'],
      denyModels: ['gpt-4o-audio*'],
    });
    expect(issued.secret).toMatch(/^sk-kg-[0-9A-Za-z]{40}$/);
    expect(issued.subkey).toMatchObject({
      name: 'ci',
      upstreamId: upstream.id,
      hint: `sk-kg-…${issued.secret.slice(-4)}`,
      expiresAt: '2098-12-31T22:00:00.000Z',
      remainingRequests: 10,
      allowModels: ['gpt-4o*'],
      denyModels: ['gpt-4o-audio*'],
      enabled: true,
      status: 'active',
      lastUsedAt: null,
    });
    const stored = fx.core.db.prepare('SELECT secret_hash FROM subkeys').pluck().get();
    expect(stored).toBe(hashSubkeySecret(issued.secret));
    expect(fx.storeBytes().includes(Buffer.from(issued.secret))).toBe(false);
    const listed = await fx.call<Subkey[]>('subkeys:list');
    expect(listed).toEqual([issued.subkey]);
    expect(JSON.stringify(listed)).not.toContain(issued.secret);
  });

  it('defaults to no expiry, unlimited requests and every model', async () => {
    const { subkey } = await fx.call<IssuedSubkey>('subkeys:create', { name: 'open', upstreamId: upstream.id });
    expect(subkey).toMatchObject({ expiresAt: null, remainingRequests: null, allowModels: [], denyModels: [], status: 'active' });
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['a negative quota', { remainingRequests: -1 }, 'remainingRequests'],
    ['a non-integer quota', { remainingRequests: 1.5 }, 'remainingRequests'],
    ['a quota given as text', { remainingRequests: '10' }, 'remainingRequests'],
    ['an unknown upstream', { upstreamId: 'no-such-upstream' }, 'upstreamId'],
    ['an expiry in the past', { expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry that is not a date', { expiresAt: 'next tuesday' }, 'expiresAt'],
    ['an expiry without a time zone', { expiresAt: '2099-01-01T00:00:00' }, 'expiresAt'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a model pattern with spaces', { allowModels: ['gpt 4'] }, 'allowModels'],
  ];
  it.each(invalid)('refuses %s with a field-level message and stores nothing', async (_label, change, field) => {
    const result = await fx.core.dispatch('subkeys:create', { name: 'k', upstreamId: upstream.id, ...change });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.issues?.[0]?.path[0]).toBe(field);
    expect(result.error.issues?.[0]?.message.length).toBeGreaterThan(3);
    expect(subkeyCount()).toBe(0);
  });
});

describe('subkeys:update', () => {
  it('changes only the given fields; null clears expiry and quota', async () => {
    const { subkey } = await fx.call<IssuedSubkey>('subkeys:create', {
      name: 'k',
      upstreamId: upstream.id,
      remainingRequests: 5,
      expiresAt: future(),
      allowModels: ['gpt-4o'],
    });
    const renamed = await fx.call<Subkey>('subkeys:update', { id: subkey.id, name: 'renamed' });
    expect(renamed).toEqual({ ...subkey, name: 'renamed' });
    const cleared = await fx.call<Subkey>('subkeys:update', { id: subkey.id, expiresAt: null, remainingRequests: null });
    expect(cleared).toMatchObject({ name: 'renamed', expiresAt: null, remainingRequests: null, allowModels: ['gpt-4o'] });
    const topped = await fx.call<Subkey>('subkeys:update', { id: subkey.id, remainingRequests: 42, denyModels: ['o1*'] });
    expect(topped).toMatchObject({ remainingRequests: 42, denyModels: ['o1*'], allowModels: ['gpt-4o'] });
  });

  it('derives the status: disabled, exhausted, expired, active again', async () => {
    const { subkey } = await fx.call<IssuedSubkey>('subkeys:create', { name: 'k', upstreamId: upstream.id, remainingRequests: 3 });
    expect((await fx.call<Subkey>('subkeys:update', { id: subkey.id, enabled: false })).status).toBe('disabled');
    expect((await fx.call<Subkey>('subkeys:update', { id: subkey.id, enabled: true, remainingRequests: 0 })).status).toBe('exhausted');
    fx.core.db.prepare('UPDATE subkeys SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, subkey.id);
    expect((await fx.call<Subkey[]>('subkeys:list'))[0]!.status).toBe('expired');
    expect((await fx.call<Subkey>('subkeys:update', { id: subkey.id, expiresAt: future(), remainingRequests: 1 })).status).toBe('active');
  });

  it('refuses bad values and leaves the sub-key as it was', async () => {
    const { subkey } = await fx.call<IssuedSubkey>('subkeys:create', { name: 'k', upstreamId: upstream.id, remainingRequests: 3 });
    for (const change of [{ remainingRequests: -5 }, { remainingRequests: 2.5 }, { expiresAt: '1999-01-01T00:00:00Z' }, { name: '' }, { enabled: 'yes' }]) {
      const result = await fx.core.dispatch('subkeys:update', { id: subkey.id, name: 'changed', ...change });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(await fx.call<Subkey[]>('subkeys:list')).toEqual([subkey]);
  });

  it('answers NOT_FOUND for an unknown id', async () => {
    for (const channel of ['subkeys:update', 'subkeys:rotate', 'subkeys:remove'] as const) {
      expect(await fx.core.dispatch(channel, { id: 'missing' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });
});

describe('subkeys:rotate and subkeys:remove', () => {
  it('rotation issues a new secret, replaces the hash and keeps the settings', async () => {
    const issued = await fx.call<IssuedSubkey>('subkeys:create', { name: 'k', upstreamId: upstream.id, remainingRequests: 7 });
    const rotated = await fx.call<IssuedSubkey>('subkeys:rotate', { id: issued.subkey.id });
    expect(rotated.secret).not.toBe(issued.secret);
    expect(rotated.subkey).toEqual({ ...issued.subkey, hint: `sk-kg-…${rotated.secret.slice(-4)}` });
    const hashes = fx.core.db.prepare('SELECT secret_hash FROM subkeys').pluck().all();
    expect(hashes).toEqual([hashSubkeySecret(rotated.secret)]);
  });

  it('removal keeps usage history with no sub-key', async () => {
    const { subkey } = await fx.call<IssuedSubkey>('subkeys:create', { name: 'k', upstreamId: upstream.id });
    fx.core.db
      .prepare("INSERT INTO usage (subkey_id, at, method, path, status) VALUES (?, ?, 'POST', '/v1/chat/completions', 200)")
      .run(subkey.id, Date.now());
    expect(await fx.call('subkeys:remove', { id: subkey.id })).toEqual({ id: subkey.id });
    expect(await fx.call('subkeys:list')).toEqual([]);
    const usage = await fx.call<{ subkeyId: string | null }[]>('usage:list', {});
    expect(usage).toHaveLength(1);
    expect(usage[0]!.subkeyId).toBeNull();
  });
});

describe('write hooks', () => {
  it('flushes before and invalidates after every write, naming the sub-key', async () => {
    const calls: string[] = [];
    const service = createSubkeysService({
      db: fx.core.db,
      hooks: {
        beforeWrite: () => calls.push('flush'),
        afterWrite: (id, options) => calls.push(`invalidate:${id}${options?.quotaReset ? ':quota-reset' : ''}`),
      },
    });
    const { subkey } = service.create({ name: 'k', upstreamId: upstream.id });
    service.update({ id: subkey.id, remainingRequests: 1 });
    service.update({ id: subkey.id, name: 'renamed' });
    service.rotate({ id: subkey.id });
    service.remove({ id: subkey.id });
    const id = subkey.id;
    expect(calls).toEqual([
      'flush',
      `invalidate:${id}`,
      'flush',
      `invalidate:${id}:quota-reset`,
      'flush',
      `invalidate:${id}`,
      'flush',
      `invalidate:${id}`,
      'flush',
      `invalidate:${id}`,
    ]);
  });
});

describe('subkeys:list pages', () => {
  it('answers every sub-key without limit or cursor, and the same ones page by page with them', async () => {
    for (let i = 0; i < 7; i++) await fx.call<IssuedSubkey>('subkeys:create', { name: `k${i}`, upstreamId: upstream.id });
    const all = await fx.call<Subkey[]>('subkeys:list', {});
    expect(all.map((subkey) => subkey.name).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    const pages: Subkey[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await fx.call<Subkey[]>('subkeys:list', { limit: 3, ...(cursor !== undefined && { cursor }) });
      pages.push(page);
      if (page.length < 3) break;
      cursor = page.at(-1)!.id;
    }
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(all);
  });

  it('refuses a cursor naming a removed sub-key, and a bad limit', async () => {
    const issued = await fx.call<IssuedSubkey>('subkeys:create', { name: 'gone', upstreamId: upstream.id });
    await fx.call('subkeys:remove', { id: issued.subkey.id });
    expect(await fx.core.dispatch('subkeys:list', { cursor: issued.subkey.id })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: ['cursor'] }] },
    });
    expect(await fx.core.dispatch('subkeys:list', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
