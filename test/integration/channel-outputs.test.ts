import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../electron/shared/contract';
import type { IssuedSubkey, Upstream } from '../../electron/shared/types';
import { startAdminServer, type AdminServer } from '../helpers/admin-server';
import { closedPort } from '../helpers/models-upstream';
import { outputDrift } from '../helpers/output-check';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let admin: AdminServer;
let upstream: StandInUpstream;

beforeAll(async () => {
  upstream = await startStandInUpstream();
  admin = await startAdminServer();
});

afterAll(async () => {
  await admin?.close();
  await upstream?.close();
});

describe('declared output schemas', () => {
  it('hold for what every channel really answers over the admin API', async () => {
    const { call } = admin;
    await call('/admin/api/app/info');
    await call('/admin/api/proxy/start');
    const added = await call<Upstream>('/admin/api/upstreams/add', { name: 'stand-in', baseUrl: upstream.baseUrl, apiKey: 'sk-real-OUTPUTS-0123456789' });
    const dead = await call<Upstream>('/admin/api/upstreams/add', { name: 'dead', baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'sk-dead' });
    await call('/admin/api/upstreams/test', { id: added.id });
    await call('/admin/api/upstreams/test', { id: dead.id });
    await call('/admin/api/upstreams/update', { id: dead.id, name: 'still dead' });
    await call('/admin/api/models/sync', { upstreamId: added.id });
    await call('/admin/api/models/list', { upstreamId: added.id });
    await call('/admin/api/upstreams/list');

    const issued = await call<IssuedSubkey>('/admin/api/subkeys/create', {
      name: 'all fields',
      upstreamId: added.id,
      expiresAt: '2099-01-01T00:00:00Z',
      remainingRequests: 5,
      allowModels: ['gpt-4o*'],
      denyModels: ['gpt-4o'],
    });
    const plain = await call<IssuedSubkey>('/admin/api/subkeys/create', { name: 'plain', upstreamId: added.id });
    const chat = await fetch(`${admin.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issued.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(200);
    const refused = await fetch(`${admin.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issued.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
    });
    expect(refused.status).toBe(403);
    // Within 24 h of expiring: announced at once, and kept for alerts:list.
    const soon = await call<IssuedSubkey>('/admin/api/subkeys/create', { name: 'soon', upstreamId: added.id, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await call('/admin/api/alerts/list')).toMatchObject([{ kind: 'expiry', subkeyId: soon.subkey.id, subkeyName: 'soon' }]);
    await call('/admin/api/subkeys/update', { id: plain.subkey.id, enabled: false, remainingRequests: null });
    await call('/admin/api/subkeys/rotate', { id: plain.subkey.id });
    await call('/admin/api/subkeys/list');
    const usage = await call<unknown[]>('/admin/api/usage/list', { limit: 10 });
    expect(usage.length).toBeGreaterThanOrEqual(2);
    await call('/admin/api/usage/daily', { days: 7 });
    expect(await call('/admin/api/usage/models', { days: 7 })).toMatchObject([{ model: 'gpt-4o-mini', requests: 1 }]);
    await call('/admin/api/usage/refusals');
    await call('/admin/api/usage/storage');
    await call('/admin/api/prices/set', { upstreamId: added.id, model: 'local-model', inputPerMillion: 1, outputPerMillion: 2 });
    await call('/admin/api/prices/list');
    await call('/admin/api/prices/remove', { upstreamId: added.id, model: 'local-model' });
    await call('/admin/api/subkeys/remove', { id: plain.subkey.id });
    await call('/admin/api/proxy/configure', { autoStart: true, usageRetentionDays: 30 });
    await call('/admin/api/proxy/stop');
    await call('/admin/api/proxy/status');
    await call('/admin/api/subkeys/remove', { id: issued.subkey.id });
    await call('/admin/api/upstreams/remove', { id: dead.id });

    // Each answer above went through the checking dispatcher of the core fixture; here: that none was left out.
    // prices:update fetches price data from the network: services-prices.test.ts answers it from a served copy.
    // usage:export: over HTTP its path answers the CSV itself (usage-export.test.ts); the desktop's answer is below.
    expect([...admin.fx.answered].sort()).toEqual(channels.filter((channel) => channel !== 'prices:update' && channel !== 'usage:export').sort());
  });

  it('hold for what usage:export answers the desktop: the saved path and row count', () => {
    expect(outputDrift('usage:export', { path: '/home/me/keygate-usage.csv', rows: 3 })).toBeNull();
    expect(outputDrift('usage:export', { path: null, rows: 0 })).toBeNull();
    expect(outputDrift('usage:export', { path: null, rows: 0, csv: '' })).toMatch(/does not declare/);
  });

  it('refuse an answer with a field they do not declare, or a wrong type', () => {
    const upstreamOut = { id: 'u', name: 'n', baseUrl: 'https://x', keyHint: 'sk-…abcd', createdAt: '2030-01-01T00:00:00.000Z', lastSyncedAt: null, passThroughUnknownEndpoints: false };
    expect(outputDrift('upstreams:add', upstreamOut)).toBeNull();
    expect(outputDrift('upstreams:add', { ...upstreamOut, apiKey: 'sk-real' })).toMatch(/does not declare/);
    expect(outputDrift('upstreams:add', { ...upstreamOut, lastSyncedAt: 5 })).toMatch(/refuses/);
  });
});
