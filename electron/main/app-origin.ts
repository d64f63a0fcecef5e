/**
 * Where the renderer comes from and where it may go. Pure functions over `new URL`, so the window's
 * navigation, window-open and IPC-sender decisions are unit-tested without Electron.
 */

/** The privileged scheme the packaged renderer is served from (registered as standard + secure). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'keygate';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Hosts the window may open in the user's browser (https only, exact host names): provider consoles where a
 * person gets an API key, and the project's home. Everything else a link points at is dropped.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'platform.openai.com',
  'openai.com',
  'openrouter.ai',
  'platform.deepseek.com',
  'api-docs.deepseek.com',
  'ollama.com',
  'lmstudio.ai',
  'github.com',
];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether `url` belongs to the app itself: `app://keygate/…`, or in development the electron-vite dev server's
 * origin. Compares scheme and host explicitly: for a custom scheme `URL.origin` is the string "null".
 */
export function isAppOrigin(url: string, devServerUrl: string | null = null): boolean {
  const target = parse(url);
  if (!target || target.username || target.password) return false;
  if (target.protocol === `${APP_SCHEME}:` && target.host === APP_HOST) return true;
  if (!devServerUrl) return false;
  const dev = parse(devServerUrl);
  return dev !== null && (dev.protocol === 'http:' || dev.protocol === 'https:') && target.origin === dev.origin;
}

/** An https URL on the allow-list, normalised; anything else (http, credentials, other hosts, ports) is null. */
export function allowedExternalUrl(url: string): string | null {
  const target = parse(url);
  if (!target || target.protocol !== 'https:' || target.username || target.password || target.port) return null;
  return EXTERNAL_LINK_HOSTS.includes(target.hostname) ? target.href : null;
}

/** What to do with a navigation or a new-window request. */
export interface NavigationDecision {
  /** Let the window itself navigate (only within the app). */
  allow: boolean;
  /** Hand this URL to the OS browser instead (allow-listed https only). */
  openExternal: string | null;
}

/** `setWindowOpenHandler`: the app never opens windows of its own; allow-listed https links go to the browser. */
export function decideWindowOpen(url: string): NavigationDecision {
  return { allow: false, openExternal: allowedExternalUrl(url) };
}

/** `will-navigate`: stay inside the app; an allow-listed https link opens in the browser, anything else is dropped. */
export function decideNavigation(url: string, devServerUrl: string | null = null): NavigationDecision {
  if (isAppOrigin(url, devServerUrl)) return { allow: true, openExternal: null };
  return { allow: false, openExternal: allowedExternalUrl(url) };
}

/** Where a permission request or check comes from (Electron's handler details, reduced). */
export interface PermissionContext {
  /** The requesting frame's URL (requests) or origin (checks); may be missing. */
  requestingUrl: string | undefined;
  isMainFrame: boolean;
}

/**
 * Whether the window may use a web permission. Only one is granted: writing text to the clipboard
 * (`clipboard-sanitized-write`, what `navigator.clipboard.writeText` asks for, needed by the Copy buttons of the
 * secret shown once), and only to the app's own main frame. Reading the clipboard, camera, notifications,
 * geolocation, USB… are refused, as is everything asked by anything else.
 */
export function isPermissionAllowed(permission: string, context: PermissionContext, devServerUrl: string | null = null): boolean {
  return (
    permission === 'clipboard-sanitized-write' &&
    context.isMainFrame &&
    context.requestingUrl !== undefined &&
    isAppOrigin(context.requestingUrl, devServerUrl)
  );
}
