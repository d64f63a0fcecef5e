import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, clipboard, dialog, Menu, Notification, safeStorage, type BrowserWindow } from 'electron';
import { createCore, type Core } from '../core/app-core';
import { stderrLogger } from '../core/logger';
import { applicationMenuTemplate } from './app-menu';
import { openDesktopSecrets } from './desktop-secrets';
import { bindIpc, forwardPushEvents } from './ipc';
import { createElectronLoginItem, createXdgLoginItem, noLoginItem, startedAtLogin, type LoginItem } from './login-item';
import { QuitCoordinator } from './quit-coordinator';
import { notifyThresholds } from './threshold-notifier';
import { iconPaths } from './resource-paths';
import { KeygateTray } from './tray';
import { errorToAnnounce, storeErrorToAnnounce, type TrayAction, type TrayState } from './tray-model';
import { createMainWindow, devServerUrl, outDir, registerAppScheme, serveRenderer, showWindow } from './window';

/** Upper bound on waiting for in-flight proxied requests when quitting. */
const DRAIN_TIMEOUT_MS = 5_000;
const APP_ID = 'dev.keygate.app';
const log = stderrLogger;

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  // Another Keygate already runs (and owns the proxy port and the store): it gets a second-instance event.
  app.quit();
} else {
  startApp();
}

function loginItem(): LoginItem {
  if (!app.isPackaged) return noLoginItem;
  if (process.platform === 'linux') {
    const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    return createXdgLoginItem(join(configHome, 'autostart'), process.env.APPIMAGE ?? process.execPath);
  }
  return createElectronLoginItem(app);
}

function startApp(): void {
  let core: Core | null = null;
  let window: BrowserWindow | null = null;
  let tray: KeygateTray | null = null;
  const login = loginItem();
  const icons = iconPaths({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() });
  let trayState: TrayState = { proxy: null, busy: false, launchAtLogin: false, launchAtLoginSupported: login.supported };

  const quit = new QuitCoordinator({
    shutdown: async () => {
      tray?.destroy();
      tray = null;
      await core?.close(DRAIN_TIMEOUT_MS);
    },
    quit: () => app.quit(),
    timeoutMs: DRAIN_TIMEOUT_MS + 2_000,
    onError: (error) => log.error('shutdown failed', error),
  });

  const setTrayState = (next: Partial<TrayState>) => {
    trayState = { ...trayState, ...next };
    tray?.update(trayState);
  };

  const openWindow = () => {
    if (!app.isReady() || quit.quitting) return;
    if (!window || window.isDestroyed()) window = createMainWindow({ iconPath: icons.windowIcon, isQuitting: () => quit.quitting });
    showWindow(window);
  };

  const toggleProxy = async (current: Core) => {
    setTrayState({ busy: true });
    try {
      await (current.proxyController.status().running ? current.proxyController.stop() : current.proxyController.start());
    } catch (error) {
      log.error('proxy toggle failed', error);
    } finally {
      setTrayState({ busy: false, proxy: current.proxyController.status() });
    }
  };

  const onTrayAction = (action: TrayAction) => {
    switch (action) {
      case 'toggle-proxy':
        if (core) void toggleProxy(core);
        return;
      case 'copy-url':
        if (trayState.proxy) clipboard.writeText(trayState.proxy.url);
        return;
      case 'open-window':
        openWindow();
        return;
      case 'toggle-launch-at-login':
        try {
          login.setEnabled(!login.isEnabled());
        } catch (error) {
          log.error('could not change launch at login', error);
        }
        setTrayState({ launchAtLogin: login.isEnabled() });
        return;
      case 'quit':
        app.quit();
        return;
    }
  };

  app.on('before-quit', (event) => quit.onBeforeQuit(event));
  app.on('second-instance', openWindow);
  app.on('activate', openWindow);
  // Closing the window hides it (window.ts); the app keeps serving from the tray on every platform until Quit.
  app.on('window-all-closed', () => {});

  void app.whenReady().then(() => {
    if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
    const menu = applicationMenuTemplate(process.platform, app.isPackaged);
    Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
    const dataDir = process.env.KEYGATE_DATA_DIR || app.getPath('userData');
    try {
      const secrets = openDesktopSecrets({ safeStorage, platform: process.platform, dataDir, env: process.env, log });
      const pickExportFile = async (): Promise<string | null> => {
        const picked = await dialog.showSaveDialog({ defaultPath: `keygate-usage-${new Date().toISOString().slice(0, 10)}.csv`, filters: [{ name: 'CSV', extensions: ['csv'] }] });
        return picked.canceled || !picked.filePath ? null : picked.filePath;
      };
      core = createCore({ dataDir, secrets, mode: 'desktop', version: app.getVersion(), proxyMode: 'listener', log, pickExportFile });
    } catch (error) {
      log.error('keygate could not start', error);
      dialog.showErrorBox('Keygate could not start', `${error instanceof Error ? error.message : String(error)}\n\nData folder: ${dataDir}`);
      app.exit(1);
      return;
    }
    const opened = core;

    serveRenderer(join(outDir(), 'renderer'));
    bindIpc({ dispatch: opened.dispatch, devServerUrl: devServerUrl(), log });
    forwardPushEvents(opened.events, () => (window && !window.isDestroyed() ? [window.webContents] : []));
    notifyThresholds(opened.events, () => window, log);

    opened.events.on('proxy:changed', (status) => {
      const announce = errorToAnnounce(trayState.proxy, status);
      const storeFailure = storeErrorToAnnounce(trayState.proxy, status);
      setTrayState({ proxy: status });
      if (announce && Notification.isSupported()) {
        new Notification({ title: 'Keygate could not start the proxy', body: announce }).show();
      }
      if (storeFailure && Notification.isSupported()) {
        const body = `${storeFailure}. Every request is refused until Keygate can write again: free disk space, or check the data folder.`;
        new Notification({ title: 'Keygate cannot write its store', body }).show();
      }
    });

    trayState = { ...trayState, proxy: opened.proxyController.status(), launchAtLogin: login.isEnabled() };
    tray = new KeygateTray(icons.trayDir, onTrayAction, trayState);

    if (!startedAtLogin(process.argv, app, process.platform)) openWindow();
    if (opened.proxyController.status().autoStart) {
      // A start failure (port in use) arrives as a proxy:changed status with its error: tray line + notification.
      void opened.proxyController.start().catch((error: unknown) => log.error('proxy start failed', error));
    }
  });
}
