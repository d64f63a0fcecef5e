import { randomBytes } from 'node:crypto';
import { proxyErrors, type ProxyError } from './proxy-error';

/** A client event as Keygate read it; `value` is what gets forwarded (re-serialised), so what was checked is what is sent. */
export interface ClientEvent {
  type: string;
  value: Record<string, unknown>;
  /** The client's `event_id`, or null. */
  eventId: string | null;
  /** The frame as sent: the model checks read member names off it (a repeated `model` is ambiguous). */
  bytes: Buffer;
}

/**
 * Reads one client frame: a text frame holding a JSON object with a string `type`. Anything else — a binary frame,
 * text that is not JSON, JSON that is not such an object — is refused with a 400 ProxyError `invalid_event` (both
 * protocols send JSON text only, and an event Keygate cannot read is one it cannot check).
 */
export function readClientEvent(data: Buffer, isBinary: boolean): ClientEvent {
  if (isBinary) throw proxyErrors.invalidEvent('a binary frame');
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    throw proxyErrors.invalidEvent('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw proxyErrors.invalidEvent('not a JSON object');
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || record.type === '') throw proxyErrors.invalidEvent('no "type"');
  return { type: record.type, value: record, eventId: typeof record.event_id === 'string' ? record.event_id : null, bytes: data };
}

/**
 * The `error` server event for a refused client event, in the Realtime API's shape (the Responses WebSocket mode's
 * `error` event has the same `error` object, plus `status`, which is sent too): the same `code`, `type`, `message`
 * and `param` as the HTTP refusal, and the refused event's `event_id`.
 */
export function errorEvent(error: ProxyError, clientEventId: string | null): string {
  return JSON.stringify({
    type: 'error',
    event_id: `event_kg_${randomBytes(9).toString('base64url')}`,
    status: error.status,
    error: { type: error.type, code: error.code, message: error.message, param: error.param, event_id: clientEventId },
  });
}

const TYPE_PREFIX = Buffer.from('{"type":"');

/**
 * The `type` of a server event when it is the event's first member, read without parsing the event (audio deltas
 * are large, and OpenAI writes `type` first); null otherwise, and the caller parses the event whole. Upstream is the
 * owner's chosen API, so a misread here could only misplace accounting, never let a client event through unchecked.
 */
export function peekEventType(data: Buffer): string | null {
  if (data.length < TYPE_PREFIX.length || data.compare(TYPE_PREFIX, 0, TYPE_PREFIX.length, 0, TYPE_PREFIX.length) !== 0) return null;
  const end = data.indexOf(0x22, TYPE_PREFIX.length);
  if (end === -1 || end - TYPE_PREFIX.length > 128) return null;
  const type = data.toString('latin1', TYPE_PREFIX.length, end);
  // An escape in the type would need a real parse.
  return type.includes('\\') ? null : type;
}

/** A server event parsed whole, or null when it is not a JSON object. */
export function parseServerEvent(data: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
