import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channels } from '../../electron/shared/contract';
import { createBridge } from '../../electron/preload/bridge';

const root = resolve(import.meta.dirname, '../..');

describe('createBridge', () => {
  it('has exactly one method per contract channel, plus on()', () => {
    const bridge = createBridge(vi.fn(), vi.fn());
    expect(Object.keys(bridge).sort()).toEqual([...channels, 'on'].sort());
    for (const channel of channels) expect(typeof bridge[channel]).toBe('function');
  });

  it('binds each method to its own channel; the page cannot pick one', async () => {
    const invoke = vi.fn(async (channel: string) => ({ ok: true as const, data: channel }));
    const bridge = createBridge(invoke, vi.fn());
    await expect(bridge['subkeys:create']({ name: 'ci', upstreamId: 'up_1' })).resolves.toEqual({ ok: true, data: 'subkeys:create' });
    await bridge['proxy:status']({});
    await (bridge['subkeys:list'] as (input?: unknown) => Promise<unknown>)();
    expect(invoke.mock.calls).toEqual([
      ['subkeys:create', { name: 'ci', upstreamId: 'up_1' }],
      ['proxy:status', {}],
      ['subkeys:list', {}],
    ]);
    expect('invoke' in bridge).toBe(false);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('subscribes to push events on their dedicated channel and returns the unsubscribe', () => {
    const unsubscribe = vi.fn();
    const subscribe = vi.fn((_channel: string, _listener: (payload: unknown) => void) => unsubscribe);
    const bridge = createBridge(vi.fn(), subscribe);
    const listener = vi.fn();
    const off = bridge.on('usage:changed', listener);
    expect(subscribe).toHaveBeenCalledWith('keygate-push:usage:changed', expect.any(Function));
    subscribe.mock.calls[0]![1]({ subkeyId: 'sk_1' });
    expect(listener).toHaveBeenCalledExactlyOnceWith({ subkeyId: 'sk_1' });
    off();
    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it('refuses unknown events and non-function listeners', () => {
    const bridge = createBridge(vi.fn(), vi.fn());
    expect(() => bridge.on('subkeys:create' as never, vi.fn())).toThrow('Unknown Keygate event');
    expect(() => bridge.on('proxy:changed', 'alert(1)' as never)).toThrow('must be a function');
  });
});

describe('the built preload (electron-vite, the project\'s own config)', () => {
  let outDir: string;
  let code: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'keygate-preload-'));
    const resolved = await resolveConfig({ root, logLevel: 'silent' }, 'build', 'production');
    const preload = resolved.config?.preload;
    if (!preload) throw new Error('electron.vite.config.ts has no preload build');
    await build({ ...preload, configFile: false, logLevel: 'silent', build: { ...preload.build, outDir, emptyOutDir: true } });
    code = readFileSync(join(outDir, 'index.cjs'), 'utf8');
  }, 60_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is CommonJS (a sandboxed preload cannot be an ES module)', () => {
    expect(code).toMatch(/\brequire\(["']electron["']\)/);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/^\s*export\s/m);
    expect(code).not.toContain('import.meta');
  });

  it('requires nothing but electron (no zod, no Node modules)', () => {
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/\bz\.object\b|ZodError/);
  });

  it('runs as CommonJS and exposes window.keygate with one method per channel, invoking over IPC', async () => {
    const exposed: Record<string, unknown> = {};
    const ipcRenderer = { invoke: vi.fn(async () => ({ ok: true, data: [] })), on: vi.fn(), removeListener: vi.fn() };
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
      ipcRenderer,
    };
    const module = { exports: {} };
    const fakeRequire = (spec: string) => {
      if (spec !== 'electron') throw new Error(`the preload required ${spec}`);
      return electron;
    };
    runInNewContext(code, { require: fakeRequire, module, exports: module.exports, console });

    const bridge = exposed.keygate as Record<string, (...args: unknown[]) => unknown>;
    expect(Object.keys(bridge).sort()).toEqual([...channels, 'on'].sort());
    await bridge['usage:list']!({ limit: 5 });
    expect(ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith('usage:list', { limit: 5 });

    const listener = vi.fn();
    const off = bridge.on!('proxy:changed', listener) as () => void;
    const [channel, wrapped] = ipcRenderer.on.mock.calls[0] as unknown as [string, (event: unknown, payload: unknown) => void];
    expect(channel).toBe('keygate-push:proxy:changed');
    wrapped({ sender: 'the IpcRendererEvent' }, { running: true });
    expect(listener).toHaveBeenCalledExactlyOnceWith({ running: true });
    off();
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith('keygate-push:proxy:changed', wrapped);
  });
});
