import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionTest, Model, Upstream } from '../../electron/shared/types';
import { startCore, type CoreFixture } from '../helpers/core-fixture';
import { closedPort, modelList, startModelsUpstream, type ModelsUpstream } from '../helpers/models-upstream';

const REAL_KEY = 'sk-proj-MODELSrealKEY0123456789abcdefLMNO';

let fx: CoreFixture;
let stand: ModelsUpstream;
let upstream: Upstream;

beforeEach(async () => {
  fx = startCore();
  stand = await startModelsUpstream({
    status: 200,
    body: modelList([{ id: 'gpt-4o', owned_by: 'openai' }, { id: 'dall-e-3', owned_by: 'system' }, { id: 'gpt-4o-mini' }]),
  });
  upstream = await fx.call<Upstream>('upstreams:add', { name: 'Stand-in', baseUrl: stand.baseUrl, apiKey: REAL_KEY });
});
afterEach(async () => {
  await fx.close();
  await stand.close();
});

describe('models:sync', () => {
  it('calls GET /v1/models with the real key and stores the list, sorted by id', async () => {
    const models = await fx.call<Model[]>('models:sync', { upstreamId: upstream.id });
    expect(stand.received).toHaveLength(1);
    expect(stand.received[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(stand.received[0]!.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect(models.map((model) => [model.id, model.ownedBy])).toEqual([
      ['dall-e-3', 'system'],
      ['gpt-4o', 'openai'],
      ['gpt-4o-mini', 'openai'],
    ]);
    expect(models.every((model) => model.upstreamId === upstream.id)).toBe(true);
    expect(await fx.call('models:list', { upstreamId: upstream.id })).toEqual(models);
    const [after] = await fx.call<Upstream[]>('upstreams:list');
    expect(after!.lastSyncedAt).toBe(models[0]!.syncedAt);
  });

  it('replaces the previous list on a re-sync', async () => {
    await fx.call('models:sync', { upstreamId: upstream.id });
    stand.reply({ status: 200, body: modelList([{ id: 'o3', owned_by: 'openai' }]) });
    const models = await fx.call<Model[]>('models:sync', { upstreamId: upstream.id });
    expect(models.map((model) => model.id)).toEqual(['o3']);
    expect(fx.core.db.prepare('SELECT count(*) FROM models').pluck().get()).toBe(1);
  });

  it('reports a refusing upstream with its status and message, never the key, and keeps the old list', async () => {
    await fx.call('models:sync', { upstreamId: upstream.id });
    stand.reply({
      status: 401,
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${REAL_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }),
    });
    const result = await fx.core.dispatch('models:sync', { upstreamId: upstream.id });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UPSTREAM_ERROR');
    expect(result.error.message).toContain('401');
    expect(result.error.message).toContain('Incorrect API key provided');
    expect(result.error.message).not.toContain(REAL_KEY);
    expect(result.error.message).not.toContain('LMNO');
    // The window words it anew in its language from a stable reason and the values the message names.
    expect(result.error).toMatchObject({ reason: 'upstream_refused_key', params: { name: 'Stand-in', status: 401 } });
    expect(String(result.error.params!.detail)).toContain('Incorrect API key provided');
    expect(JSON.stringify(result.error.params)).not.toContain('LMNO');
    expect(await fx.call<Model[]>('models:list', { upstreamId: upstream.id })).toHaveLength(3);
    expect(fx.logLines.join('\n')).not.toContain(REAL_KEY);
  });

  it('reports an unreachable upstream as UPSTREAM_ERROR', async () => {
    const gone = await fx.call<Upstream>('upstreams:add', { name: 'Gone', baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: REAL_KEY });
    const result = await fx.core.dispatch('models:sync', { upstreamId: gone.id });
    expect(result).toMatchObject({ ok: false, error: { code: 'UPSTREAM_ERROR' } });
    if (!result.ok) {
      expect(result.error.message).toMatch(/Could not reach Gone .*connection refused/);
      expect(result.error).toMatchObject({ reason: 'upstream_unreachable', params: { name: 'Gone', cause: 'refused', url: expect.stringMatching(/\/v1\/models$/) } });
      expect(result.error.message).not.toContain(REAL_KEY);
    }
    expect(await fx.call('models:list', { upstreamId: gone.id })).toEqual([]);
  });

  it('refuses an answer that is not a model list', async () => {
    stand.reply({ status: 200, body: '<html>login page</html>' });
    expect(await fx.core.dispatch('models:sync', { upstreamId: upstream.id })).toMatchObject({
      ok: false,
      error: { code: 'UPSTREAM_ERROR', message: expect.stringContaining('did not answer JSON'), reason: 'upstream_not_json', params: { name: 'Stand-in' } },
    });
    stand.reply({ status: 200, body: '{"object":"list"}' });
    expect(await fx.core.dispatch('models:sync', { upstreamId: upstream.id })).toMatchObject({
      ok: false,
      error: { code: 'UPSTREAM_ERROR', message: expect.stringContaining('"data"'), reason: 'upstream_no_model_list' },
    });
  });
});

describe('upstreams:test', () => {
  it('answers ok with the model count without storing anything', async () => {
    const test = await fx.call<ConnectionTest>('upstreams:test', { id: upstream.id });
    expect(test).toMatchObject({ ok: true, modelCount: 3, message: null });
    expect(test.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await fx.call('models:list', { upstreamId: upstream.id })).toEqual([]);
    expect((await fx.call<Upstream[]>('upstreams:list'))[0]!.lastSyncedAt).toBeNull();
  });

  it('answers not ok with the reason when the upstream refuses', async () => {
    stand.reply({ status: 403, body: JSON.stringify({ error: { message: 'Project has no access' } }) });
    const test = await fx.call<ConnectionTest>('upstreams:test', { id: upstream.id });
    expect(test).toMatchObject({ ok: false, modelCount: null });
    expect(test.message).toContain('403');
    expect(test.message).toContain('Project has no access');
    expect(test).toMatchObject({ reason: 'upstream_forbidden', params: { name: 'Stand-in', status: 403, detail: 'Project has no access' } });
  });
});
