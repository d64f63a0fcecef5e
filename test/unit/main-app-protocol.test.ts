import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/app-files';

const electron = vi.hoisted(() => ({
  schemes: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
}));

vi.mock('electron', () => ({
  app: {},
  BrowserWindow: class {},
  nativeTheme: {},
  shell: {},
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => electron.schemes.push(...schemes),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => electron.handlers.set(scheme, handler),
  },
}));

const { registerAppScheme, serveRenderer } = await import('../../electron/main/window');

let root: string;
let rendererDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'keygate-protocol-'));
  rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Keygate</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
  serveRenderer(rendererDir);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Calls the registered handler as Electron would (its GlobalRequest carries the app:// URL and method). */
const fetchApp = (url: string, method = 'GET') => electron.handlers.get('app')!({ url, method } as Request);

describe('the app:// protocol', () => {
  it('registers app as a standard, secure scheme', () => {
    registerAppScheme();
    expect(electron.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves the renderer with its type and the CSP header', async () => {
    const response = await fetchApp('app://keygate/index.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Keygate</title>');
    expect(await (await fetchApp('app://keygate/assets/app.js')).text()).toBe('console.log(1)');
  });

  it('answers 404 for missing files and never serves files outside the renderer', async () => {
    expect((await fetchApp('app://keygate/assets/missing.js')).status).toBe(404);
    const escape = await fetchApp('app://keygate/..%2fsecret.txt');
    expect(escape.status).toBe(403);
    expect(await escape.text()).not.toContain('outside the renderer');
    expect((await fetchApp('app://other/index.html')).status).toBe(404);
  });

  it('refuses writes', async () => {
    expect((await fetchApp('app://keygate/index.html', 'POST')).status).toBe(405);
  });
});
