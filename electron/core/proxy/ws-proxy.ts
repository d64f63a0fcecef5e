import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Database } from '../store/database';
import { checkUsable, identifySecret, presentedSecret } from './authenticate';
import type { EndpointTable } from './endpoint-table';
import { clientResponseHeaders } from './forward-headers';
import { isAllowedHost } from './host-check';
import type { KeyCache, SubkeyState, UpstreamState } from './key-cache';
import type { ObjectOwners } from './object-ownership';
import { KeyScrubber } from './key-scrubber';
import { ProxyError, proxyErrors } from './proxy-error';
import { headerCount } from './raw-headers';
import type { ResponseContexts } from './response-contexts';
import type { SpendGate } from './spend-gate';
import { writeSocketAnswer, writeSocketError } from './socket-answer';
import { newUsageRecord, type UsageRecord } from './usage-record';
import type { WriteBatcher } from './write-batcher';
import { checkUpgrade, SOCKET_PATHS, type SocketKind } from './ws-checks';
import { checkHandshake, isAllowedOrigin, isWebSocketUpgrade, splitProtocols, upstreamSocketHeaders, upstreamSocketUrl, type OfferedProtocols } from './ws-handshake';
import { SocketSession } from './ws-session';

/** Most of an upstream's refusal body that is passed back to the client. */
const REFUSAL_BODY_BYTES = 64 * 1024;
/** Longest wait for upstream to accept a WebSocket. */
const HANDSHAKE_TIMEOUT_MS = 60_000;

export interface SocketProxyOptions {
  keys: KeyCache;
  writes: WriteBatcher;
  table: EndpointTable;
  /** Object ownership, shared with HTTP (object-ownership.ts). */
  owners: ObjectOwners;
  allowedHosts: readonly string[];
  /** Largest frame accepted from either side (the HTTP body limit); larger closes the connection with 1009. */
  maxFrameBytes: number;
  upstreamTimeoutMs: number;
  /** The HTTP requests' SpendGate: each `response.create` reserves and settles its quota and budgets there. */
  gate: SpendGate;
  /** Prices and settings for what a response reserves. */
  db: Database;
  /** What finished responses read and wrote, shared with HTTP (response-contexts.ts). */
  contexts: ResponseContexts;
}

/** WebSocket upgrades under /v1, and the connections they opened. */
export interface SocketProxy {
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Checks the open connections of one sub-key (or all) again after the store changed: gone, disabled or expired → 1008. */
  invalidate(subkeyId?: string): void;
  /** Refuses new upgrades, closes idle connections (1001), waits for open responses at most `timeoutMs`, then cuts the rest. */
  drain(timeoutMs: number): Promise<void>;
  /** Open connections (for tests and the bench). */
  readonly size: number;
}

/** What an upgrade passed: everything needed to open its upstream side. */
interface Accepted {
  kind: SocketKind;
  path: string;
  query: string;
  subkey: SubkeyState;
  upstream: UpstreamState;
  protocols: OfferedProtocols;
}

/**
 * Accepts WebSocket upgrades on /v1/realtime and /v1/responses after the HTTP checks (host, origin, sub-key from a
 * header or the browser subprotocol, usable, model policy on `?model=`, a request left), refusing with the same
 * status and OpenAI error body as HTTP, written on the raw socket before any upgrade. Every other upgrade gets 501
 * `websocket_not_supported`. An accepted upgrade opens the upstream WebSocket with the real key first and completes
 * the client's handshake only once upstream accepted (an upstream refusal is passed back as its HTTP answer).
 */
export function createSocketProxy(options: SocketProxyOptions): SocketProxy {
  const { keys, writes } = options;
  const sessions = new Set<SocketSession>();
  const connecting = new Set<() => void>();
  /** The subprotocol to answer each client with: the one upstream chose. */
  const chosenProtocol = new WeakMap<IncomingMessage, string | false>();
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Compression would cost CPU and memory per connection on loopback, and inflating is where frame bombs hide.
    perMessageDeflate: false,
    maxPayload: options.maxFrameBytes,
    handleProtocols: (_offered, request) => chosenProtocol.get(request) ?? false,
  });
  let draining = false;
  let drained: (() => void) | null = null;

  function refuse(socket: Duplex, record: UsageRecord, started: number, error: unknown): void {
    const proxyError = error instanceof ProxyError ? error : proxyErrors.internal();
    record.status = proxyError.status;
    record.refusal = proxyError.code;
    record.latencyMs = elapsed(started);
    writes.enqueueInsert(record);
    writeSocketError(socket, proxyError);
  }

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const started = performance.now();
    const record = newUsageRecord('WS', path, Date.now());
    if (path !== '/v1' && !path.startsWith('/v1/')) {
      writeSocketError(socket, proxyErrors.notFound(path));
      return;
    }
    let accepted: Accepted;
    try {
      accepted = accept(request, path, queryAt === -1 ? '' : url.slice(queryAt + 1), record);
    } catch (error) {
      refuse(socket, record, started, error);
      return;
    }
    connect(request, socket, head, accepted, record, started);
  }

  /** The checks, in HTTP's order; throws the ProxyError to answer with. */
  function accept(request: IncomingMessage, path: string, rawQuery: string, record: UsageRecord): Accepted {
    const { headers } = request;
    // Node keeps the first Host; a front proxy or upstream may route by the last (as HTTP refuses it).
    if (headerCount(request.rawHeaders, 'host') > 1) throw proxyErrors.ambiguousRequest('it has more than one Host header');
    if (!isAllowedHost(headers.host, options.allowedHosts)) throw proxyErrors.hostNotAllowed();
    if (!isAllowedOrigin(headers.origin, headers.host)) throw proxyErrors.originNotAllowed();
    if (!isWebSocketUpgrade(headers)) throw proxyErrors.upgradeNotSupported();
    if (draining) throw proxyErrors.shuttingDown();
    const protocols = splitProtocols(headers['sec-websocket-protocol']);
    const subkey = identifySecret(presentedSecret(headers) ?? protocols.secret, keys);
    record.subkeyId = subkey.id;
    checkUsable(subkey, record.at);
    // After the key, as HTTP refuses methods: junk from anyone without a key says nothing about this path.
    const kind = SOCKET_PATHS.get(path);
    if (!kind) throw proxyErrors.websocketNotSupported();
    checkHandshake(request.method, headers);
    const params = new URLSearchParams(rawQuery);
    const models = params.getAll('model');
    if (models.length > 1) throw proxyErrors.duplicateModel();
    record.model = checkUpgrade(subkey, kind, models[0] ?? null);
    // A key whose quota or any budget is already spent could open a socket but never start a response (as HTTP's early check).
    options.gate.checkLeft(subkey);
    const upstream = keys.upstream(subkey.upstreamId);
    // Re-serialised: upstream reads exactly the parameters that were checked, however the client spelled them.
    return { kind, path, query: params.toString(), subkey, upstream, protocols };
  }

  function connect(request: IncomingMessage, socket: Duplex, head: Buffer, accepted: Accepted, record: UsageRecord, started: number): void {
    const { upstream } = accepted;
    let upstreamSocket: WebSocket;
    try {
      upstreamSocket = new WebSocket(upstreamSocketUrl(upstream.origin, upstream.basePath, accepted.path, accepted.query), accepted.protocols.forwarded, {
        headers: upstreamSocketHeaders(request.rawHeaders, upstream.authorization),
        perMessageDeflate: false,
        maxPayload: options.maxFrameBytes,
        handshakeTimeout: Math.min(options.upstreamTimeoutMs, HANDSHAKE_TIMEOUT_MS),
        followRedirects: false,
      });
    } catch {
      // The library refused what it was given (a header or URL it will not send): never an uncaught throw here.
      refuse(socket, record, started, proxyErrors.upstreamUnreachable());
      return;
    }
    // connecting → upgrading (upstream accepted, the client's handshake is being answered) → open | done.
    let phase: 'connecting' | 'upgrading' | 'open' | 'done' = 'connecting';

    const end = (): void => {
      phase = 'done';
      connecting.delete(cancel);
      socket.off('close', clientGone);
    };
    const fail = (error: ProxyError): void => {
      if (phase !== 'connecting') return;
      end();
      upstreamSocket.terminate();
      refuse(socket, record, started, error);
    };
    const cancel = (): void => fail(proxyErrors.shuttingDown());
    const clientGone = (): void => {
      if (phase !== 'connecting' && phase !== 'upgrading') return;
      end();
      upstreamSocket.terminate();
      record.status = 499;
      record.refusal = 'client_closed';
      record.latencyMs = elapsed(started);
      writes.enqueueInsert(record);
    };
    connecting.add(cancel);
    socket.once('close', clientGone);

    upstreamSocket.on('error', (error: Error) => fail(/timed out/i.test(error.message) ? proxyErrors.upstreamTimeout() : proxyErrors.upstreamUnreachable()));
    upstreamSocket.on('unexpected-response', (_upstreamRequest, response) => {
      readRefusal(response, upstream, (status, headers, body) => {
        if (phase !== 'connecting') return;
        end();
        upstreamSocket.terminate();
        // Upstream answered, so this is its refusal, not Keygate's: logged with its status, as HTTP logs it.
        record.status = status;
        record.refusal = 'upstream_refused';
        record.latencyMs = elapsed(started);
        writes.enqueueInsert(record);
        writeSocketAnswer(socket, status, headers, body);
      });
    });
    upstreamSocket.once('open', () => {
      if (phase !== 'connecting') {
        upstreamSocket.terminate();
        return;
      }
      // The sub-key may have changed while upstream answered: check it again, as HTTP does after reading a body.
      const current = keys.subkeyByHash(accepted.subkey.hash);
      try {
        if (!current) throw proxyErrors.unknownKey();
        checkUsable(current, Date.now());
      } catch (error) {
        fail(error instanceof ProxyError ? error : proxyErrors.internal());
        return;
      }
      phase = 'upgrading';
      connecting.delete(cancel);
      chosenProtocol.set(request, answerProtocol(upstreamSocket.protocol, accepted.protocols.offered));
      server.handleUpgrade(request, socket, head, (client) => {
        if (phase !== 'upgrading') {
          client.terminate();
          return;
        }
        end();
        phase = 'open';
        writes.enqueueInsert(record);
        const session = new SocketSession({
          kind: accepted.kind,
          path: accepted.path,
          client,
          upstream: upstreamSocket,
          subkey: current!,
          record,
          started,
          keys,
          writes,
          table: options.table,
          owners: options.owners,
          keyPattern: upstream.keyPattern,
          spend: { gate: options.gate, db: options.db, upstream, contexts: options.contexts },
          onClosed: (closed) => {
            sessions.delete(closed);
            if (sessions.size === 0) drained?.();
          },
        });
        sessions.add(session);
        if (draining) session.startDrain();
      });
    });
  }

  return {
    upgrade,
    invalidate(subkeyId) {
      for (const session of [...sessions]) if (subkeyId === undefined || session.subkeyId === subkeyId) session.recheck();
    },
    async drain(timeoutMs) {
      draining = true;
      for (const cancel of [...connecting]) cancel();
      for (const session of [...sessions]) session.startDrain();
      if (sessions.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        drained = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      drained = null;
      for (const session of [...sessions]) session.terminate();
    },
    get size() {
      return sessions.size;
    },
  };
}

/**
 * The subprotocol to answer with: upstream's choice; else (upstream chose none) the client's first offer, since a
 * browser that offered protocols fails a handshake whose answer names none. False when the client offered none.
 */
function answerProtocol(upstreamChoice: string, offered: readonly string[]): string | false {
  if (upstreamChoice !== '' && offered.includes(upstreamChoice)) return upstreamChoice;
  return offered[0] ?? false;
}

/** Reads (the start of) upstream's refusal of the handshake, with the real key masked in headers and body. */
function readRefusal(
  response: IncomingMessage,
  upstream: UpstreamState,
  done: (status: number, headers: Record<string, string>, body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    response.destroy();
    let body = Buffer.concat(chunks);
    if (upstream.keyPattern) {
      const scrubber = new KeyScrubber(upstream.keyPattern);
      body = Buffer.concat([scrubber.push(body), scrubber.end()]);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(clientResponseHeaders(response.headers, false, upstream.keyPattern))) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    done(response.statusCode ?? 502, headers, body);
  };
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= REFUSAL_BODY_BYTES) finish();
  });
  response.on('end', finish);
  response.on('error', finish);
  response.on('close', finish);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
