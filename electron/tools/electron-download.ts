/**
 * What `npm start` says when the Electron binary cannot be downloaded (instead of a bare "TypeError: fetch failed"
 * and advice that fails the same way), and the stall timeout that keeps a dead network from hanging it.
 */

/** The Node the desktop tooling needs: Electron 45's installer and electron-builder declare it. */
export const DESKTOP_NODE_FLOOR = '22.12.0';

/** Whether `version` (`20.19.0`, `v22.12.1`) is at least `floor`. */
export function nodeAtLeast(version: string, floor: string): boolean {
  const parts = (text: string) => text.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [have, need] = [parts(version), parts(floor)];
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== need[i]!) return have[i]! > need[i]!;
  }
  return true;
}

/** A warning when this Node is older than the desktop app's tooling needs, or null. */
export function desktopNodeWarning(nodeVersion: string): string | null {
  if (nodeAtLeast(nodeVersion, DESKTOP_NODE_FLOOR)) return null;
  return (
    `keygate: warning: the desktop app needs Node ${DESKTOP_NODE_FLOOR} or newer (Electron's installer and electron-builder ` +
    `require it); this is Node ${nodeVersion.replace(/^v/, '')}. If a step below fails, upgrade Node. Tests and ` +
    '`npm run serve` run on Node 20.19 or newer.'
  );
}

/** The download made no progress for this long. */
export class StallTimeoutError extends Error {
  constructor(readonly seconds: number) {
    super(`no data arrived for ${seconds} s`);
    this.name = 'StallTimeoutError';
  }
}

/**
 * Runs `download`, aborting it when `stallMs` pass without progress (a firewall that drops packets would
 * otherwise hang `npm start` for minutes). A slow download that keeps receiving data is never cut off.
 */
export async function withStallTimeout<T>(stallMs: number, download: (signal: AbortSignal, progress: () => void) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new StallTimeoutError(Math.round(stallMs / 1000))), stallMs);
  };
  arm();
  try {
    return await download(controller.signal, arm);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason as Error;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The network-level reason a download failed, found along the `cause` chain. */
export interface NetworkCause {
  code: string | null;
  detail: string;
}

const EXPLANATIONS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve: no network, or DNS is blocked',
  EAI_AGAIN: 'the host name does not resolve: no network, or DNS is blocked',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset: a proxy or firewall may block it',
  ETIMEDOUT: 'the connection timed out: a firewall may drop it',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out: a firewall may drop it',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the host is unreachable',
  SELF_SIGNED_CERT_IN_CHAIN: 'the TLS certificate is not trusted: a proxy that inspects TLS? Set NODE_EXTRA_CA_CERTS',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the TLS certificate is not trusted: a proxy that inspects TLS? Set NODE_EXTRA_CA_CERTS',
};

/** The innermost error that says something, with its code. */
export function networkCause(error: unknown): NetworkCause {
  let current: unknown = error;
  let found: NetworkCause = { code: null, detail: String(error) };
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof message === 'string' && message !== 'fetch failed') found = { code: typeof code === 'string' ? code : found.code, detail: message };
    else if (typeof code === 'string') found = { ...found, code };
    current = cause;
  }
  return found;
}

/** What the platform and version of the binary that failed were. */
export interface ElectronDownload {
  version: string;
  platform: string;
  arch: string;
}

/** The message for a failed Electron download: what failed and why, how to retry, and the way without Electron. */
export function electronDownloadFailureMessage(error: unknown, download: ElectronDownload): string {
  const cause = networkCause(error);
  const explanation = cause.code ? EXPLANATIONS[cause.code] : undefined;
  return [
    `keygate: the Electron ${download.version} binary (${download.platform}-${download.arch}) could not be downloaded.`,
    `  why: ${cause.detail}${explanation ? ` (${explanation})` : ''}`,
    '  retry: run `npm start` again once github.com is reachable. Behind a proxy: ELECTRON_GET_USE_PROXY=true',
    '    HTTPS_PROXY=http://HOST:PORT npm start. From a mirror: ELECTRON_MIRROR=https://MIRROR/ npm start.',
    '  without Electron: `npm run serve -- --admin` serves the same app in a browser (it prints the address and a',
    '    one-time admin token to sign in with).',
  ].join('\n');
}
