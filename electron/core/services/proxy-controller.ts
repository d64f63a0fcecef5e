import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, type ErrorDetail } from '../../shared/errors';
import type { ChannelParsed } from '../../shared/contract';
import type { ProxyStatus } from '../../shared/types';
import type { Logger } from '../logger';
import { refuseConnect } from '../proxy/method-gate';
import { writeSocketAnswer } from '../proxy/socket-answer';
import type { Proxy } from '../proxy/types';
import type { Database } from '../store/database';
import { readBudgetZones, readDefaultOutputTokens, writeBudgetTimeZone } from '../budgets/budget-settings';
import { readSetting, SETTING_KEYS, writeSetting } from '../store/settings-repo';
import { readRetentionDays } from '../store/usage-retention';
import { isLoopbackHost, listenFailure, proxyUrl } from './proxy-address';

export const DEFAULT_PROXY_HOST = '127.0.0.1';
export const DEFAULT_PROXY_PORT = 8080;
/** How long `stop` lets in-flight requests finish before cutting their connections. */
const STOP_GRACE_MS = 3_000;

export interface ProxyControllerOptions {
  db: Database;
  proxy: Proxy;
  /** listener: owns a node:http server (desktop). mounted: the headless server routes `/v1` to `handle`. */
  mode: 'listener' | 'mounted';
  /** listener: defaults when nothing is stored. mounted: the address given by --host/--port. */
  host?: string;
  port?: number;
  log: Logger;
}

export interface ProxyController {
  status(): ProxyStatus;
  start(): Promise<ProxyStatus>;
  stop(): Promise<ProxyStatus>;
  configure(input: ChannelParsed<'proxy:configure'>): Promise<ProxyStatus>;
  /** Mounted mode: serves `/v1` through the proxy while started, else an OpenAI-shaped 503. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Mounted mode: the same for an upgrade under `/v1` (the server's 'upgrade' event), answered on the raw socket. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Mounted mode: the address the headless server really listens on (after `--port 0`). */
  setMountedAddress(host: string, port: number): void;
  onChange(listener: (status: ProxyStatus) => void): () => void;
  /** Stops the listener (if any); the proxy itself, WebSockets included, is drained by the caller. */
  close(): Promise<void>;
}

interface ProxySettings {
  host: string;
  port: number;
  autoStart: boolean;
}

function readProxySettings(db: Database, defaults: { host: string; port: number }): ProxySettings {
  const host = readSetting(db, SETTING_KEYS.proxyHost);
  const port = readSetting(db, SETTING_KEYS.proxyPort);
  const autoStart = readSetting(db, SETTING_KEYS.proxyAutoStart);
  return {
    host: typeof host === 'string' && host ? host : defaults.host,
    port: Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535 ? (port as number) : defaults.port,
    autoStart: typeof autoStart === 'boolean' ? autoStart : true,
  };
}

const PROXY_STOPPED_BODY = JSON.stringify({
  error: { message: 'The Keygate proxy is stopped. Start it from Keygate to use this key.', type: 'server_error', param: null, code: 'proxy_stopped' },
});

/** Answers `/v1` while a mounted proxy is stopped: OpenAI's error shape so SDKs show the message. */
export function writeProxyStopped(response: ServerResponse): void {
  response.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(PROXY_STOPPED_BODY) });
  response.end(PROXY_STOPPED_BODY);
}

/** proxy:* — start/stop/configure the proxy, as a listener of its own or mounted in the headless server. */
export function createProxyController(options: ProxyControllerOptions): ProxyController {
  const { db, proxy, log } = options;
  const defaults = { host: options.host ?? DEFAULT_PROXY_HOST, port: options.port ?? DEFAULT_PROXY_PORT };
  const listeners = new Set<(status: ProxyStatus) => void>();
  let server: Server | null = null;
  let mountedServing = false;
  let mountedAddress = { ...defaults };
  let lastError: (ErrorDetail & { message: string }) | null = null;
  // Upgraded sockets leave the HTTP server's bookkeeping: stopping the proxy cuts them itself.
  const upgraded = new Set<Duplex>();
  // start/stop/configure run one at a time, so a quick start-stop-start cannot interleave.
  let queue: Promise<unknown> = Promise.resolve();

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  function errorFields(): Pick<ProxyStatus, 'error' | 'errorReason' | 'errorParams' | 'storeError'> {
    const storeError = proxy.storeFailure();
    if (!lastError) return { error: null, storeError };
    return { error: lastError.message, errorReason: lastError.reason, ...(lastError.params && { errorParams: lastError.params }), storeError };
  }

  function status(): ProxyStatus {
    const settings = readProxySettings(db, defaults);
    if (options.mode === 'mounted') {
      const { host, port } = mountedAddress;
      return { running: mountedServing, url: proxyUrl(host, port), host, port, autoStart: settings.autoStart, ...budgetSettings(), ...errorFields() };
    }
    const port = server ? (server.address() as AddressInfo).port : settings.port;
    return { running: server !== null, url: proxyUrl(settings.host, port), host: settings.host, port, autoStart: settings.autoStart, ...budgetSettings(), ...errorFields() };
  }

  function budgetSettings(): Pick<ProxyStatus, 'timeZone' | 'defaultOutputTokens' | 'usageRetentionDays'> {
    return { timeZone: readBudgetZones(db).zone, defaultOutputTokens: readDefaultOutputTokens(db), usageRetentionDays: readRetentionDays(db) };
  }

  function changed(): ProxyStatus {
    const current = status();
    for (const listener of listeners) listener(current);
    return current;
  }

  async function listen(): Promise<void> {
    if (server) return;
    const { host, port } = readProxySettings(db, defaults);
    if (!isLoopbackHost(host)) log.warn(`The proxy listens on ${host}: other machines on the network can reach it.`);
    const candidate = createServer((request, response) => proxy.handle(request, response));
    candidate.on('connect', refuseConnect);
    candidate.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => passUpgrade(request, socket, head));
    try {
      await new Promise<void>((resolve, reject) => {
        candidate.once('error', reject);
        candidate.listen(port, host, () => {
          candidate.off('error', reject);
          resolve();
        });
      });
      candidate.on('error', (error) => log.error('proxy server error', error));
      server = candidate;
      lastError = null;
      log.info(`proxy listening on ${proxyUrl(host, (candidate.address() as AddressInfo).port)}`);
    } catch (error) {
      lastError = listenFailure(error, host, port);
      log.warn(lastError.message);
    }
  }

  function passUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    proxy.upgrade(request, socket, head);
  }

  /** Cuts the WebSocket connections the proxy serves (stopping the proxy ends them, as it ends HTTP connections). */
  function cutUpgraded(): void {
    for (const socket of upgraded) socket.destroy();
    upgraded.clear();
  }

  /** Stops listening; `cut` also ends open WebSockets (closing the app leaves them to the proxy's drain instead). */
  async function unlisten(cut = true): Promise<void> {
    const current = server;
    if (!current) return;
    server = null;
    if (cut) cutUpgraded();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => current.closeAllConnections(), STOP_GRACE_MS);
      current.close(() => {
        clearTimeout(force);
        resolve();
      });
      current.closeIdleConnections();
    });
  }

  function checkMountedAddress(input: ChannelParsed<'proxy:configure'>): void {
    const changesHost = input.host !== undefined && input.host !== mountedAddress.host;
    const changesPort = input.port !== undefined && input.port !== mountedAddress.port;
    if (changesHost || changesPort) {
      throw new AppError(
        'CONFLICT',
        'In headless mode the address is set by the --host and --port flags of `npm run serve`; restart the server with new flags to change it.',
        undefined,
        { reason: 'proxy_address_fixed' },
      );
    }
  }

  return {
    status,

    start: () =>
      serialized(async () => {
        if (options.mode === 'mounted') {
          mountedServing = true;
          lastError = null;
        } else {
          await listen();
        }
        return changed();
      }),

    stop: () =>
      serialized(async () => {
        if (options.mode === 'mounted') {
          mountedServing = false;
          cutUpgraded();
        } else await unlisten();
        return changed();
      }),

    configure: (input) =>
      serialized(async () => {
        if (options.mode === 'mounted') checkMountedAddress(input);
        const before = readProxySettings(db, defaults);
        db.transaction(() => {
          if (options.mode === 'listener' && input.host !== undefined) writeSetting(db, SETTING_KEYS.proxyHost, input.host);
          if (options.mode === 'listener' && input.port !== undefined) writeSetting(db, SETTING_KEYS.proxyPort, input.port);
          if (input.autoStart !== undefined) writeSetting(db, SETTING_KEYS.proxyAutoStart, input.autoStart);
          if (input.timeZone !== undefined) writeBudgetTimeZone(db, input.timeZone, Date.now());
          if (input.defaultOutputTokens !== undefined) writeSetting(db, SETTING_KEYS.defaultOutputTokens, input.defaultOutputTokens);
          if (input.usageRetentionDays !== undefined) writeSetting(db, SETTING_KEYS.usageRetentionDays, input.usageRetentionDays);
        }).immediate();
        // The daily usage counts local days: rekeyed now, not at the next request.
        if (input.timeZone !== undefined) proxy.flush();
        const after = readProxySettings(db, defaults);
        const moved = after.host !== before.host || after.port !== before.port;
        if (options.mode === 'listener' && moved && server) {
          await unlisten();
          await listen();
        }
        return changed();
      }),

    handle(request, response) {
      if (mountedServing) proxy.handle(request, response);
      else writeProxyStopped(response);
    },

    upgrade(request, socket, head) {
      if (mountedServing) passUpgrade(request, socket, head);
      else writeSocketAnswer(socket, 503, { 'content-type': 'application/json' }, PROXY_STOPPED_BODY);
    },

    setMountedAddress(host, port) {
      mountedAddress = { host, port };
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    close: () => serialized(() => unlisten(false)),
  };
}
