import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { WS_CLOSE_REFUSAL_PREFIX } from '../../shared/types';
import type { Database } from '../store/database';
import { checkUsable } from './authenticate';
import type { EndpointTable } from './endpoint-table';
import type { KeyCache, SubkeyState, UpstreamState } from './key-cache';
import { KeyScrubber, type KeyPattern } from './key-scrubber';
import { ProxyError, proxyErrors } from './proxy-error';
import type { ResponseContexts } from './response-contexts';
import type { SpendGate } from './spend-gate';
import { newUsageRecord, type UsageRecord } from './usage-record';
import type { WriteBatcher } from './write-batcher';
import { recordObject, type ObjectOwners } from './object-ownership';
import { checkClientEvent, checkEventAccess, checkSessionModel, type SocketKind } from './ws-checks';
import { errorEvent, parseServerEvent, peekEventType, readClientEvent, type ClientEvent } from './ws-events';
import { ResponseLedger, type ResponseEnd } from './ws-ledger';
import { SocketSpend } from './ws-spend';

/** Bytes queued toward one side before the other side is paused, and the level at which it is resumed. */
export const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
/** How long a side may take to answer Keygate's close frame before its connection is cut. */
const CLOSE_GRACE_MS = 1000;
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** What one queued frame costs besides its bytes (the write requests behind it), so small frames count too. */
const FRAME_OVERHEAD_BYTES = 256;
/** Refused events logged per connection: a client repeating a refused event must not fill the usage log. */
const LOGGED_REFUSALS = 100;

/** Server events that tell where a response is, not what it produced. */
const LIFECYCLE_EVENTS = new Set([
  'response.created',
  'response.in_progress',
  'response.queued',
  'response.done',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'response.cancelled',
]);

export interface SocketSessionOptions {
  kind: SocketKind;
  /** `/v1/realtime` or `/v1/responses`: the path of the usage rows. */
  path: string;
  client: WebSocket;
  upstream: WebSocket;
  subkey: SubkeyState;
  /** The connection's usage row, already written as in flight. */
  record: UsageRecord;
  /** performance.now() when the upgrade arrived. */
  started: number;
  keys: KeyCache;
  writes: WriteBatcher;
  table: EndpointTable;
  /** Who created which object: a `response.create` may name only its key's, and responses made here are recorded. */
  owners: ObjectOwners;
  keyPattern: KeyPattern | null;
  /** Where each `response.create` reserves and settles (the HTTP requests' SpendGate), and what prices it. */
  spend: { gate: SpendGate; db: Database; upstream: UpstreamState; contexts: ResponseContexts };
  onClosed: (session: SocketSession) => void;
}

/**
 * One relayed WebSocket connection: client events are checked one by one (checkClientEvent) and forwarded as Keygate
 * re-serialised them; server events are relayed as they came (the real key masked) and read for accounting
 * (ResponseLedger). Each direction has bounded buffering: when more than HIGH_WATER_BYTES wait to be written to one
 * side, the other side's socket is paused until the backlog falls under LOW_WATER_BYTES, so TCP pushes back. A client
 * that does not read is itself paused too, so that refusing its events cannot queue error events without bound.
 */
export class SocketSession {
  readonly subkeyId: string;
  private readonly hash: string;
  private readonly ledger: ResponseLedger;
  private readonly spend: SocketSpend;
  private toClient = 0;
  private toUpstream = 0;
  private upstreamPaused = false;
  private clientPaused = false;
  /** A `response.create` waits for its reservation to be durable; client events after it queue behind it. */
  private waiting = false;
  private readonly backlog: [Buffer, boolean][] = [];
  /** Who ended the connection and with which code, once someone did. */
  private ending: { code: number; refusal: string } | null = null;
  private closed = false;
  private draining = false;
  private expiryTimer: NodeJS.Timeout | null = null;
  private sessionModel: string | null;
  private generatedIds = 0;
  private loggedRefusals = 0;

  constructor(private readonly options: SocketSessionOptions) {
    const { client, upstream, subkey } = options;
    this.subkeyId = subkey.id;
    this.hash = subkey.hash;
    this.sessionModel = options.record.model;
    this.spend = new SocketSpend(options.kind, options.spend.db, options.spend.upstream, options.spend.contexts);
    this.ledger = new ResponseLedger(options.path, options.spend.gate, options.writes, this.spend);
    client.on('message', (data, isBinary) => this.onClientMessage(data, isBinary));
    upstream.on('message', (data, isBinary) => this.onUpstreamMessage(data, isBinary));
    client.on('close', (code) => this.finish(code));
    upstream.on('close', (code, reason) => this.onUpstreamClose(code, reason));
    // Both sockets report failures through 'close' as well; an 'error' without a listener would crash the process.
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    this.armExpiry(subkey);
  }

  /**
   * Checks the sub-key again (after the store changed it): closes with 1008 when it is gone, disabled or expired, or
   * may no longer use the model this Realtime session runs.
   */
  recheck(): void {
    if (this.ending) return;
    const subkey = this.currentSubkey();
    if (!subkey) return;
    try {
      checkSessionModel(subkey, this.options.kind, this.sessionModel);
    } catch (error) {
      this.shut(error instanceof ProxyError ? error : proxyErrors.internal());
      return;
    }
    this.armExpiry(subkey);
  }

  /** Quitting: closes with 1001 once no response is open; new `response.create` events are refused meanwhile. */
  startDrain(): void {
    this.draining = true;
    this.closeIfIdle();
  }

  /** Cuts both connections now (the drain timed out); open responses are settled as on any close. */
  terminate(): void {
    this.ending ??= { code: 1001, refusal: 'proxy_shutting_down' };
    this.options.client.terminate();
    this.options.upstream.terminate();
    this.finish(1006);
  }

  private onClientMessage(raw: RawData, isBinary: boolean): void {
    const data = toBuffer(raw);
    if (this.waiting || this.backlog.length > 0) {
      this.backlog.push([data, isBinary]);
      this.updateFlow();
      return;
    }
    this.handleClientEvent(data, isBinary);
  }

  private handleClientEvent(data: Buffer, isBinary: boolean): void {
    if (this.ending) return;
    let event: ClientEvent;
    try {
      event = readClientEvent(data, isBinary);
    } catch (error) {
      this.refuse(error, null);
      return;
    }
    const subkey = this.currentSubkey();
    if (!subkey) return;
    let model: string | null;
    try {
      // HTTP's order: permissions and objects before the model policy.
      checkEventAccess(subkey, this.options.kind, event, this.options.table, this.options.owners);
      model = checkClientEvent(subkey, this.options.kind, event, this.options.table, Date.now());
      if (event.type === 'response.create') checkSessionModel(subkey, this.options.kind, this.sessionModel);
    } catch (error) {
      // A key that stopped being usable ends the connection; a refused event only gets its error event.
      if (error instanceof ProxyError && error.status === 401) this.shut(error);
      else this.refuse(error, event);
      return;
    }
    if (this.options.kind === 'realtime' && event.type === 'session.update') {
      this.noteSessionModel(event.value);
      this.spend.noteSessionUpdate(event.value);
    }
    if (event.type !== 'response.create') {
      this.sendUpstream(JSON.stringify(event.value));
      return;
    }
    this.startResponse(subkey, event, model);
  }

  /** A `response.create`: one request and its budgets are reserved (durably) before the event goes upstream. */
  private startResponse(subkey: SubkeyState, event: ClientEvent, model: string | null): void {
    if (this.draining) {
      this.refuse(proxyErrors.shuttingDown(), event);
      return;
    }
    let eventId = event.eventId;
    if (this.options.kind === 'realtime' && eventId === null) {
      // Realtime names the client event an error answers by its event_id: one is needed to refund a refused response.
      eventId = `event_kg_${randomBytes(6).toString('base64url')}_${++this.generatedIds}`;
      event.value.event_id = eventId;
    }
    const lane = this.laneOf(event.value);
    const text = JSON.stringify(event.value);
    const priced = this.spend.modelFor(model ?? this.sessionModel);
    let reserved: ReturnType<ResponseLedger['reserve']>;
    try {
      // Estimated from the frame as relayed (an event_id Keygate added included).
      const amounts = this.spend.responseAmounts(subkey, { value: event.value, bytes: Buffer.byteLength(text) }, priced);
      reserved = this.ledger.reserve(subkey, 'response.create', priced, lane, eventId, amounts);
    } catch (error) {
      this.refuse(error, event);
      return;
    }
    this.waiting = true;
    this.updateFlow();
    reserved.committed.then(
      () => {
        this.waiting = false;
        if (!this.ending && this.sendUpstream(text)) reserved.reservation.relayed = true;
        this.drainBacklog();
      },
      () => {
        this.waiting = false;
        this.ledger.abandon(reserved.reservation);
        this.refuse(proxyErrors.internal(), event, false);
        this.drainBacklog();
      },
    );
  }

  private drainBacklog(): void {
    while (!this.waiting && this.backlog.length > 0) {
      const [data, isBinary] = this.backlog.shift()!;
      this.handleClientEvent(data, isBinary);
    }
    this.updateFlow();
  }

  private onUpstreamMessage(raw: RawData, isBinary: boolean): void {
    if (this.ending) return;
    const data = toBuffer(raw);
    if (!isBinary) this.account(data);
    const pattern = this.options.keyPattern;
    if (pattern && data.indexOf(pattern.keyBytes) !== -1) {
      const scrubber = new KeyScrubber(pattern);
      this.sendClient(Buffer.concat([scrubber.push(data), scrubber.end()]), isBinary);
    } else {
      this.sendClient(data, isBinary);
    }
    this.closeIfIdle();
  }

  /** Reads a server event for the ledger: which response started, produced output, or ended. */
  private account(data: Buffer): void {
    let parsed: Record<string, unknown> | undefined;
    const event = (): Record<string, unknown> => (parsed ??= parseServerEvent(data) ?? {});
    const type = peekEventType(data) ?? stringOf(event().type) ?? '';
    if (type === 'session.created' || type === 'session.updated') {
      if (this.options.kind === 'realtime') this.spend.noteServerSession(event().session);
      return;
    }
    if (type === 'error') {
      const error = event().error as { event_id?: unknown; type?: unknown } | undefined;
      if (this.options.kind === 'realtime') {
        const eventId = stringOf(error?.event_id);
        if (eventId !== null) this.ledger.fail(eventId, null, error?.type === 'server_error' ? 500 : 400);
      } else {
        const status = event().status;
        this.ledger.fail(null, this.laneOf(event()), typeof status === 'number' ? status : 500);
      }
      return;
    }
    if (!type.startsWith('response.')) return;
    if (!LIFECYCLE_EVENTS.has(type)) {
      // Only the first output of a response matters, so deltas are parsed only while a started response has none.
      if (this.ledger.awaitsOutput()) this.ledger.markOutput(stringOf(event().response_id), this.laneOf(event()));
      return;
    }
    const response = (event().response ?? {}) as { id?: unknown; status?: unknown; usage?: unknown; model?: unknown; conversation?: unknown };
    const responseId = stringOf(response.id);
    const lane = this.laneOf(event());
    // Codex chains responses by `previous_response_id`: one made here is this key's, as one made over HTTP is.
    if (responseId !== null && this.options.kind === 'responses' && (type === 'response.created' || type === 'response.completed')) {
      recordObject(this.options.owners, this.options.writes, responseId, this.subkeyId, 'response');
    }
    if (type === 'response.created') {
      if (responseId !== null && !this.ledger.bind(responseId, lane)) this.unsolicited(responseId, lane, stringOf(response.model));
      return;
    }
    const end = responseEnd(type, response.status);
    if (!end) return;
    this.ledger.settle(responseId, lane, end, response.usage);
    this.spend.noteUsage(responseId, response.usage, response.conversation);
  }

  /** The Responses WebSocket lane an event belongs to (`stream_id`); Realtime has one. */
  private laneOf(event: Record<string, unknown>): string {
    return this.options.kind === 'responses' ? (stringOf(event.stream_id) ?? '') : '';
  }

  /**
   * Upstream started a response no `response.create` asked for (Realtime's voice activity detection): it takes a
   * request like any other. With none left it is cancelled at once, and the client gets the quota error event.
   */
  private unsolicited(responseId: string, lane: string, model: string | null): void {
    const subkey = this.currentSubkey();
    if (!subkey) return;
    try {
      const priced = this.spend.modelFor(model ?? this.sessionModel);
      const { reservation, committed } = this.ledger.reserve(subkey, 'response.created', priced, lane, null, this.spend.responseAmounts(subkey, null, priced));
      // Upstream is at work on it already: a close charges it like a relayed response.create.
      reservation.responseId = responseId;
      reservation.relayed = true;
      committed.catch(() => this.ledger.abandon(reservation));
    } catch (error) {
      this.sendUpstream(JSON.stringify({ type: 'response.cancel', response_id: responseId }));
      this.refuse(error, null, true, 'response.created');
    }
  }

  /**
   * Sends an `error` event for a refused client event (which is not relayed) and logs it like a refused request (the
   * first LOGGED_REFUSALS of a connection).
   */
  private refuse(error: unknown, event: ClientEvent | null, log = true, method = event?.type ?? 'WS'): void {
    const proxyError = error instanceof ProxyError ? error : proxyErrors.internal();
    this.sendClient(errorEvent(proxyError, event?.eventId ?? null), false);
    if (!log || ++this.loggedRefusals > LOGGED_REFUSALS) return;
    const record = newUsageRecord(/^[\w.-]{1,64}$/.test(method) ? method : 'WS', this.options.path, Date.now());
    record.subkeyId = this.subkeyId;
    record.model = this.sessionModel;
    record.status = proxyError.status;
    record.refusal = proxyError.code;
    record.latencyMs = 0;
    this.options.writes.enqueueInsert(record);
  }

  /** The sub-key's current state; when it is gone or no longer usable, the connection is closed and null returned. */
  private currentSubkey(): SubkeyState | null {
    const subkey = this.options.keys.subkeyByHash(this.hash);
    if (!subkey) {
      this.shut(proxyErrors.unknownKey());
      return null;
    }
    try {
      checkUsable(subkey, Date.now());
    } catch (error) {
      this.shut(error instanceof ProxyError ? error : proxyErrors.internal());
      return null;
    }
    return subkey;
  }

  private armExpiry(subkey: SubkeyState): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (subkey.expiresAt === null) return;
    const delay = Math.min(Math.max(0, subkey.expiresAt - Date.now()), LONGEST_TIMER_MS);
    this.expiryTimer = setTimeout(() => this.recheck(), delay);
    this.expiryTimer.unref();
  }

  private noteSessionModel(value: Record<string, unknown>): void {
    const session = value.session as { model?: unknown } | undefined;
    if (typeof session?.model === 'string') this.sessionModel = session.model;
  }

  /** Keygate ends the connection because of its key: the error event, then close code 1008 with the reason. */
  private shut(error: ProxyError): void {
    if (this.ending) return;
    this.ending = { code: 1008, refusal: error.code };
    this.sendClient(errorEvent(error, null), false);
    this.closeSide(this.options.client, 1008, closeReason(`${error.code}: ${error.message}`));
    this.closeSide(this.options.upstream, 1000, 'client closed');
    this.updateFlow();
  }

  private closeIfIdle(): void {
    if (!this.draining || this.ending || this.ledger.size > 0) return;
    this.ending = { code: 1001, refusal: 'proxy_shutting_down' };
    this.closeSide(this.options.client, 1001, 'Keygate is shutting down');
    this.closeSide(this.options.upstream, 1000, 'client closed');
    this.updateFlow();
  }

  private onUpstreamClose(code: number, reason: Buffer): void {
    if (this.closed) return;
    if (!this.ending) {
      const sent = sendableCode(code);
      this.ending = { code: sent, refusal: 'upstream_closed' };
      const pattern = this.options.keyPattern;
      const text = reason.toString('utf8');
      this.closeSide(this.options.client, sent, pattern ? text.replaceAll(pattern.key, pattern.mask) : text);
    }
    this.updateFlow();
  }

  /** The client's connection is closed: settle open responses and complete the connection's row (101, close code). */
  private finish(clientCode: number): void {
    if (this.closed) return;
    this.closed = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const ending = this.ending ?? { code: clientCode, refusal: 'client_closed' };
    this.ending = ending;
    this.backlog.length = 0;
    this.ledger.closeAll(ending.refusal);
    const { record } = this.options;
    record.status = 101;
    record.refusal = `${WS_CLOSE_REFUSAL_PREFIX}${ending.code}`;
    record.latencyMs = Math.round((performance.now() - this.options.started) * 1000) / 1000;
    this.options.writes.enqueueComplete(record);
    this.closeSide(this.options.upstream, 1000, 'client closed');
    this.options.onClosed(this);
  }

  /** Sends a close frame (when open) and cuts the connection if the other end does not answer within CLOSE_GRACE_MS. */
  private closeSide(socket: WebSocket, code: number, reason: string): void {
    if (socket.readyState === WebSocket.CLOSED) return;
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
    // A side that is not reading would never see the close frame behind its backlog.
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private sendClient(data: Buffer | string, binary: boolean): void {
    const { client } = this.options;
    if (client.readyState !== WebSocket.OPEN) return;
    const size = data.length + FRAME_OVERHEAD_BYTES;
    this.toClient += size;
    client.send(data, { binary }, () => {
      this.toClient -= size;
      this.updateFlow();
    });
    this.updateFlow();
  }

  /** Sends a client event upstream; false when upstream's socket is no longer open (nothing was sent). */
  private sendUpstream(text: string): boolean {
    const { upstream } = this.options;
    if (upstream.readyState !== WebSocket.OPEN) return false;
    const size = text.length + FRAME_OVERHEAD_BYTES;
    this.toUpstream += size;
    upstream.send(text, { binary: false }, () => {
      this.toUpstream -= size;
      this.updateFlow();
    });
    this.updateFlow();
    return true;
  }

  /** Pauses a side's socket while the other side has too much waiting to be written; resumes it once drained. */
  private updateFlow(): void {
    if (this.closed) return;
    // While closing, both sides are read so their close frames arrive; what they send is dropped.
    const closing = this.ending !== null;
    const holdUpstream = !closing && this.toClient > (this.upstreamPaused ? LOW_WATER_BYTES : HIGH_WATER_BYTES);
    if (holdUpstream !== this.upstreamPaused) {
      this.upstreamPaused = holdUpstream;
      if (holdUpstream) this.options.upstream.pause();
      else this.options.upstream.resume();
    }
    const limit = this.clientPaused ? LOW_WATER_BYTES : HIGH_WATER_BYTES;
    // The client is also held while it does not read what it is sent: its refused events would queue error events.
    const busy = this.waiting || this.backlog.length > 0 || this.toUpstream > limit || this.toClient > limit;
    const holdClient = !closing && busy;
    if (holdClient !== this.clientPaused) {
      this.clientPaused = holdClient;
      if (holdClient) this.options.client.pause();
      else this.options.client.resume();
    }
  }
}

/** How a final server event ended its response, or null when `type` is not one. */
function responseEnd(type: string, status: unknown): ResponseEnd | null {
  switch (type) {
    case 'response.completed':
    case 'response.incomplete':
      return 'completed';
    case 'response.failed':
      return 'failed';
    case 'response.cancelled':
      return 'cancelled';
    case 'response.done':
      return status === 'failed' ? 'failed' : status === 'cancelled' ? 'cancelled' : 'completed';
    default:
      return null;
  }
}

/** A close code Keygate may send on (1005 "none" and 1006 "abnormal" only describe a close; they are never sent). */
function sendableCode(code: number): number {
  if (code === 1006) return 1011;
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return 1000;
}

/** A close reason within the protocol's 123 bytes, cut at a character boundary. */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
