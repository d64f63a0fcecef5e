import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { writeUsageCsv } from '../services/usage-export';
import { createAdminApi, type AdminApi } from '../admin/admin-api';
import { ensureAdminToken, envAdminTokenProblem, readAdminTokenHash } from '../admin/admin-token';
import { createCore, DATABASE_FILE, type Core } from '../app-core';
import { defaultDataDir } from '../data-dir';
import { stderrLogger } from '../logger';
import { createAesSecretBox, loadMasterKey } from '../secrets/aes-secret-box';
import { SEAL_TAGS } from '../secrets/secret-box';
import { checkNativeModule } from '../store/database';
import { describeListenError, isLoopbackHost, urlHost } from '../services/proxy-address';
import { storeHoldsSealedKeys } from '../store/sealed-keys-probe';
import { upstreamsWithUnopenableKeys } from '../services/upstreams';
import { parseServeArgs, USAGE, type ServeOptions } from './args';
import { ensureUiBuilt, uiDirOf } from './ensure-ui';
import { headlessRequestHandler, routeHeadlessSpecials } from './headless-server';
import { whenParentExits } from './parent-watch';
import { findProjectRoot } from './project-root';

const PROJECT_ROOT = findProjectRoot(import.meta.dirname);
const SHUTDOWN_TIMEOUT_MS = 5_000;
const say = (line: string) => process.stderr.write(`${line}\n`);

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Hosts the Host-header check accepts besides loopback: the --allow-host names and a specific --host. */
function allowedHostsFor(options: ServeOptions): string[] {
  const wildcard = ['0.0.0.0', '::', '[::]'].includes(options.host);
  const own = wildcard || isLoopbackHost(options.host) ? [] : [isIP(options.host) === 6 ? `[${options.host}]` : options.host];
  return [...own, ...options.allowHosts];
}

function announceAdminToken(core: Core, options: ServeOptions): void {
  const outcome = ensureAdminToken(core.db, { envToken: process.env.KEYGATE_ADMIN_TOKEN, reset: options.resetAdminToken });
  if (outcome.source === 'generated') {
    say(`admin token (shown once, store it now): ${outcome.token}`);
    say('  send it as "Authorization: Bearer <token>"; set KEYGATE_ADMIN_TOKEN to choose your own.');
  } else if (outcome.source === 'env') {
    say('admin token: from KEYGATE_ADMIN_TOKEN.');
  } else {
    say('admin token: set on an earlier run (run with --reset-admin-token to make a new one).');
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

/** Stop accepting, let in-flight requests finish (bounded), close the store, exit 0. */
function installShutdown(server: Server, core: Core, admin: AdminApi | null): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down…`);
    server.close();
    admin?.close();
    server.closeIdleConnections();
    const force = setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS + 2_000);
    force.unref();
    // Admin calls and proxied requests finish side by side; then the store closes under neither.
    Promise.all([admin?.drain(SHUTDOWN_TIMEOUT_MS), core.proxy.drain(SHUTDOWN_TIMEOUT_MS)])
      .then(() => core.close(0))
      .then(() => {
        server.closeAllConnections();
        process.exit(0);
      })
      .catch((error: unknown) => {
        stderrLogger.error('shutdown failed', error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  whenParentExits(process.env, () => shutdown('parent process exited'));
}

/** Says why the start failed, as one recognisable line, and gives the exit code. */
function cannotStart(cause: string): number {
  say(`error: keygate could not start: ${cause}`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseServeArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    say(`error: ${parsed.message}\n`);
    say(USAGE);
    return 2;
  }
  const options = parsed.options;
  const dataDir = resolve(options.dataDir ?? defaultDataDir());

  // What can fail without touching the data directory is checked first, and the port is bound before the
  // master key is loaded: a start that fails (bad token, busy port, no native module) leaves no master.key behind.
  const tokenProblem = options.admin ? envAdminTokenProblem(process.env.KEYGATE_ADMIN_TOKEN) : null;
  if (tokenProblem) return cannotStart(tokenProblem);
  if (options.admin) {
    const problem = ensureUiBuilt(PROJECT_ROOT, say);
    if (problem) return cannotStart(problem);
  }
  checkNativeModule();

  // Requests that arrive before the core is ready wait for it instead of finding a half-started server.
  let handle: RequestListener | null = null;
  const waiting: [IncomingMessage, ServerResponse][] = [];
  const server = createServer((request, response) => (handle ? handle(request, response) : waiting.push([request, response])));
  let core: Core | null = null;
  routeHeadlessSpecials(server, () => (handle ? core!.proxyController : null));
  let port: number;
  try {
    port = await listen(server, options.host, options.port);
  } catch (error) {
    return cannotStart(describeListenError(error, options.host, options.port));
  }

  const allowedHosts = allowedHostsFor(options);
  let admin: AdminApi | null = null;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const masterKey = loadMasterKey(dataDir, process.env, { hasSealedSecrets: () => storeHoldsSealedKeys(join(dataDir, DATABASE_FILE), SEAL_TAGS.aes) });
    if (masterKey.warning) stderrLogger.warn(masterKey.warning);
    if (masterKey.origin === 'file-created') say(`created a new master key in ${join(dataDir, 'master.key')} (back it up with the database).`);
    if (masterKey.origin === 'file-replaced') {
      stderrLogger.warn(`${join(dataDir, 'master.key')} was empty or unreadable and nothing was sealed with it yet: made a new one (back it up with the database).`);
    }
    const secrets = createAesSecretBox(masterKey.key);
    const opened = createCore({
      dataDir,
      secrets,
      mode: 'headless',
      version: readVersion(),
      proxyMode: 'mounted',
      host: options.host,
      port: options.port,
      allowedHosts,
      ...(options.maxBodyBytes !== null && { maxBodyBytes: options.maxBodyBytes }),
      log: stderrLogger,
    });
    core = opened;
    const locked = upstreamsWithUnopenableKeys(opened.db, secrets);
    if (locked.length > 0) {
      stderrLogger.warn(
        `this master key cannot open the stored key of ${locked.map((name) => `"${name}"`).join(', ')} ` +
          '(sealed with another KEYGATE_MASTER_KEY / master.key, or by the desktop app). Requests to it will fail until its key is entered again.',
      );
    }
    if (options.admin) {
      announceAdminToken(opened, options);
      admin = createAdminApi({
        dispatch: opened.dispatch,
        events: opened.events,
        tokenHash: () => readAdminTokenHash(opened.db),
        uiDir: uiDirOf(PROJECT_ROOT),
        allowedHosts,
        log: stderrLogger,
        version: readVersion(),
        exportUsage: (filter, sink) => writeUsageCsv(opened.db, filter, sink),
      });
    }
    opened.proxyController.setMountedAddress(options.host, port);
    await opened.proxyController.start();
  } catch (error) {
    server.closeAllConnections();
    server.close();
    await core?.close(0);
    throw error;
  }
  handle = headlessRequestHandler(core.proxyController, admin);
  for (const [request, response] of waiting.splice(0)) handle(request, response);
  installShutdown(server, core, admin);

  if (!isLoopbackHost(options.host)) {
    stderrLogger.warn(
      `listening on ${options.host}: other machines on the network can reach Keygate (sub-keys and the admin token still guard it).` +
        (allowedHosts.length === 0 ? ' Add --allow-host NAME for each name or address clients use to reach this machine.' : ''),
    );
  }
  const base = `http://${urlHost(options.host)}:${port}`;
  process.stdout.write(`listening on ${base}\n`);
  say(`OpenAI base URL: ${base}/v1${admin ? `   admin UI: ${base}/admin/` : ''}   data: ${dataDir}`);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.exit(cannotStart(error instanceof Error ? error.message : String(error)));
  },
);
