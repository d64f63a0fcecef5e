/**
 * The lifecycle in electron/main/index.ts, run against a stand-in of Electron's API (the binary cannot run
 * here) and a stand-in core: what happens on launch, on proxy changes, on tray clicks, on close and on quit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channels } from '../../electron/shared/contract';
import { applicationMenuTemplate } from '../../electron/main/app-menu';
import type { ProxyStatus } from '../../electron/shared/types';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  class Emitter {
    listeners = new Map<string, Listener[]>();
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
      return this;
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener);
    }
    emit(name: string, ...args: unknown[]) {
      for (const listener of this.listeners.get(name) ?? []) listener(...args);
    }
  }
  const event = () => {
    let prevented = false;
    return { preventDefault: () => (prevented = true), get prevented() { return prevented; } };
  };
  const state = {
    lock: true,
    userData: '',
    windows: [] as FakeWindow[],
    trays: [] as FakeTray[],
    notifications: [] as { title: string; body: string }[],
    clipboard: [] as string[],
    ipc: new Map<string, Listener>(),
    protocols: new Map<string, Listener>(),
    app: null as unknown as FakeApp,
    applicationMenu: undefined as unknown,
  };
  class FakeApp extends Emitter {
    quit = vi.fn(() => {
      const before = event();
      this.emit('before-quit', before);
      if (!before.prevented) this.quitted = true;
    });
    quitted = false;
    exit = vi.fn();
    isPackaged = false;
    requestSingleInstanceLock = () => state.lock;
    whenReady = () => Promise.resolve();
    isReady = () => true;
    getPath = () => state.userData;
    getVersion = () => '9.9.9';
    getAppPath = () => '/project';
    setAppUserModelId = vi.fn();
    getLoginItemSettings = () => ({ openAtLogin: false, wasOpenedAtLogin: false });
    setLoginItemSettings = vi.fn();
  }
  class FakeWindow extends Emitter {
    visible = false;
    destroyed = false;
    loaded: string | null = null;
    webContents = Object.assign(new Emitter(), {
      session: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn() },
      setWindowOpenHandler: vi.fn(),
      send: vi.fn(),
      isDestroyed: () => false,
    });
    constructor(readonly options: Record<string, unknown>) {
      super();
      state.windows.push(this);
    }
    loadURL = vi.fn(async (url: string) => {
      this.loaded = url;
    });
    show = vi.fn(() => (this.visible = true));
    hide = vi.fn(() => (this.visible = false));
    focus = vi.fn();
    restore = vi.fn();
    isMinimized = () => false;
    isDestroyed = () => this.destroyed;
    /** What the user clicking the close button does: a cancellable close event. */
    close() {
      const closing = event();
      this.emit('close', closing);
      if (!closing.prevented) this.destroyed = true;
      return !closing.prevented;
    }
  }
  class FakeTray extends Emitter {
    image = '';
    tooltip = '';
    menu: { label?: string; click?: () => void; enabled?: boolean }[] = [];
    destroyed = false;
    constructor(image: string) {
      super();
      this.image = image;
      state.trays.push(this);
    }
    setImage = (image: string) => (this.image = image);
    setToolTip = (tooltip: string) => (this.tooltip = tooltip);
    setContextMenu = (menu: FakeTray['menu']) => (this.menu = menu);
    destroy = () => (this.destroyed = true);
    click(label: string) {
      const item = this.menu.find((entry) => entry.label === label);
      if (!item?.click) throw new Error(`no menu item ${label}: ${this.menu.map((entry) => entry.label).join(', ')}`);
      item.click();
    }
  }
  state.app = new FakeApp();
  return { state, FakeApp, FakeWindow, FakeTray, event };
});

vi.mock('electron', () => ({
  get app() {
    return fake.state.app;
  },
  BrowserWindow: fake.FakeWindow,
  Tray: fake.FakeTray,
  Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: (menu: unknown) => (fake.state.applicationMenu = menu) },
  nativeImage: { createFromPath: (path: string) => path },
  nativeTheme: { shouldUseDarkColors: false },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: (scheme: string, handler: Listener) => fake.state.protocols.set(scheme, handler) },
  shell: { openExternal: vi.fn() },
  clipboard: { writeText: (text: string) => fake.state.clipboard.push(text) },
  dialog: { showErrorBox: vi.fn() },
  Notification: class {
    static isSupported = () => true;
    constructor(private readonly options: { title: string; body: string }) {}
    show() {
      fake.state.notifications.push(this.options);
    }
  },
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (text: string) => Buffer.from(text),
    decryptString: (blob: Buffer) => blob.toString(),
  },
  ipcMain: { handle: (channel: string, handler: Listener) => fake.state.ipc.set(channel, handler), removeHandler: vi.fn() },
}));

const core = vi.hoisted(() => {
  const listeners = new Set<(status: ProxyStatus) => void>();
  const stopped: ProxyStatus = { running: false, url: 'http://127.0.0.1:8080/v1', host: '127.0.0.1', port: 8080, autoStart: true, timeZone: 'UTC', defaultOutputTokens: 4096, usageRetentionDays: 90, error: null, storeError: null };
  const state = { status: { ...stopped }, startError: null as string | null, closed: null as number | null, closeDone: null as null | (() => void) };
  const emit = () => listeners.forEach((listener) => listener({ ...state.status }));
  const instance = {
    dispatch: vi.fn(async () => ({ ok: true as const, data: null })),
    events: {
      on: (event: string, listener: (status: ProxyStatus) => void) => {
        if (event !== 'proxy:changed') return () => {};
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    proxyController: {
      status: () => ({ ...state.status }),
      start: vi.fn(async () => {
        state.status = state.startError ? { ...state.status, running: false, error: state.startError } : { ...state.status, running: true, error: null };
        emit();
        return { ...state.status };
      }),
      stop: vi.fn(async () => {
        state.status = { ...state.status, running: false };
        emit();
        return { ...state.status };
      }),
    },
    close: vi.fn((timeoutMs: number) => {
      state.closed = timeoutMs;
      return new Promise<void>((resolve) => (state.closeDone = resolve));
    }),
  };
  const reset = () => {
    listeners.clear();
    state.status = { ...stopped };
    state.startError = null;
    state.closed = null;
    state.closeDone = null;
    instance.proxyController.start.mockClear();
    instance.proxyController.stop.mockClear();
    instance.close.mockClear();
  };
  return { instance, state, reset, createCore: vi.fn(() => instance) };
});

vi.mock('../../electron/core/app-core', () => ({ createCore: core.createCore }));

let scratch: string;
const savedEnv = { ...process.env };
const savedArgv = [...process.argv];

async function launch(): Promise<void> {
  vi.resetModules();
  await import('../../electron/main/index');
  if (fake.state.lock) await vi.waitFor(() => expect(fake.state.trays).toHaveLength(1));
}

const tray = () => fake.state.trays[0]!;
const window = () => fake.state.windows[0]!;
const statusLine = () => tray().menu[0]?.label;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keygate-lifecycle-'));
  Object.assign(fake.state, { lock: true, userData: join(scratch, 'userData'), windows: [], trays: [], notifications: [], clipboard: [] });
  fake.state.ipc.clear();
  fake.state.protocols.clear();
  fake.state.app = new fake.FakeApp();
  core.reset();
  core.createCore.mockClear();
  process.env.XDG_CONFIG_HOME = join(scratch, 'config');
  delete process.env.KEYGATE_DATA_DIR;
  delete process.env.ELECTRON_RENDERER_URL;
});

afterEach(() => {
  delete (process as { resourcesPath?: string }).resourcesPath;
  process.env = { ...savedEnv };
  process.argv = [...savedArgv];
  rmSync(scratch, { recursive: true, force: true });
});

describe('launch', () => {
  it('a store that cannot be opened: "keygate could not start: <cause>" on stderr, an error box, exit 1, no tray', async () => {
    core.createCore.mockImplementationOnce(() => {
      throw new Error('The database is locked by another Keygate');
    });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { dialog } = await import('electron');
    vi.resetModules();
    await import('../../electron/main/index');
    await vi.waitFor(() => expect(fake.state.app.exit).toHaveBeenCalledWith(1));
    expect(stderr).toHaveBeenCalledWith('error: keygate could not start: The database is locked by another Keygate');
    expect(dialog.showErrorBox).toHaveBeenCalledWith('Keygate could not start', expect.stringContaining('The database is locked by another Keygate'));
    expect(fake.state.trays).toHaveLength(0);
    stderr.mockRestore();
  });

  it('a second launch hands over to the running app and quits at once', async () => {
    fake.state.lock = false;
    await launch();
    expect(fake.state.app.quit).toHaveBeenCalled();
    expect(core.createCore).not.toHaveBeenCalled();
    expect(fake.state.windows).toHaveLength(0);
  });

  it('opens the core in userData, binds IPC for every channel, serves app://, starts the proxy, shows tray and window', async () => {
    await launch();
    expect(core.createCore).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ dataDir: fake.state.userData, mode: 'desktop', proxyMode: 'listener', version: '9.9.9' }),
    );
    expect([...fake.state.ipc.keys()].sort()).toEqual([...channels].sort());
    expect(fake.state.protocols.has('app')).toBe(true);
    expect(window().options).toMatchObject({ webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, preload: '/project/out/preload/index.cjs' } });
    expect(window().loaded).toBe('app://keygate/index.html');
    expect(window().visible).toBe(true);
    await vi.waitFor(() => expect(core.instance.proxyController.start).toHaveBeenCalledOnce());
    expect(tray().image).toBe('/project/resources/tray/running.png');
    expect(statusLine()).toBe('Running at http://127.0.0.1:8080/v1');
    expect(fake.state.applicationMenu).toEqual(applicationMenuTemplate(process.platform, false));
  });

  it('honours KEYGATE_DATA_DIR, the auto-start setting and a launch at login', async () => {
    process.env.KEYGATE_DATA_DIR = join(scratch, 'elsewhere');
    process.argv = [...savedArgv, '--hidden'];
    core.state.status = { ...core.state.status, autoStart: false };
    await launch();
    expect(core.createCore).toHaveBeenCalledWith(expect.objectContaining({ dataDir: join(scratch, 'elsewhere') }));
    expect(core.instance.proxyController.start).not.toHaveBeenCalled();
    expect(fake.state.windows).toHaveLength(0);
    expect(statusLine()).toBe('Proxy stopped');
    expect(tray().image).toBe('/project/resources/tray/stopped.png');
  });
});

describe('the tray follows the proxy', () => {
  it('shows a start error as the status line and one notification, not a crash', async () => {
    core.state.startError = 'Port 8080 is already in use';
    await launch();
    await vi.waitFor(() => expect(statusLine()).toBe('Stopped: Port 8080 is already in use'));
    expect(fake.state.notifications).toEqual([{ title: 'Keygate could not start the proxy', body: 'Port 8080 is already in use' }]);
    expect(tray().image).toBe('/project/resources/tray/stopped.png');
  });

  it('stops and starts from the tray, and copies the base URL', async () => {
    await launch();
    await vi.waitFor(() => expect(statusLine()).toMatch(/^Running/));
    tray().click('Copy base URL');
    expect(fake.state.clipboard).toEqual(['http://127.0.0.1:8080/v1']);
    tray().click('Stop proxy');
    await vi.waitFor(() => expect(statusLine()).toBe('Proxy stopped'));
    expect(core.instance.proxyController.stop).toHaveBeenCalledOnce();
    tray().click('Start proxy');
    await vi.waitFor(() => expect(statusLine()).toMatch(/^Running/));
  });

  it.runIf(process.platform === 'linux')('writes the Linux autostart entry from the Launch at login checkbox', async () => {
    fake.state.app.isPackaged = true;
    (process as { resourcesPath?: string }).resourcesPath = '/opt/Keygate/resources';
    await launch();
    expect(tray().image).toMatch(/^\/opt\/Keygate\/resources\/tray\/(running|stopped)\.png$/);
    const entry = join(scratch, 'config/autostart/keygate.desktop');
    tray().click('Launch at login');
    expect(tray().menu.find((item) => item.label === 'Launch at login')).toMatchObject({ checked: true });
    expect(readFileSync(entry, 'utf8')).toContain(`Exec="${process.execPath}" --hidden`);
    tray().click('Launch at login');
    expect(existsSync(entry)).toBe(false);
  });

  it('does not offer Launch at login in a development run (it would register the bare Electron binary)', async () => {
    await launch();
    expect(tray().menu.map((item) => item.label)).not.toContain('Launch at login');
  });
});

describe('closing and quitting', () => {
  it('closing the window hides it and keeps serving; a second launch or the tray brings it back', async () => {
    await launch();
    expect(window().close()).toBe(false);
    expect(window().visible).toBe(false);
    expect(core.instance.close).not.toHaveBeenCalled();
    fake.state.app.emit('second-instance');
    expect(window().visible).toBe(true);
    window().close();
    tray().click('Open Keygate');
    expect(window().visible).toBe(true);
    expect(fake.state.windows).toHaveLength(1);
  });

  it('quit waits for the core to close (bounded drain), then really quits and lets the window close', async () => {
    await launch();
    tray().click('Quit Keygate');
    expect(fake.state.app.quitted).toBe(false);
    expect(core.state.closed).toBe(5000);
    expect(tray().destroyed).toBe(true);
    expect(fake.state.app.quit).toHaveBeenCalledTimes(1);
    core.state.closeDone!();
    await vi.waitFor(() => expect(fake.state.app.quitted).toBe(true));
    expect(window().close()).toBe(true);
    expect(core.instance.close).toHaveBeenCalledOnce();
  });
});
