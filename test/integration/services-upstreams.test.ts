import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IssuedSubkey, ProxyStatus, Subkey, Upstream, UsageEntry } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

const REAL_KEY = 'sk-proj-UPSTREAMrealKEY0123456789abcdefWXYZ';
const NEW_KEY = 'sk-proj-SECONDrealKEY9876543210fedcbaQRST';

let fx: CoreFixture;
beforeEach(() => {
  fx = startCore();
});
afterEach(() => fx.close());

describe('upstreams service', () => {
  it('adds an upstream with a normalised base URL and a key hint, never the key', async () => {
    const added = await fx.call<Upstream>('upstreams:add', { name: ' OpenAI ', baseUrl: 'https://api.openai.com/v1/', apiKey: REAL_KEY });
    expect(added).toMatchObject({ name: 'OpenAI', baseUrl: 'https://api.openai.com', keyHint: 'sk-…WXYZ', lastSyncedAt: null });
    expect(Object.keys(added).sort()).toEqual(['baseUrl', 'createdAt', 'id', 'keyHint', 'lastSyncedAt', 'name', 'passThroughUnknownEndpoints']);
    expect(added.passThroughUnknownEndpoints).toBe(false);
    const listed = await fx.call<Upstream[]>('upstreams:list');
    expect(listed).toEqual([added]);
    expect(JSON.stringify(listed)).not.toContain(REAL_KEY);
  });

  it('keeps the key encrypted: not in plain text in the database file or its WAL, nor in any log line', async () => {
    const added = await fx.call<Upstream>('upstreams:add', { name: 'a', baseUrl: 'http://127.0.0.1:9', apiKey: REAL_KEY });
    await fx.call('upstreams:update', { id: added.id, apiKey: NEW_KEY });
    await fx.call('upstreams:test', { id: added.id });
    await fx.core.dispatch('models:sync', { upstreamId: added.id });
    const bytes = fx.storeBytes();
    expect(bytes.length).toBeGreaterThan(0);
    for (const key of [REAL_KEY, NEW_KEY]) {
      expect(bytes.includes(Buffer.from(key))).toBe(false);
      expect(bytes.includes(Buffer.from(key, 'utf16le'))).toBe(false);
      expect(fx.logLines.join('\n')).not.toContain(key);
    }
    const row = fx.core.db.prepare('SELECT key_ciphertext FROM upstreams').get() as { key_ciphertext: Buffer };
    expect(row.key_ciphertext.subarray(0, 4).toString()).toBe('kgA1');
  });

  it('updates only the given fields and re-seals a new key', async () => {
    const added = await fx.call<Upstream>('upstreams:add', { name: 'a', baseUrl: 'https://a.example', apiKey: REAL_KEY });
    const before = fx.core.db.prepare('SELECT key_ciphertext FROM upstreams').pluck().get() as Buffer;
    const renamed = await fx.call<Upstream>('upstreams:update', { id: added.id, name: 'b' });
    expect(renamed).toEqual({ ...added, name: 'b' });
    expect((fx.core.db.prepare('SELECT key_ciphertext FROM upstreams').pluck().get() as Buffer).equals(before)).toBe(true);
    const rekeyed = await fx.call<Upstream>('upstreams:update', { id: added.id, apiKey: NEW_KEY });
    expect(rekeyed.keyHint).toBe('sk-…QRST');
    const after = fx.core.db.prepare('SELECT key_ciphertext FROM upstreams').pluck().get() as Buffer;
    expect(after.equals(before)).toBe(false);
  });

  it('answers NOT_FOUND for unknown ids', async () => {
    for (const [channel, input] of [
      ['upstreams:update', { id: 'nope', name: 'x' }],
      ['upstreams:remove', { id: 'nope' }],
      ['upstreams:test', { id: 'nope' }],
      ['models:list', { upstreamId: 'nope' }],
      ['models:sync', { upstreamId: 'nope' }],
    ] as const) {
      const result = await fx.core.dispatch(channel, input);
      expect(result, channel).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('refuses bad input field by field and stores nothing', async () => {
    const cases = [
      [{ name: '', baseUrl: 'https://a.example', apiKey: REAL_KEY }, 'name'],
      [{ name: 'a', baseUrl: 'ftp://a.example', apiKey: REAL_KEY }, 'baseUrl'],
      [{ name: 'a', baseUrl: 'https://user:pw@a.example', apiKey: REAL_KEY }, 'baseUrl'],
      [{ name: 'a', baseUrl: 'https://a.example', apiKey: '' }, 'apiKey'],
    ] as const;
    for (const [input, field] of cases) {
      const result = await fx.core.dispatch('upstreams:add', input);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('INVALID_INPUT');
        expect(result.error.issues?.map((issue) => issue.path[0])).toContain(field);
        expect(JSON.stringify(result.error)).not.toContain(REAL_KEY);
      }
    }
    expect(await fx.call('upstreams:list')).toEqual([]);
  });

  it('refuses an admin key (sk-admin-…) on add and on update with a field error on apiKey, storing nothing', async () => {
    const ADMIN_KEY = 'sk-admin-ORGkey0123456789abcdefghijKLMNOP';
    const refusedAdd = await fx.core.dispatch('upstreams:add', { name: 'a', baseUrl: 'https://a.example', apiKey: ADMIN_KEY });
    expect(refusedAdd).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', issues: [{ path: ['apiKey'], message: expect.stringMatching(/admin key/i) }] } });
    expect(JSON.stringify(refusedAdd)).not.toContain(ADMIN_KEY);
    expect(await fx.call('upstreams:list')).toEqual([]);

    const upstream = await fx.call<Upstream>('upstreams:add', { name: 'a', baseUrl: 'https://a.example', apiKey: REAL_KEY });
    const sealed = fx.core.db.prepare('SELECT key_ciphertext FROM upstreams').pluck().get() as Buffer;
    const refusedUpdate = await fx.core.dispatch('upstreams:update', { id: upstream.id, name: 'renamed', apiKey: `  ${ADMIN_KEY}` });
    expect(refusedUpdate).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', issues: [{ path: ['apiKey'] }] } });
    expect(await fx.call('upstreams:list')).toEqual([upstream]);
    expect((fx.core.db.prepare('SELECT key_ciphertext FROM upstreams').pluck().get() as Buffer).equals(sealed)).toBe(true);
  });

  it('stores whether an upstream passes unknown endpoints through, off unless asked', async () => {
    const added = await fx.call<Upstream>('upstreams:add', { name: 'a', baseUrl: 'https://a.example', apiKey: REAL_KEY, passThroughUnknownEndpoints: true });
    expect(added.passThroughUnknownEndpoints).toBe(true);
    const renamed = await fx.call<Upstream>('upstreams:update', { id: added.id, name: 'b' });
    expect(renamed.passThroughUnknownEndpoints).toBe(true);
    const off = await fx.call<Upstream>('upstreams:update', { id: added.id, passThroughUnknownEndpoints: false });
    expect(off).toEqual({ ...renamed, passThroughUnknownEndpoints: false });
    const notBoolean = await fx.core.dispatch('upstreams:update', { id: added.id, passThroughUnknownEndpoints: 'yes' });
    expect(notBoolean).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', issues: [{ path: ['passThroughUnknownEndpoints'] }] } });
  });

  it('refuses to remove an upstream that still has sub-keys (CONFLICT, with the count) and removes it once they are gone', async () => {
    const upstream = await fx.call<Upstream>('upstreams:add', { name: 'a', baseUrl: 'https://a.example', apiKey: REAL_KEY });
    const first = await fx.call<{ subkey: { id: string } }>('subkeys:create', { name: 'k1', upstreamId: upstream.id });
    await fx.call('subkeys:create', { name: 'k2', upstreamId: upstream.id });
    const refused = await fx.core.dispatch('upstreams:remove', { id: upstream.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', reason: 'upstream_has_subkeys', params: { count: 2 } } });
    if (!refused.ok) expect(refused.error.message).toContain('2 sub-keys');
    expect(await fx.call<Upstream[]>('upstreams:list')).toHaveLength(1);

    await fx.call('subkeys:remove', { id: first.subkey.id });
    const stillOne = await fx.core.dispatch('upstreams:remove', { id: upstream.id });
    if (!stillOne.ok) expect(stillOne.error.message).toContain('1 sub-key.');
    for (const key of await fx.call<{ id: string }[]>('subkeys:list')) await fx.call('subkeys:remove', { id: key.id });
    expect(await fx.call('upstreams:remove', { id: upstream.id })).toEqual({ id: upstream.id });
    expect(await fx.call('upstreams:list')).toEqual([]);
  });
});

describe('removing an upstream that has sub-keys', () => {
  async function twoUpstreams() {
    const from = await fx.call<Upstream>('upstreams:add', { name: 'old', baseUrl: 'https://old.example', apiKey: REAL_KEY });
    const to = await fx.call<Upstream>('upstreams:add', { name: 'new', baseUrl: 'https://new.example', apiKey: NEW_KEY });
    const keys = [
      await fx.call<IssuedSubkey>('subkeys:create', { name: 'k1', upstreamId: from.id }),
      await fx.call<IssuedSubkey>('subkeys:create', { name: 'k2', upstreamId: from.id }),
      await fx.call<IssuedSubkey>('subkeys:create', { name: 'other', upstreamId: to.id }),
    ];
    return { from, to, keys };
  }

  it('moves its sub-keys, secrets and settings unchanged, to another upstream in the same step', async () => {
    const { from, to } = await twoUpstreams();
    const before = await fx.call<Subkey[]>('subkeys:list');
    expect(await fx.call('upstreams:remove', { id: from.id, subkeys: { moveTo: to.id } })).toEqual({ id: from.id });
    expect((await fx.call<Upstream[]>('upstreams:list')).map((upstream) => upstream.id)).toEqual([to.id]);
    const after = await fx.call<Subkey[]>('subkeys:list');
    expect(after).toEqual(before.map((key) => ({ ...key, upstreamId: to.id })));
  });

  it('deletes its sub-keys, and their requests keep the names they had', async () => {
    const { from, to, keys } = await twoUpstreams();
    fx.core.db.prepare("INSERT INTO usage (subkey_id, at, method, path, status) VALUES (?, ?, 'POST', '/v1/chat/completions', 200)").run(keys[0]!.subkey.id, Date.now());
    expect(await fx.call('upstreams:remove', { id: from.id, subkeys: 'remove' })).toEqual({ id: from.id });
    expect((await fx.call<Subkey[]>('subkeys:list')).map((key) => key.name)).toEqual(['other']);
    expect((await fx.call<Upstream[]>('upstreams:list')).map((upstream) => upstream.id)).toEqual([to.id]);
    expect(await fx.call<UsageEntry[]>('usage:list')).toMatchObject([{ subkeyId: null, subkeyName: 'k1', subkeyDeleted: true }]);
  });

  it('refuses a move to itself or to an upstream that does not exist, field by field, and changes nothing', async () => {
    const { from } = await twoUpstreams();
    const before = { upstreams: await fx.call('upstreams:list'), subkeys: await fx.call('subkeys:list') };
    for (const [moveTo, message] of [
      [from.id, 'Move the sub-keys to another upstream'],
      ['missing', 'Choose an existing upstream to move the sub-keys to'],
    ] as const) {
      expect(await fx.core.dispatch('upstreams:remove', { id: from.id, subkeys: { moveTo } })).toEqual({
        ok: false,
        error: { code: 'INVALID_INPUT', message, issues: [{ path: ['subkeys', 'moveTo'], message }] },
      });
    }
    expect(await fx.core.dispatch('upstreams:remove', { id: from.id, subkeys: 'keep' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', issues: [{ path: ['subkeys'] }] },
    });
    expect({ upstreams: await fx.call('upstreams:list'), subkeys: await fx.call('subkeys:list') }).toEqual(before);
  });
});

describe('removing an upstream, as the proxy sees it', () => {
  let first: StandInUpstream;
  let second: StandInUpstream;
  beforeEach(async () => {
    await fx.close();
    fx = startCore({ proxyMode: 'listener', mode: 'desktop' });
    [first, second] = await Promise.all([startStandInUpstream(), startStandInUpstream()]);
  });
  afterEach(async () => {
    await first.close();
    await second.close();
  });

  it('forwards a moved sub-key to its new upstream at once, and refuses a deleted one', async () => {
    await fx.call('proxy:configure', { port: 0 });
    const { url } = await fx.call<ProxyStatus>('proxy:start');
    const from = await fx.call<Upstream>('upstreams:add', { name: 'first', baseUrl: first.baseUrl, apiKey: REAL_KEY });
    const to = await fx.call<Upstream>('upstreams:add', { name: 'second', baseUrl: second.baseUrl, apiKey: NEW_KEY });
    const moved = await fx.call<IssuedSubkey>('subkeys:create', { name: 'moved', upstreamId: from.id });
    const chat = (secret: string) => new OpenAI({ apiKey: secret, baseURL: url, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });

    await chat(moved.secret);
    expect([first.requests.length, second.requests.length]).toEqual([1, 0]);
    await fx.call('upstreams:remove', { id: from.id, subkeys: { moveTo: to.id } });
    await chat(moved.secret);
    expect([first.requests.length, second.requests.length]).toEqual([1, 1]);
    expect(second.requests[0]!.headers.authorization).toBe(`Bearer ${NEW_KEY}`);

    await fx.call('upstreams:add', { name: 'spare', baseUrl: first.baseUrl, apiKey: REAL_KEY });
    await fx.call('upstreams:remove', { id: to.id, subkeys: 'remove' });
    await expect(chat(moved.secret)).rejects.toMatchObject({ status: 401 });
    expect(second.requests).toHaveLength(1);
  });
});
