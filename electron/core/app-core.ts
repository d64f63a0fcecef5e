import { mkdirSync } from 'node:fs';
import type { Handlers, PushEvent, PushEvents } from '../shared/contract';
import { createDispatcher, type Dispatch } from './dispatch';
import { createEventHub, createUsageThrottle } from './event-hub';
import { silentLogger, type Logger } from './logger';
import { createProxy } from './proxy/proxy';
import type { Proxy } from './proxy/types';
import { recoverJournal } from './proxy/write-batcher';
import type { SecretBox } from './secrets/secret-box';
import { applyStoredPriceData } from './budgets/price-data';
import { ExpiryAlerts } from './budgets/expiry-alerts';
import { createHandlers } from './services/handlers';
import { isLoopbackHost, urlHost } from './services/proxy-address';
import { createProxyController, type ProxyController } from './services/proxy-controller';
import { createUsagePruner } from './services/usage-pruner';
import type { WriteHooks } from './services/write-hooks';
import { openOwnedStore } from './store/data-dir-lock';
import { exposedStorePaths } from './store/file-modes';
import type { Database } from './store/database';
import { getSubkey } from './store/subkeys-repo';
import { markInterruptedUsage } from './store/usage-repo';
import { switchToIncrementalVacuum } from './store/usage-retention';

export const DATABASE_FILE = 'keygate.db';
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** A store made before auto_vacuum is switched over at start when its live data is at most this (about a second). */
const VACUUM_AT_START_MAX_BYTES = 64 * 1024 * 1024;

export interface CoreOptions {
  dataDir: string;
  secrets: SecretBox;
  mode: 'desktop' | 'headless';
  version: string;
  proxyMode: 'listener' | 'mounted';
  host?: string;
  port?: number;
  /** Host names accepted in the Host header besides loopback names (DNS-rebinding guard). */
  allowedHosts?: string[];
  /** Largest request body the proxy accepts (default: the proxy's own, 64 MiB). */
  maxBodyBytes?: number;
  /** Where `prices:update` fetches price data (tests serve their own); @pydantic/genai-prices' source by default. */
  priceDataUrl?: string;
  /** Desktop: the save dialog usage:export writes to (see HandlerDeps). */
  pickExportFile?: () => Promise<string | null>;
  log?: Logger;
}

export interface Core {
  handlers: Handlers;
  dispatch: Dispatch;
  proxy: Proxy;
  proxyController: ProxyController;
  events: { on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): () => void };
  /** The open store, for the headless server's settings (admin token) and for tests. */
  db: Database;
  /** Stops the listener, drains the proxy (bounded by `timeoutMs`) and closes the database. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * The composition root shared by the desktop shell (electron/main) and the headless server.
 * It opens the store and owns it (one process per store: quotas are counted in memory; see openOwnedStore) and wires
 * everything but starts nothing: call `proxyController.start()` (desktop: when
 * `status().autoStart`; headless: always) once the caller is ready.
 */
export function createCore(options: CoreOptions): Core {
  const log = options.log ?? silentLogger;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { db, release: releaseDataDir } = openOwnedStore(options.dataDir, DATABASE_FILE);
  try {
    recoverJournal(db);
    const interrupted = markInterruptedUsage(db);
    if (interrupted > 0) log.warn(`${interrupted} request(s) were still in flight when Keygate last stopped; marked interrupted.`);
    // Before the proxy serves: VACUUM holds the thread while it rewrites the file.
    if (switchToIncrementalVacuum(db, VACUUM_AT_START_MAX_BYTES)) log.info('The store now gives the space of pruned usage rows back to the disk.');
    const exposed = exposedStorePaths(options.dataDir, DATABASE_FILE);
    if (exposed.length > 0) {
      log.warn(`other users may read Keygate's data: ${exposed.join(', ')}. Make it private: chmod 700 the folder and chmod 600 the files.`);
    }
  } catch (error) {
    releaseDataDir();
    throw error;
  }
  applyStoredPriceData(db);
  const hub = createEventHub((error) => log.error('push event listener failed', error));
  // Pushes carry the changed sub-keys (a few primary-key reads, at most 4 a second, counted as the proxy counts them
  // now: the store trails it by requests in flight) and the finished rows.
  const usageChanged = createUsageThrottle(
    (payload) => hub.emit('usage:changed', payload),
    undefined,
    (ids) => ids.flatMap((id) => {
      const subkey = getSubkey(db, id);
      return subkey ? [proxy.counted(subkey)] : [];
    }),
  );
  // The proxy reads this array on every request; it is updated in place when the configured host changes.
  const allowedHosts: string[] = [...(options.allowedHosts ?? [])];
  const proxy = createProxy({
    db,
    secrets: options.secrets,
    allowedHosts,
    ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
    onUsage: (subkeyId) => usageChanged.notify(subkeyId),
    onUsageRows: (entries) => usageChanged.rows(entries),
    onBudgetThreshold: (event) => hub.emit('budget:threshold', event),
    onStoreHealth: (failure) => {
      if (failure !== null) log.error(`Keygate cannot write its store (${failure}): every /v1 request is refused with 503 store_unavailable until a write succeeds.`);
      else log.info('Keygate can write its store again: serving /v1 requests.');
      hub.emit('proxy:changed', proxyController.status());
    },
  });
  // Keys within 24 h of expiring are announced by one timer, set again whenever a key is written.
  const expiry = new ExpiryAlerts(db, (event) => hub.emit('budget:threshold', event), undefined, (error) => log.error('expiry warnings failed', error));
  const hooks: WriteHooks = {
    beforeWrite: () => proxy.flush(),
    afterWrite: (subkeyId, options) => {
      proxy.invalidate(subkeyId, options);
      expiry.changed();
    },
  };
  const proxyController = createProxyController({
    db,
    proxy,
    mode: options.proxyMode,
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    log,
  });
  const acceptConfiguredHost = (host: string) => replaceAll(allowedHosts, [...(options.allowedHosts ?? []), ...hostHeaderNames(host)]);
  acceptConfiguredHost(proxyController.status().host);
  // Request rows past retention go in small steps on a timer, and at once when the retention is shortened.
  const pruner = createUsagePruner({ db, log });
  pruner.start();
  // After this turn, once the shell that called createCore has subscribed to the pushes.
  expiry.changed();
  let retentionDays = proxyController.status().usageRetentionDays;
  proxyController.onChange((status) => {
    acceptConfiguredHost(status.host);
    hub.emit('proxy:changed', status);
    if (status.usageRetentionDays < retentionDays) void pruner.runNow();
    retentionDays = status.usageRetentionDays;
  });
  const handlers = createHandlers({
    db,
    secrets: options.secrets,
    hooks,
    proxyController,
    app: { version: options.version, mode: options.mode, dataDir: options.dataDir },
    ...(options.priceDataUrl !== undefined && { priceDataUrl: options.priceDataUrl }),
    ...(options.pickExportFile !== undefined && { pickExportFile: options.pickExportFile }),
  });
  const dispatch = createDispatcher(handlers, {
    beforeCall: () => proxy.flush(),
    onUnexpectedError: (channel, error) => log.error(`${channel} failed`, error),
  });
  let closing: Promise<void> | null = null;

  async function close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    await pruner.stop();
    expiry.stop();
    await proxyController.close();
    await proxy.drain(timeoutMs);
    usageChanged.cancel();
    releaseDataDir();
  }

  return {
    handlers,
    dispatch,
    proxy,
    proxyController,
    events: { on: hub.on },
    db,
    close: (timeoutMs) => (closing ??= close(timeoutMs)),
  };
}

/** The Host-header name of a configured listen address that is neither loopback (always accepted) nor a wildcard. */
export function hostHeaderNames(host: string): string[] {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isLoopbackHost(bare) || bare === '0.0.0.0' || bare === '::') return [];
  return [urlHost(bare)];
}

function replaceAll(target: string[], values: string[]): void {
  target.splice(0, target.length, ...new Set(values));
}
