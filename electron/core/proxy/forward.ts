import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { clientResponseHeaders } from './forward-headers';
import type { UpstreamState } from './key-cache';
import { KeyScrubber } from './key-scrubber';
import { filterModelList } from './models-filter';
import { ProxyError, proxyErrors } from './proxy-error';
import { InjectedUsageFilter, JsonUsageSniffer, SseUsageSniffer } from './usage-parse';
import type { TokenUsage } from './usage-record';

/** A request ready to go upstream. */
export interface ForwardRequest {
  upstream: UpstreamState;
  method: string;
  /** The canonical path, re-encoded, and the query (starting with /v1): what the proxy checked (canonical-path.ts). */
  path: string;
  headers: string[];
  body: Buffer | Readable | null;
  /** Keygate added `stream_options.include_usage`: hide what the client did not ask for. */
  injectedUsage: boolean;
  /**
   * Which ids of a list answer (`data[]`) the client may see: `GET /v1/models` for a key with a model policy, or a
   * list of objects for a key that sees only its own (object-ownership.ts).
   */
  modelFilter: ((id: string) => boolean) | null;
  /** Called with the start of a 2xx answer (JSON up to 1 MiB, SSE up to 64 KiB) that created an object, to record it. */
  created?: ((body: Buffer, sse: boolean) => void) | null;
  /** Why a streamed request body was cut off (over the size limit), if it was. */
  bodyFailure: (() => ProxyError | null) | null;
  /** For a key with rate limits: sets its own `x-ratelimit-*` headers as of the answer on the answer's, replacing upstream's. */
  rateHeaders?: ((headers: Record<string, string | string[]>) => void) | null;
}

/** How a forwarded request ended. */
export interface ForwardOutcome {
  /** The upstream's status, or null when upstream never answered. */
  status: number | null;
  /** Why upstream never answered (already mapped to the error the client got), when it did not. */
  error: ProxyError | null;
  usage: TokenUsage | null;
  /** The client went away before the answer was complete. */
  clientGone: boolean;
}

type Mode = 'pass' | 'json' | 'sse' | 'injected' | 'models';

class ClientGoneError extends Error {
  constructor() {
    super('The client closed the connection.');
    this.name = 'ClientGoneError';
  }
}

/**
 * Streams one request to upstream and its answer back with undici's dispatch API: each upstream chunk is written to
 * the client as it arrives (pausing upstream while the client's socket is full), `usage` is read on the way without
 * holding the body, and upstream is aborted when the client goes away.
 */
export class Forwarding implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private status: number | null = null;
  private mode: Mode = 'pass';
  private json: JsonUsageSniffer | null = null;
  private sse: SseUsageSniffer | null = null;
  private injected: InjectedUsageFilter | null = null;
  private held: Buffer[] | null = null;
  /** The answer's first bytes, kept for `request.created` (null when not wanted or too long to read). */
  private createdChunks: Buffer[] | null = null;
  private createdSize = 0;
  private heldHeaders: Record<string, string | string[]> | null = null;
  private readonly scrubber: KeyScrubber | null;
  /** The client was promised upstream's `content-length`: a body the scrubber shortened is padded back to it. */
  private keepsLength = false;
  private clientGone = false;
  private settled = false;
  private readonly resume = (): void => this.controller?.resume();
  private wroteBody = false;
  private readonly flushHeaders = (): void => {
    if (!this.wroteBody && !this.clientGone && !this.response.destroyed) this.response.flushHeaders();
  };

  constructor(
    private readonly request: ForwardRequest,
    private readonly response: ServerResponse,
    private readonly done: (outcome: ForwardOutcome) => void,
  ) {
    const pattern = request.upstream.keyPattern;
    this.scrubber = pattern ? new KeyScrubber(pattern) : null;
  }

  /** Sends the request upstream. */
  start(): void {
    const { upstream, method, path, headers, body } = this.request;
    upstream.pool.dispatch({ method, path: upstream.basePath + path, headers, body }, this);
  }

  /** The client went away: stop upstream. */
  abort(): void {
    this.clientGone = true;
    this.controller?.abort(new ClientGoneError());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new ClientGoneError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    const ok = statusCode >= 200 && statusCode < 300;
    const type = String(headers['content-type'] ?? '');
    if (ok && this.request.modelFilter && type.includes('json')) {
      this.mode = 'models';
      this.held = [];
    } else if (ok && type.includes('text/event-stream')) {
      if (this.request.injectedUsage) {
        this.mode = 'injected';
        this.injected = new InjectedUsageFilter();
      } else {
        this.mode = 'sse';
        this.sse = new SseUsageSniffer();
      }
    } else if (ok && type.includes('json')) {
      this.mode = 'json';
      this.json = new JsonUsageSniffer();
    }
    if (ok && this.request.created && (this.mode === 'json' || this.mode === 'sse')) this.createdChunks = [];
    if (this.clientGone) return;
    const rewrites = this.mode === 'models' || this.mode === 'injected';
    const outgoing = clientResponseHeaders(headers, !rewrites, this.request.upstream.keyPattern);
    // Same lower-case names as undici gives upstream's, so the key's values overwrite them.
    this.request.rateHeaders?.(outgoing);
    this.keepsLength = outgoing['content-length'] !== undefined;
    if (this.mode === 'models') {
      this.heldHeaders = outgoing;
      return;
    }
    this.response.writeHead(statusCode, outgoing);
    // Streams: let the client see the status right away rather than with the first event, unless that event came in
    // the same packet (then headers and event leave in one write).
    if (this.mode === 'sse' || this.mode === 'injected') process.nextTick(this.flushHeaders);
  }

  onResponseData(controller: Dispatcher.DispatchController, raw: Buffer): void {
    const chunk = this.scrubber ? this.scrubber.push(raw) : raw;
    if (chunk.length === 0) return;
    const out = this.take(chunk);
    if (out.length === 0 || this.clientGone) return;
    this.wroteBody = true;
    if (!this.response.write(out)) {
      controller.pause();
      this.response.once('drain', this.resume);
    }
  }

  /** Reads usage from a (scrubbed) body chunk on its way and answers what the client gets of it ('' for nothing yet). */
  private take(chunk: Buffer): Buffer | string {
    if (this.createdChunks) this.keepCreated(chunk);
    switch (this.mode) {
      case 'json':
        this.json!.push(chunk);
        return chunk;
      case 'sse':
        this.sse!.push(chunk);
        return chunk;
      case 'injected':
        return this.injected!.push(chunk);
      case 'models':
        this.held!.push(chunk);
        return '';
      case 'pass':
        return chunk;
    }
  }

  private keepCreated(chunk: Buffer): void {
    const limit = this.mode === 'sse' ? 64 << 10 : 1 << 20;
    if (this.createdSize >= limit) {
      // An SSE stream names the created object in its first event: what came first is enough. A JSON answer is not.
      if (this.mode !== 'sse') this.createdChunks = null;
      return;
    }
    this.createdChunks!.push(chunk);
    this.createdSize += chunk.length;
  }

  onResponseEnd(): void {
    if (this.scrubber) {
      const rest = this.scrubber.end();
      const out = rest.length === 0 ? '' : this.take(rest);
      if (out.length > 0 && !this.clientGone) this.response.write(out);
      // Spaces keep the promised length exactly (JSON and SSE ignore trailing whitespace), so no answer needs
      // buffering or chunked encoding just in case upstream echoes the key.
      if (this.keepsLength && this.scrubber.shrunk > 0 && !this.clientGone) this.response.write(Buffer.alloc(this.scrubber.shrunk, 0x20));
    }
    let usage: TokenUsage | null = null;
    if (this.mode === 'json') usage = this.json!.result();
    else if (this.mode === 'sse') usage = this.sse!.result();
    else if (this.mode === 'injected') {
      const rest = this.injected!.end();
      if (rest !== '' && !this.clientGone) this.response.write(rest);
      usage = this.injected!.result();
    } else if (this.mode === 'models') {
      let body = filterModelList(Buffer.concat(this.held!), this.request.modelFilter!);
      // Rebuilt JSON: a key that arrived \u-escaped is plain now.
      if (this.scrubber) body = Buffer.concat([this.scrubber.push(body), this.scrubber.end()]);
      if (!this.clientGone) this.response.writeHead(this.status!, { ...this.heldHeaders, 'content-length': body.length }).write(body);
    }
    if (!this.clientGone) this.response.end();
    if (this.createdChunks) {
      try {
        this.request.created!(Buffer.concat(this.createdChunks), this.mode === 'sse');
      } catch {
        // Recording ownership must not break an answer already given.
      }
    }
    this.settle({ status: this.status, error: null, usage, clientGone: this.clientGone });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.status !== null) {
      // The answer broke off midway: the client sees a truncated response rather than a well-formed lie.
      this.response.destroy();
      const usage = this.mode === 'sse' ? this.sse!.result() : this.mode === 'injected' ? this.injected!.result() : null;
      this.settle({ status: this.status, error: null, usage, clientGone: this.clientGone });
      return;
    }
    const failure = this.request.bodyFailure?.() ?? toProxyError(error);
    this.settle({ status: null, error: this.clientGone ? null : failure, usage: null, clientGone: this.clientGone });
  }

  private settle(outcome: ForwardOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.response.off('drain', this.resume);
    this.done(outcome);
  }
}

/** An upstream failure as the client sees it: 504 when upstream stayed silent too long, else 502. */
export function toProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return proxyErrors.upstreamTimeout();
  return proxyErrors.upstreamUnreachable();
}
