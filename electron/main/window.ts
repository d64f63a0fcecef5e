import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, BrowserWindow, nativeTheme, protocol, shell } from 'electron';
import { appResponseHeaders, resolveAppFile } from './app-files';
import { APP_ENTRY_URL, APP_SCHEME, allowedExternalUrl } from './app-origin';
import { createWindowOptions } from './window-options';
import { guardWebContents, restrictPermissions } from './window-security';

/** Where the built app lives: `out/` next to package.json, inside the asar archive once packaged. */
export const outDir = (): string => join(app.getAppPath(), 'out');

/** The electron-vite dev server (`npx electron-vite dev`, on a machine with Electron), or null for the built renderer. */
export function devServerUrl(): string | null {
  return !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
}

/**
 * Registers app:// as a standard, secure scheme (origin-bound storage, fetch, CSP 'self'). Must run before `ready`.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves the built renderer over app://keygate with the CSP header; `resolveAppFile` refuses anything outside it. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveAppFile(rendererDir, request.url, request.method);
    if (!resolved.ok) return new Response(null, { status: resolved.status });
    try {
      const body = await readFile(resolved.file);
      return new Response(request.method === 'HEAD' ? null : body, { headers: appResponseHeaders(resolved.contentType) });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

/** Opens a URL in the user's browser, re-checked against the allow-list right before handing it to the OS. */
export function openExternalSafely(url: string): void {
  const allowed = allowedExternalUrl(url);
  if (allowed) void shell.openExternal(allowed);
}

export interface MainWindowOptions {
  iconPath: string | null;
  /** True once the app is quitting: closing the window then really closes it instead of hiding it to the tray. */
  isQuitting: () => boolean;
}

/** Creates the main window (hidden until painted), hardened and loading the renderer; closing hides it to the tray. */
export function createMainWindow({ iconPath, isQuitting }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow(
    createWindowOptions({ preloadPath: join(outDir(), 'preload/index.cjs'), iconPath, dark: nativeTheme.shouldUseDarkColors }),
  );
  restrictPermissions(window.webContents.session, devServerUrl());
  guardWebContents(window.webContents, { devServerUrl: devServerUrl(), openExternal: openExternalSafely });
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    if (isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  const dev = devServerUrl();
  void window.loadURL(dev ?? APP_ENTRY_URL);
  return window;
}

/** Brings the window to the front, restoring it if minimised or hidden. */
export function showWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
