import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** An upgrade the stand-in accepted. */
export interface RecordedUpgrade {
  url: string;
  headers: IncomingHttpHeaders;
  /** The subprotocols offered, in order. */
  protocols: string[];
  socket: WebSocket;
  /** Every client event received on it, parsed (or the raw text when it is not JSON). */
  events: unknown[];
}

/** Answers a client event itself; return false to fall back to the default script. */
export type EventResponder = (event: Record<string, unknown>, upgrade: RecordedUpgrade) => boolean | void;

export interface SocketStandIn {
  upgrades: RecordedUpgrade[];
  /** Overrides the scripted answers until reset. */
  respond: EventResponder | null;
  /** When set, upgrades are refused with this HTTP answer (until reset). */
  refuse: { status: number; body: string } | null;
  /** Resolves with the next upgrade the stand-in accepts. */
  nextUpgrade(): Promise<RecordedUpgrade>;
  reset(): void;
}

export const REALTIME_USAGE = {
  total_tokens: 30,
  input_tokens: 20,
  output_tokens: 10,
  input_token_details: { text_tokens: 8, audio_tokens: 12, cached_tokens: 0 },
  output_token_details: { text_tokens: 4, audio_tokens: 6 },
};
/** The text every scripted Responses answer carries. */
export const RESPONSES_TEXT = 'Hello from the stand-in';
export const RESPONSES_USAGE = { input_tokens: 5, output_tokens: 3, total_tokens: 8, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };

/**
 * Makes the stand-in upstream's HTTP server speak both WebSocket protocols Keygate relays, scripted like OpenAI:
 * `/v1/realtime` (session.created on open, session.updated, response.create → response.created, an output item, a
 * text delta, response.done with usage) and `/v1/responses` (response.create → response.created, a delta,
 * response.completed with usage). It picks `realtime` when offered, as OpenAI does.
 */
export function attachSocketStandIn(server: Server): SocketStandIn {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has('realtime') ? 'realtime' : false) });
  let waiters: ((upgrade: RecordedUpgrade) => void)[] = [];
  let responses = 0;
  const standIn: SocketStandIn = {
    upgrades: [],
    respond: null,
    refuse: null,
    nextUpgrade: () => new Promise((resolve) => waiters.push(resolve)),
    reset() {
      for (const upgrade of standIn.upgrades) upgrade.socket.terminate();
      standIn.upgrades.length = 0;
      standIn.respond = null;
      standIn.refuse = null;
    },
  };
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (standIn.refuse) {
      const { status, body } = standIn.refuse;
      socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\nx-request-id: req_standin\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const protocols = (request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token !== '');
      const upgrade: RecordedUpgrade = { url: request.url!, headers: request.headers, protocols, socket: ws, events: [] };
      standIn.upgrades.push(upgrade);
      const send = (event: object): void => ws.send(JSON.stringify(event));
      const realtime = upgrade.url.startsWith('/v1/realtime');
      const model = new URL(upgrade.url, 'http://x').searchParams.get('model');
      ws.on('error', () => undefined);
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? null : data.toString();
        let event: unknown = text;
        try {
          event = text === null ? data : JSON.parse(text);
        } catch {
          // Recorded as text: Keygate should never have relayed it.
        }
        upgrade.events.push(event);
        if (typeof event !== 'object' || event === null || Buffer.isBuffer(event)) return;
        const record = event as Record<string, unknown>;
        if (standIn.respond && standIn.respond(record, upgrade) !== false) return;
        if (realtime) realtimeAnswer(record, send, `resp_${++responses}`, model);
        else responsesAnswer(record, send, `resp_${++responses}`);
      });
      if (realtime) send({ type: 'session.created', event_id: 'event_standin_0', session: { id: 'sess_standin', object: 'realtime.session', model } });
      const current = waiters;
      waiters = [];
      for (const waiter of current) waiter(upgrade);
    });
  });
  return standIn;
}

function realtimeAnswer(event: Record<string, unknown>, send: (event: object) => void, id: string, model: string | null): void {
  if (event.type === 'session.update') {
    send({ type: 'session.updated', event_id: `event_${id}_s`, session: { id: 'sess_standin', ...(event.session as object), model: (event.session as { model?: string }).model ?? model } });
  } else if (event.type === 'response.create') {
    const response = { id, object: 'realtime.response', status: 'in_progress', output: [], usage: null };
    const item = { id: `item_${id}`, type: 'message', role: 'assistant', status: 'in_progress', content: [] };
    send({ type: 'response.created', event_id: `event_${id}_0`, response });
    send({ type: 'response.output_item.added', event_id: `event_${id}_1`, response_id: id, output_index: 0, item });
    send({ type: 'response.output_text.delta', event_id: `event_${id}_2`, response_id: id, item_id: item.id, output_index: 0, content_index: 0, delta: 'Hello' });
    send({ type: 'response.done', event_id: `event_${id}_3`, response: { ...response, status: 'completed', output: [{ ...item, status: 'completed' }], usage: REALTIME_USAGE } });
  }
}

function responsesAnswer(event: Record<string, unknown>, send: (event: object) => void, id: string): void {
  if (event.type !== 'response.create') return;
  const lane = typeof event.stream_id === 'string' ? { stream_id: event.stream_id } : {};
  const response = { id, object: 'response', model: event.model, status: 'in_progress', output: [], usage: null };
  const item = { type: 'message', id: `msg_${id}`, role: 'assistant', status: 'in_progress', content: [] as object[] };
  const part = { type: 'output_text', text: RESPONSES_TEXT, annotations: [] };
  const done = { ...item, status: 'completed', content: [part] };
  const place = { item_id: item.id, output_index: 0, content_index: 0 };
  const events: object[] = [
    { type: 'response.created', response },
    { type: 'response.output_item.added', output_index: 0, item },
    { type: 'response.content_part.added', ...place, part: { ...part, text: '' } },
    { type: 'response.output_text.delta', ...place, delta: RESPONSES_TEXT },
    { type: 'response.output_text.done', ...place, text: RESPONSES_TEXT },
    { type: 'response.content_part.done', ...place, part },
    { type: 'response.output_item.done', output_index: 0, item: done },
    { type: 'response.completed', response: { ...response, status: 'completed', output: [done], usage: RESPONSES_USAGE } },
  ];
  events.forEach((payload, sequence) => send({ ...payload, sequence_number: sequence, ...lane }));
}
