import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { ensureUiBuilt, uiDirOf } from '../../electron/core/headless/ensure-ui';
import { buildServer, runtimeDependencies } from '../../electron/tools/build-server';
import { startStandInUpstream } from '../helpers/stand-in-upstream';

const root = resolve(import.meta.dirname, '..', '..');
const TOKEN = 'bundle-admin-token-0123456789abcdef';
let install: string;

/**
 * What `npm ci --omit=dev && npm run build` leaves on a server, without the 80 s recompile of better-sqlite3:
 * the built `out/` (the bundle made here), package.json and only the packages `npm ls --omit=dev` lists.
 */
beforeAll(async () => {
  install = mkdtempSync(join(tmpdir(), 'keygate-prod-'));
  await buildServer(join(install, 'out', 'server', 'cli.js'));
  expect(ensureUiBuilt(root, () => {})).toBeNull();
  cpSync(uiDirOf(root), join(install, 'out', 'renderer'), { recursive: true });
  cpSync(join(root, 'package.json'), join(install, 'package.json'));
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, encoding: 'utf8' });
  for (const dir of listed.split('\n').filter((line) => line.startsWith(join(root, 'node_modules')))) {
    const target = join(install, relative(root, dir));
    mkdirSync(target, { recursive: true });
    // Each package on its own (nested ones are listed too); better-sqlite3 without its C sources and objects.
    const skip = dir.endsWith(`${sep}better-sqlite3`) ? /^(node_modules|deps|src|build[\\/]Release[\\/]obj(\.target)?)$/ : /^node_modules$/;
    cpSync(dir, target, { recursive: true, filter: (source) => !skip.test(relative(dir, source)) });
  }
}, 120_000);
afterAll(() => rmSync(install, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  url: string;
  stdout: string;
  stderr: string;
  exited: Promise<number | string>;
}

/** `node out/server/cli.js ...` in the production copy, as a supervisor would start it. */
async function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['out/server/cli.js', ...args], {
    cwd: install,
    env: { PATH: process.env.PATH, HOME: install, KEYGATE_ADMIN_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: Running = { child, url: '', stdout: '', stderr: '', exited: new Promise((done) => child.on('exit', (code, signal) => done(code ?? signal ?? -1))) };
  child.stderr!.on('data', (chunk: Buffer) => (running.stderr += chunk.toString()));
  running.url = await new Promise<string>((done) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      running.stdout += chunk.toString();
      const match = /^listening on (http:\/\/\S+)$/m.exec(running.stdout);
      if (match) done(match[1]!);
    });
    void running.exited.then(() => done(''));
  });
  return running;
}

async function admin(url: string, path: string, body: unknown = {}) {
  const response = await fetch(`${url}/admin/api/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The status of an admin call made with `Host: host`, as a reverse proxy would send it. */
function adminStatusAs(url: string, host: string): Promise<number> {
  return new Promise((done, fail) => {
    const call = httpRequest(`${url}/admin/api/app/info`, { method: 'POST', headers: { host, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (response) => {
      response.resume();
      done(response.statusCode!);
    });
    call.on('error', fail);
    call.end('{}');
  });
}

describe('node out/server/cli.js from a production install', () => {
  it('has only the runtime dependencies: no tsx, TypeScript, Electron or build tools', () => {
    expect(runtimeDependencies().sort()).toEqual(['@pydantic/genai-prices', 'better-sqlite3', 'busboy', 'jsonc-parser', 'undici', 'ws', 'zod']);
    for (const dev of ['tsx', 'typescript', 'electron', 'electron-vite', 'esbuild', 'vite']) {
      expect(existsSync(join(install, 'node_modules', dev)), dev).toBe(false);
    }
    expect(readFileSync(join(install, 'out', 'server', 'cli.js'), 'utf8')).not.toMatch(/from ["'](tsx|typescript|electron)["']/);
  });

  it('serves the proxy, the admin API and the UI, and stops on SIGTERM', async () => {
    const stand = await startStandInUpstream();
    const dataDir = join(install, 'data');
    try {
      const server = await start(['--port', '0', '--admin', '--data-dir', dataDir]);
      expect(server.url, server.stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.stdout).toBe(`listening on ${server.url}\n`);

      const info = await admin(server.url, 'app/info');
      expect(info).toMatchObject({ status: 200, body: { mode: 'headless', version: expect.any(String) as string, dataDir } });
      const page = await fetch(`${server.url}/admin/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script type="module"[^>]*src="\.\/assets\//);

      const upstream = await admin(server.url, 'upstreams/add', { name: 'stand-in', baseUrl: stand.baseUrl, apiKey: 'sk-upstream-bundle-0123456789' });
      const issued = await admin(server.url, 'subkeys/create', { name: 'bundle', upstreamId: upstream.body.id, remainingRequests: 3 });
      const client = new OpenAI({ apiKey: issued.body.secret as string, baseURL: `${server.url}/v1`, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
      expect(stand.requests.at(-1)!.headers.authorization).toBe('Bearer sk-upstream-bundle-0123456789');

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stderr).toContain('SIGTERM: shutting down');
    } finally {
      await stand.close();
    }
  }, 60_000);

  it('behind a reverse proxy: --allow-host accepts the public Host name it passes on, and only that one', async () => {
    const server = await start(['--port', '0', '--admin', '--data-dir', join(install, 'data-proxied'), '--allow-host', 'keygate.example.com']);
    try {
      expect(await adminStatusAs(server.url, 'keygate.example.com')).toBe(200);
      expect(await adminStatusAs(server.url, 'keygate.example.com:443')).toBe(200);
      expect(await adminStatusAs(server.url, 'evil.example.net')).not.toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 30_000);

  it('without the Node build of better-sqlite3, says what to run and creates nothing', async () => {
    const binding = join(install, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const aside = `${binding}.aside`;
    cpSync(binding, aside);
    rmSync(binding);
    const dataDir = join(install, 'data-no-binding');
    try {
      const server = await start(['--port', '0', '--data-dir', dataDir]);
      expect(await server.exited).toBe(1);
      expect(server.url).toBe('');
      expect(server.stderr).toContain("error: keygate could not start: better-sqlite3's native module for Node is not built");
      expect(server.stderr).toContain('npm rebuild better-sqlite3');
      expect(server.stderr).not.toContain('Could not locate the bindings file');
      expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
    } finally {
      cpSync(aside, binding);
    }
  }, 30_000);
});
