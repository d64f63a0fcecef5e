import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let dataDir: string;
const running: ServeProcess[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keygate-serve-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((serve) => serve.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

async function serve(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const started = await startServe(['--data-dir', dataDir, ...args], env);
  running.push(started);
  return started;
}

async function call(url: string, path: string, token: string | null, body: unknown = {}) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function printedToken(stderr: string): string | null {
  return /admin token \(shown once, store it now\): (kg-admin-[0-9A-Za-z]{32})/.exec(stderr)?.[1] ?? null;
}

const E2E_TOKEN = 'e2e-admin-token-0123456789abcdef';

/** `serve --admin` with an upstream pointing at `stand` and one sub-key of `remainingRequests`, plus an SDK client for it. */
async function serveWithSubkey(stand: StandInUpstream, remainingRequests: number): Promise<{ server: ServeProcess; client: OpenAI }> {
  const server = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: E2E_TOKEN });
  const upstream = await call(server.url, '/admin/api/upstreams/add', E2E_TOKEN, { name: 's', baseUrl: stand.baseUrl, apiKey: 'sk-upstream-0123456789' });
  const issued = await call(server.url, '/admin/api/subkeys/create', E2E_TOKEN, { name: 'k', upstreamId: upstream.body.id, remainingRequests });
  const client = new OpenAI({ apiKey: issued.body.secret as string, baseURL: `${server.url}/v1`, maxRetries: 0 });
  return { server, client };
}

// Each test starts one to three real `npm run serve` processes (tsx compiles on start): on a loaded 2-core machine
// that alone can pass the default 20 s.
describe('npm run serve', { timeout: 60_000 }, () => {
  it('prints exactly one "listening on" line with the real port for --port 0, serves /v1, and exits 0 on SIGTERM', async () => {
    const server = await serve(['--port', '0']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(server.stdout()).toBe(`listening on ${server.url}\n`);
    const proxied = await fetch(`${server.url}/v1/models`);
    expect(((await proxied.json()) as { error?: { message?: string } }).error?.message).toEqual(expect.any(String));
    expect((await fetch(`${server.url}/admin/`)).status).toBe(404);
    expect((await fetch(`${server.url}/admin/api/app/info`, { method: 'POST' })).status).toBe(404);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('exits 0 on SIGINT too', async () => {
    const server = await serve(['--port', '0']);
    expect(await server.stop('SIGINT')).toBe(0);
  });

  it('prints a generated admin token once; later runs say it was set earlier; --reset-admin-token replaces it', async () => {
    const first = await serve(['--port', '0', '--admin']);
    const token = printedToken(first.stderr());
    expect(token).not.toBeNull();
    expect(first.stdout()).toBe(`listening on ${first.url}\n`);
    expect(await call(first.url, '/admin/api/app/info', null)).toMatchObject({ status: 401 });
    const info = await call(first.url, '/admin/api/app/info', token);
    expect(info).toMatchObject({ status: 200, body: { mode: 'headless', secretStorage: 'master-key', dataDir } });
    const added = await call(first.url, '/admin/api/upstreams/add', token, { name: 'u', baseUrl: 'https://u.example', apiKey: 'sk-test-1234567890abcd' });
    expect(added.status).toBe(200);
    const page = await fetch(`${first.url}/admin/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await first.stop()).toBe(0);

    const second = await serve(['--port', '0', '--admin']);
    expect(printedToken(second.stderr())).toBeNull();
    expect(second.stderr()).not.toContain(token!);
    expect(second.stderr()).toContain('--reset-admin-token');
    const listed = await call(second.url, '/admin/api/upstreams/list', token);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject([{ name: 'u', keyHint: 'sk-…abcd' }]);
    expect(await second.stop()).toBe(0);

    const third = await serve(['--port', '0', '--admin', '--reset-admin-token']);
    const fresh = printedToken(third.stderr());
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(token);
    expect((await call(third.url, '/admin/api/upstreams/list', token)).status).toBe(401);
    expect((await call(third.url, '/admin/api/upstreams/list', fresh)).status).toBe(200);
  });

  it('takes the admin token from KEYGATE_ADMIN_TOKEN without printing it', async () => {
    const chosen = 'my-own-admin-token-0123456789abcdef';
    const server = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: chosen });
    expect(server.stderr()).not.toContain(chosen);
    expect(server.stdout()).not.toContain(chosen);
    expect(printedToken(server.stderr())).toBeNull();
    expect((await call(server.url, '/admin/api/subkeys/list', chosen)).status).toBe(200);
  });

  it.each([[['--bogus']], [['--port', 'abc']], [['--port', '70000']], [['--host', 'a b']], [['--reset-admin-token']], [['positional']]])(
    'refuses %j with a usage message and exit code 2',
    async (args) => {
      const server = await serve(args);
      expect(server.url).toBe('');
      expect(await server.exited).toBe(2);
      expect(server.stderr()).toContain('Usage: npm run serve');
      expect(server.stdout()).toBe('');
    },
  );

  it('exits 1 with a readable message when the port is taken, and creates no master key or store', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const server = await serve(['--port', String(port), '--admin']);
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toContain(`error: keygate could not start: Port ${port} is already in use`);
      expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
      expect(existsSync(join(dataDir, 'keygate.db'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('refuses a KEYGATE_ADMIN_TOKEN that is too short before creating anything', async () => {
    const server = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: 'short' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('error: keygate could not start: KEYGATE_ADMIN_TOKEN must be at least 32 characters');
    expect(server.stdout()).toBe('');
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
    expect(existsSync(join(dataDir, 'keygate.db'))).toBe(false);
  });

  it('warns at start when the master key cannot open stored upstream keys', async () => {
    const token = 'warn-admin-token-0123456789abcdef';
    const keyA = 'a'.repeat(64);
    const first = await serve(['--port', '0', '--admin'], { KEYGATE_MASTER_KEY: keyA, KEYGATE_ADMIN_TOKEN: token });
    await call(first.url, '/admin/api/upstreams/add', token, { name: 'Sealed', baseUrl: 'https://u.example', apiKey: 'sk-test-1234567890abcd' });
    expect(await first.stop()).toBe(0);
    const same = await serve(['--port', '0'], { KEYGATE_MASTER_KEY: keyA });
    expect(same.stderr()).not.toContain('cannot open');
    expect(await same.stop()).toBe(0);
    const other = await serve(['--port', '0'], { KEYGATE_MASTER_KEY: 'b'.repeat(64) });
    expect(other.stderr()).toContain('this master key cannot open the stored key of "Sealed"');
    expect(other.stderr()).not.toContain('a'.repeat(64));
    expect(other.stderr()).not.toContain('b'.repeat(64));
  });

  it('refuses to start --admin with a KEYGATE_ADMIN_TOKEN shorter than 32 characters, without echoing it', async () => {
    const short = 'short-admin-token-0123456789abc';
    const server = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: short });
    expect(server.url).toBe('');
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('KEYGATE_ADMIN_TOKEN must be at least 32 characters without spaces (the one given has 31)');
    expect(server.stderr()).not.toContain(short);
    expect(server.stdout()).toBe('');
  });

  it('refuses a malformed KEYGATE_MASTER_KEY without echoing it', async () => {
    const server = await serve(['--port', '0'], { KEYGATE_MASTER_KEY: 'definitely-not-a-valid-key' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('error: keygate could not start: KEYGATE_MASTER_KEY must be 64 hex characters');
    expect(server.stderr()).not.toContain('definitely-not-a-valid-key');
  });
});

describe('npm run serve, end to end with the official SDK', { timeout: 60_000 }, () => {
  it('issues a sub-key over the admin API and proxies with it; usage shows up as a push event and in the log', async () => {
    const upstreamKey = 'sk-proj-E2ErealUpstreamKey0123456789';
    const stand = await startStandInUpstream();
    const token = 'e2e-admin-token-0123456789abcdef';
    try {
      const server = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: token });
      const upstream = await call(server.url, '/admin/api/upstreams/add', token, { name: 'stand-in', baseUrl: stand.baseUrl, apiKey: upstreamKey });
      const synced = await call(server.url, '/admin/api/models/sync', token, { upstreamId: upstream.body.id });
      expect(synced.status).toBe(200);
      expect((synced.body as unknown as { id: string }[]).map((model) => model.id)).toContain('gpt-4o-mini');
      const issued = await call(server.url, '/admin/api/subkeys/create', token, {
        name: 'e2e',
        upstreamId: upstream.body.id,
        remainingRequests: 1,
        allowModels: ['gpt-4o-mini'],
      });
      const secret = issued.body.secret as string;

      const events = new AbortController();
      const stream = await fetch(`${server.url}/admin/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: events.signal });
      const reader = stream.body!.getReader();
      const usageEvent = (async () => {
        let text = '';
        while (!text.includes('event: usage:changed')) text += new TextDecoder().decode((await reader.read()).value);
        return text;
      })();

      const client = new OpenAI({ apiKey: secret, baseURL: `${server.url}/v1`, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
      expect(stand.requests.at(-1)!.headers.authorization).toBe(`Bearer ${upstreamKey}`);
      await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] })).rejects.toMatchObject({
        status: 429,
      });
      expect(await usageEvent).toContain(`"subkeyId":"${(issued.body.subkey as { id: string }).id}"`);
      events.abort();

      const listed = await call(server.url, '/admin/api/subkeys/list', token);
      expect(listed.body).toMatchObject([{ name: 'e2e', remainingRequests: 0, status: 'exhausted' }]);
      const usage = await call(server.url, '/admin/api/usage/list', token);
      expect((usage.body as unknown as { status: number }[]).map((entry) => entry.status)).toEqual([429, 200]);
      for (const text of [server.stdout(), server.stderr(), JSON.stringify(listed.body), JSON.stringify(usage.body)]) {
        expect(text).not.toContain(upstreamKey);
        expect(text).not.toContain(secret);
      }
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await stand.close();
    }
  });

  it('on SIGTERM lets an in-flight request finish, records it, and exits 0', async () => {
    const stand = await startStandInUpstream();
    try {
      const { server, client } = await serveWithSubkey(stand, 5);
      stand.respond = (_request, response) => {
        const body = {
          id: 'chatcmpl-late',
          object: 'chat.completion',
          created: 0,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'late answer' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        };
        setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)), 700);
        return true;
      };
      const arrived = stand.nextRequest();
      const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'slow' }] });
      await arrived;
      server.child.kill('SIGTERM');
      expect((await pending).choices[0]?.message.content).toBe('late answer');
      expect(await server.exited).toBe(0);

      const again = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: E2E_TOKEN });
      const usage = await call(again.url, '/admin/api/usage/list', E2E_TOKEN);
      expect(usage.body).toMatchObject([{ status: 200, totalTokens: 3 }]);
      expect((await call(again.url, '/admin/api/subkeys/list', E2E_TOKEN)).body).toMatchObject([{ remainingRequests: 4 }]);
    } finally {
      await stand.close();
    }
  });

  it('after kill -9 mid-request, the restarted server keeps the reservation and marks the request interrupted', async () => {
    const stand = await startStandInUpstream();
    try {
      const { server, client } = await serveWithSubkey(stand, 5);
      // Upstream never answers: the request is in flight when the process dies.
      stand.respond = () => true;
      const arrived = stand.nextRequest();
      const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hang' }] });
      await arrived;
      server.child.kill('SIGKILL');
      await expect(pending).rejects.toThrow();
      await server.exited;

      const again = await serve(['--port', '0', '--admin'], { KEYGATE_ADMIN_TOKEN: E2E_TOKEN });
      expect(again.stderr()).toContain('1 request(s) were still in flight when Keygate last stopped');
      const usage = await call(again.url, '/admin/api/usage/list', E2E_TOKEN);
      expect(usage.body).toMatchObject([{ status: null, refusal: 'interrupted', model: 'gpt-4o-mini' }]);
      expect((await call(again.url, '/admin/api/subkeys/list', E2E_TOKEN)).body).toMatchObject([{ remainingRequests: 4 }]);
    } finally {
      await stand.close();
    }
  });
});
