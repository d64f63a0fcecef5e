import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CSP } from '../../electron/core/admin/static-ui';
import { channelPath, channels } from '../../electron/shared/contract';
import { startAdminServer, type AdminServer } from '../helpers/admin-server';

let server: AdminServer;
let base: string;
let token: string;
let uiDir: string;
const REAL_KEY = 'sk-proj-ADMINrealKEY0123456789abcdefGHIJ';

const send: AdminServer['send'] = (method, path, options) => server.send(method, path, options);

const post = (path: string, body: unknown, auth?: string | null) =>
  send('POST', path, { body: JSON.stringify(body), auth, headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'keygate-ui-'));
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Keygate</title><script type="module" src="./assets/app-1.js"></script>');
  writeFileSync(join(uiDir, 'assets', 'app-1.js'), 'console.log("ui")');
  writeFileSync(join(uiDir, 'assets', 'app-1.css'), 'body{}');
  server = await startAdminServer({ uiDir, heartbeatMs: 50 });
  ({ base, token } = server);
});

afterAll(async () => {
  await server.close();
  rmSync(uiDir, { recursive: true, force: true });
});

describe('admin API auth', () => {
  it('answers 401 without a token, with a wrong one, or with another scheme', async () => {
    for (const auth of [null, 'kg-admin-wrong', `${token}x`]) {
      const answer = await post('/admin/api/upstreams/list', {}, auth);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    }
    const basic = await send('POST', '/admin/api/upstreams/list', { auth: null, headers: { authorization: `Basic ${token}` } });
    expect(basic.status).toBe(401);
    expect((await send('GET', '/admin/api/events', { auth: null })).status).toBe(401);
  });

  it('sends no CORS headers', async () => {
    const answer = await send('POST', '/admin/api/upstreams/list', { headers: { origin: 'http://evil.example' } });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const preflight = await send('OPTIONS', '/admin/api/upstreams/list', { auth: null, headers: { origin: 'http://evil.example' } });
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a Host that is not loopback (DNS rebinding)', async () => {
    const answer = await send('POST', '/admin/api/upstreams/list', { headers: { host: 'attacker.example' } });
    expect(answer.status).toBe(403);
  });
});

describe('admin API routing', () => {
  it('routes every contract channel to POST /admin/api/<namespace>/<verb>', async () => {
    for (const channel of channels) {
      const answer = await post(channelPath(channel), {});
      if (channel === 'usage:export') {
        // Over HTTP the export answers the CSV itself (the desktop writes it to a file instead).
        expect(answer.status, channel).toBe(200);
        expect(answer.headers['content-type'], channel).toMatch(/^text\/csv/);
        continue;
      }
      const body = JSON.parse(answer.body) as { error?: { code: string } };
      // prices:update fetches price data from the network, which this machine may not reach: 502 UPSTREAM_ERROR then.
      expect(channel === 'prices:update' ? [200, 400, 502] : [200, 400], channel).toContain(answer.status);
      if (answer.status === 400) expect(body.error?.code, channel).toBe('INVALID_INPUT');
      if (answer.status === 502) expect(body.error?.code, channel).toBe('UPSTREAM_ERROR');
    }
  });

  it('answers a channel output as the body and keeps the upstream key out of every answer', async () => {
    const added = await post('/admin/api/upstreams/add', { name: 'u', baseUrl: 'https://u.example', apiKey: REAL_KEY });
    expect(added.status).toBe(200);
    const upstream = JSON.parse(added.body) as { id: string; keyHint: string };
    expect(upstream.keyHint).toBe('sk-…GHIJ');
    const issued = await post('/admin/api/subkeys/create', { name: 'k', upstreamId: upstream.id, remainingRequests: 3 });
    expect(JSON.parse(issued.body)).toMatchObject({ subkey: { name: 'k', status: 'active' }, secret: expect.stringMatching(/^sk-kg-/) });
    for (const path of ['/admin/api/upstreams/list', '/admin/api/subkeys/list', '/admin/api/app/info']) {
      const answer = await post(path, {});
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.body).not.toContain(REAL_KEY);
    }
    const conflict = await post('/admin/api/upstreams/remove', { id: upstream.id });
    expect(conflict.status).toBe(409);
    expect(JSON.parse(conflict.body).error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('1 sub-key') });
  });

  it('answers 400 with field issues for invalid input, and for invalid JSON', async () => {
    const upstreams = JSON.parse((await post('/admin/api/upstreams/list', {})).body) as { id: string }[];
    const answer = await post('/admin/api/subkeys/create', { name: '', upstreamId: upstreams[0]!.id, remainingRequests: -1 });
    expect(answer.status).toBe(400);
    const { error } = JSON.parse(answer.body) as { error: { code: string; issues: { path: string[] }[] } };
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path[0]).sort()).toEqual(['name', 'remainingRequests']);
    const unknownUpstream = await post('/admin/api/subkeys/create', { name: 'x', upstreamId: 'nope' });
    expect(JSON.parse(unknownUpstream.body).error.issues[0].path).toEqual(['upstreamId']);

    const broken = await send('POST', '/admin/api/subkeys/create', { body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toEqual({ error: { code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' } });
  });

  it('answers 404 for unknown API paths and unknown ids', async () => {
    expect((await post('/admin/api/subkeys/explode', {})).status).toBe(404);
    expect((await post('/admin/api/nothing', {})).status).toBe(404);
    const missing = await post('/admin/api/subkeys/remove', { id: 'missing' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('NOT_FOUND');
    expect((await send('GET', '/nowhere')).status).toBe(404);
  });

  it('answers 405 with Allow for the wrong method', async () => {
    const answer = await send('GET', '/admin/api/upstreams/list');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect((await send('POST', '/admin/api/events')).headers.allow).toBe('GET');
  });

  it('answers 413 for a body over 1 MiB, declared or streamed', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 'a');
    const declared = await send('POST', '/admin/api/upstreams/add', { body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.code).toBe('INVALID_INPUT');
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/admin/api/upstreams/add`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(Buffer.alloc(300 * 1024, 'b'));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(JSON.parse((await post('/admin/api/upstreams/list', {})).body)).toHaveLength(1);
  });
});

describe('admin event stream', () => {
  it('streams proxy:changed and heartbeats as text/event-stream', async () => {
    const received = await new Promise<{ type: string | undefined; text: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/admin/api/events`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('event: proxy:changed') && text.includes(': heartbeat')) {
            req.destroy();
            resolve({ type: response.headers['content-type'], text });
          }
        });
        void post('/admin/api/proxy/start', {});
      });
      req.on('error', reject);
      req.end();
    });
    expect(received.type).toBe('text/event-stream; charset=utf-8');
    const event = /event: proxy:changed\ndata: (.*)\n\n/.exec(received.text);
    expect(JSON.parse(event![1]!)).toMatchObject({ running: true, host: '127.0.0.1' });
  });
});

describe('admin UI', () => {
  it('serves index.html and assets with content types, CSP and nosniff', async () => {
    const page = await send('GET', '/admin/', { auth: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(ADMIN_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<title>Keygate</title>');
    const script = await send('GET', '/admin/assets/app-1.js', { auth: null });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log("ui")');
    expect((await send('GET', '/admin/assets/app-1.css', { auth: null })).headers['content-type']).toBe('text/css; charset=utf-8');
    const redirect = await send('GET', '/admin', { auth: null });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('/admin/');
  });

  it('never serves files outside the UI folder', async () => {
    writeFileSync(join(uiDir, '..', 'keygate-secret.txt'), 'secret');
    try {
      for (const path of ['/admin/..%2fkeygate-secret.txt', '/admin/%2e%2e/keygate-secret.txt', '/admin/assets/..%2f..%2fkeygate-secret.txt']) {
        const answer = await send('GET', path, { auth: null });
        expect(answer.body, path).not.toBe('secret');
        expect(answer.status, path).toBe(404);
      }
    } finally {
      rmSync(join(uiDir, '..', 'keygate-secret.txt'));
    }
  });
});
