import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the built preload (`out/preload/index.cjs`). */
  preloadPath: string;
  /** Window icon (used on Linux and Windows; macOS takes the bundle's icon). */
  iconPath: string | null;
  /** Paint the window dark before the renderer loads, so a dark-mode user sees no white flash. */
  dark: boolean;
}

/**
 * The main window's options, in one place: the renderer is sandboxed, isolated from the preload's world and
 * has no Node; web security stays on; no webviews, no insecure content, no Node in workers or sub-frames.
 * The window starts hidden and is shown once painted (`ready-to-show`).
 */
export function createWindowOptions({ preloadPath, iconPath, dark }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Keygate',
    width: 1120,
    height: 760,
    // 800×600 must fit: the sidebar collapses to icons below 1,000 px.
    minWidth: 800,
    minHeight: 560,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: dark ? '#1a1b1e' : '#ffffff',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}
