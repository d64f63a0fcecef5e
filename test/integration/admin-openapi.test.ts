import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOpenApiText, buildAdminOpenApi, OPENAPI_PATH } from '../../electron/core/admin/openapi';
import { channelPath, channels } from '../../electron/shared/contract';
import type { IssuedSubkey, Upstream } from '../../electron/shared/types';
import { startAdminServer, type AdminServer } from '../helpers/admin-server';
import { closedPort } from '../helpers/models-upstream';
import { startServe } from '../helpers/serve-process';

const root = resolve(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const committed = () => readFileSync(join(root, 'docs', 'admin-api.json'), 'utf8');

type Doc = ReturnType<typeof buildAdminOpenApi> & {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
};

let admin: AdminServer;

beforeAll(async () => {
  admin = await startAdminServer({ version });
});
afterAll(async () => {
  await admin?.close();
});

describe('docs/admin-api.json', () => {
  it('is what `npm run docs:admin-api` writes from the contract today', () => {
    // When this fails: run `npm run docs:admin-api` and commit docs/admin-api.json.
    expect(committed()).toBe(adminOpenApiText(version));
  });

  it('is OpenAPI 3.1 with one POST per channel, the bearer scheme and every $ref resolvable', () => {
    const doc = JSON.parse(committed()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ adminToken: [] }]);
    expect(doc.components).toMatchObject({ securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } });
    for (const channel of channels) {
      const operation = doc.paths[channelPath(channel)]?.post;
      expect(operation, channel).toMatchObject({ 'x-keygate-channel': channel, responses: { '200': expect.anything(), '400': expect.anything(), '401': expect.anything() } });
    }
    expect(Object.keys(doc.paths).sort()).toEqual([...channels.map(channelPath), '/admin/api/events', OPENAPI_PATH].sort());
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(channels.length);
    for (const [, kind, name] of refs) expect(doc.components[kind as 'schemas' | 'responses'], `${kind}/${name}`).toHaveProperty([name!]);
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('documents the input fields and the error body', () => {
    const doc = JSON.parse(committed()) as Doc;
    const create = doc.paths['/admin/api/subkeys/create']!.post!.requestBody!.content['application/json']!.schema;
    expect(create).toMatchObject({
      type: 'object',
      required: ['name', 'upstreamId'],
      additionalProperties: false,
      properties: { remainingRequests: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] }, allowModels: { type: 'array' } },
    });
    expect(doc.components.schemas.Error).toMatchObject({
      properties: { error: { required: ['code', 'message'], properties: { code: { enum: expect.arrayContaining(['INVALID_INPUT', 'CONFLICT']) }, issues: { type: 'array' } } } },
    });
  });

  it('names every error status a channel really answers', async () => {
    const doc = JSON.parse(committed()) as Doc;
    const upstream = await admin.call<Upstream>('/admin/api/upstreams/add', { name: 'dead', baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'sk-x' });
    await admin.call<IssuedSubkey>('/admin/api/subkeys/create', { name: 'k', upstreamId: upstream.id });
    const cases: [string, unknown, number][] = [
      ['/admin/api/upstreams/remove', { id: upstream.id }, 409],
      ['/admin/api/models/sync', { upstreamId: upstream.id }, 502],
      ['/admin/api/models/sync', { upstreamId: 'missing' }, 404],
      ['/admin/api/subkeys/rotate', { id: 'missing' }, 404],
      ['/admin/api/proxy/configure', { port: 1 }, 409],
      ['/admin/api/subkeys/create', { name: '' }, 400],
    ];
    for (const [path, body, status] of cases) {
      const answer = await admin.send('POST', path, { body: JSON.stringify(body) });
      expect(answer.status, path).toBe(status);
      expect(doc.paths[path]!.post!.responses, path).toHaveProperty([String(status)]);
    }
  });
});

describe('GET /admin/api/openapi.json', () => {
  it('answers the document behind the admin token, and only to GET', async () => {
    const answer = await admin.send('GET', OPENAPI_PATH);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual(buildAdminOpenApi(version));
    const anonymous = await admin.send('GET', OPENAPI_PATH, { auth: null });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    const posted = await admin.send('POST', OPENAPI_PATH);
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe('GET');
  });

  it('is served by `npm run serve -- --admin` exactly as committed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-openapi-'));
    const token = 'openapi-admin-token-0123456789abcdef';
    const server = await startServe(['--data-dir', dataDir, '--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: token });
    try {
      const answer = await fetch(`${server.url}${OPENAPI_PATH}`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(200);
      expect(`${JSON.stringify(await answer.json(), null, 2)}\n`).toBe(committed());
    } finally {
      await server.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
