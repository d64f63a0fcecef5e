import type { Session, WebContents } from 'electron';
import { decideNavigation, decideWindowOpen } from './app-origin';

/** Denies every permission the web platform can ask for (camera, notifications, clipboard, USB, …): the window needs none. */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

export interface ContentsPolicy {
  /** The electron-vite dev server in development, else null (only app:// is the app). */
  devServerUrl: string | null;
  /** Opens an allow-listed https URL in the user's browser (`shell.openExternal`). */
  openExternal: (url: string) => void;
}

/**
 * Keeps a web contents inside the app: no new windows (allow-listed https links go to the browser), no
 * navigation or redirect away from the app's origin, no webviews.
 */
export function guardWebContents(contents: Pick<WebContents, 'setWindowOpenHandler' | 'on'>, policy: ContentsPolicy): void {
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternal) policy.openExternal(decision.openExternal);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    const decision = decideNavigation(event.url, policy.devServerUrl);
    if (decision.allow) return;
    event.preventDefault();
    if (decision.openExternal) policy.openExternal(decision.openExternal);
  });
  contents.on('will-redirect', (event) => {
    if (!decideNavigation(event.url, policy.devServerUrl).allow) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
