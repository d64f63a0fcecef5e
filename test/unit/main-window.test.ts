import type { Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createWindowOptions } from '../../electron/main/window-options';
import { guardWebContents, restrictPermissions } from '../../electron/main/window-security';

describe('createWindowOptions', () => {
  const options = createWindowOptions({ preloadPath: '/app/out/preload/index.cjs', iconPath: '/app/resources/icon.png', dark: false });

  it('isolates and sandboxes the renderer, with no Node anywhere', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('loads the CommonJS preload (a sandboxed preload cannot be ESM)', () => {
    expect(options.webPreferences?.preload).toMatch(/\.cjs$/);
  });

  it('starts hidden (shown once painted) and paints the theme colour first', () => {
    expect(options.show).toBe(false);
    expect(options.backgroundColor).toBe('#ffffff');
    expect(createWindowOptions({ preloadPath: 'p.cjs', iconPath: null, dark: true }).backgroundColor).toBe('#1a1b1e');
  });

  it('sets the window icon only when there is one', () => {
    expect(options.icon).toBe('/app/resources/icon.png');
    expect('icon' in createWindowOptions({ preloadPath: 'p.cjs', iconPath: null, dark: false })).toBe(false);
  });
});

type Listener = (event: { url: string; preventDefault: () => void }) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    setWindowOpenHandler: (handler: typeof openHandler) => {
      openHandler = handler;
    },
    on: (name: string, listener: Listener) => {
      listeners.set(name, listener);
      return contents;
    },
  };
  const fire = (name: string, url: string) => {
    const event = { url, preventDefault: vi.fn() };
    listeners.get(name)!(event);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { contents: contents as unknown as WebContents, fire, open: (url: string) => openHandler!({ url }) };
}

describe('guardWebContents', () => {
  it('denies every new window and opens only allow-listed links in the browser', () => {
    const openExternal = vi.fn();
    const { contents, open } = fakeContents();
    guardWebContents(contents, { devServerUrl: null, openExternal });
    expect(open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(open('app://keygate/index.html')).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
    expect(open('https://platform.openai.com/api-keys')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledExactlyOnceWith('https://platform.openai.com/api-keys');
  });

  it('refuses navigation and redirects away from the app', () => {
    const openExternal = vi.fn();
    const { contents, fire } = fakeContents();
    guardWebContents(contents, { devServerUrl: null, openExternal });
    expect(fire('will-navigate', 'app://keygate/index.html')).toBe(false);
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(fire('will-redirect', 'app://keygate/index.html')).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();
    expect(fire('will-navigate', 'https://github.com/')).toBe(true);
    expect(openExternal).toHaveBeenCalledExactlyOnceWith('https://github.com/');
  });

  it('allows the dev server only in development', () => {
    const dev = fakeContents();
    guardWebContents(dev.contents, { devServerUrl: 'http://localhost:5173', openExternal: vi.fn() });
    expect(dev.fire('will-navigate', 'http://localhost:5173/')).toBe(false);
    const packaged = fakeContents();
    guardWebContents(packaged.contents, { devServerUrl: null, openExternal: vi.fn() });
    expect(packaged.fire('will-navigate', 'http://localhost:5173/')).toBe(true);
  });

  it('refuses webviews', () => {
    const { contents, fire } = fakeContents();
    guardWebContents(contents, { devServerUrl: null, openExternal: vi.fn() });
    expect(fire('will-attach-webview', 'app://keygate/index.html')).toBe(true);
  });
});

describe('restrictPermissions', () => {
  type RequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: object) => void;
  type CheckHandler = (contents: unknown, permission: string, origin: string, details: object) => boolean;

  function harden(devServerUrl: string | null = null) {
    const handlers: { request?: RequestHandler; check?: CheckHandler; device?: (details: object) => boolean } = {};
    const session = {
      setPermissionRequestHandler: (handler: RequestHandler) => (handlers.request = handler),
      setPermissionCheckHandler: (handler: CheckHandler) => (handlers.check = handler),
      setDevicePermissionHandler: (handler: (details: object) => boolean) => (handlers.device = handler),
    } as unknown as Session;
    restrictPermissions(session, devServerUrl);
    const request = (permission: string, requestingUrl: string, isMainFrame = true) => {
      const callback = vi.fn();
      handlers.request!({}, permission, callback, { requestingUrl, isMainFrame });
      expect(callback).toHaveBeenCalledOnce();
      return callback.mock.calls[0]![0] as boolean;
    };
    const check = (permission: string, origin: string, isMainFrame = true) => handlers.check!({}, permission, origin, { isMainFrame });
    return { request, check, device: handlers.device! };
  }

  it('refuses every permission the window does not need, to anyone', () => {
    const { request, check, device } = harden();
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'fileSystem', 'hid', 'unknown']) {
      expect(request(permission, 'app://keygate/index.html'), permission).toBe(false);
      expect(check(permission, 'app://keygate'), permission).toBe(false);
    }
    expect(device({ deviceType: 'usb', origin: 'app://keygate' })).toBe(false);
  });

  it('lets the app itself write to the clipboard (Copy buttons), and nobody else', () => {
    const { request, check } = harden();
    expect(request('clipboard-sanitized-write', 'app://keygate/index.html')).toBe(true);
    expect(check('clipboard-sanitized-write', 'app://keygate')).toBe(true);
    expect(request('clipboard-sanitized-write', 'app://keygate/index.html', false)).toBe(false);
    expect(check('clipboard-sanitized-write', 'app://keygate', false)).toBe(false);
    expect(request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(check('clipboard-sanitized-write', 'http://localhost:5173')).toBe(false);
  });

  it('treats the dev server as the app only in development', () => {
    expect(harden('http://localhost:5173').check('clipboard-sanitized-write', 'http://localhost:5173')).toBe(true);
  });
});
