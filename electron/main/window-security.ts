import type { Session, WebContents } from 'electron';
import { decideNavigation, decideWindowOpen, isPermissionAllowed } from './app-origin';

/**
 * Denies every permission the web platform can ask for (camera, notifications, clipboard reads, USB, …) except
 * clipboard writes from the app itself (see `isPermissionAllowed`); devices are always refused. Chromium checks
 * before it requests, so both handlers answer.
 */
export function restrictPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>,
  devServerUrl: string | null,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, { requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame }, devServerUrl)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, { requestingUrl: details.requestingUrl ?? requestingOrigin, isMainFrame: details.isMainFrame }, devServerUrl),
  );
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
