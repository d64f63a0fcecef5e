import { checkUsable } from './authenticate';
import { authorize } from './authorize';
import type { EndpointMatch, EndpointTable } from './endpoint-table';
import type { SubkeyState } from './key-cache';
import { checkObjects, type ObjectOwners } from './object-ownership';
import { checkPermission } from './permission-gate';
import { checkQuotaLeft } from './quota';
import type { ClientEvent } from './ws-events';

/** The two WebSocket surfaces Keygate relays: the Realtime API and the Responses API's WebSocket mode. */
export type SocketKind = 'realtime' | 'responses';

/** The paths a WebSocket may be opened on (exactly these, undecoded); every other upgrade is refused with 501. */
export const SOCKET_PATHS: ReadonlyMap<string, SocketKind> = new Map([
  ['/v1/realtime', 'realtime'],
  ['/v1/responses', 'responses'],
]);

/** A Realtime socket runs the model named in `?model=`: a key with a model policy must name it there. */
const REALTIME_UPGRADE: EndpointMatch = { spec: { method: 'GET', path: '/realtime', group: 'realtime', model: ['query'] }, pathModel: null };
/** A Responses socket names its models per `response.create`; a `?model=` is checked when given. */
const RESPONSES_UPGRADE: EndpointMatch = { spec: { method: 'GET', path: '/responses', group: 'responses', model: [] }, pathModel: null };
/**
 * Any other client event: its own `model` and the places the Realtime API's events name one (a `session.update`'s
 * session and transcription models, a `response.create`'s response model) are checked; none is required.
 */
const OTHER_EVENT: EndpointMatch = {
  spec: {
    method: 'POST',
    path: '/realtime',
    group: 'realtime',
    model: [],
    nestedModels: ['session.model', 'session.input_audio_transcription.model', 'session.audio.input.transcription.model', 'response.model'],
  },
  pathModel: null,
};

/**
 * The checks an upgrade passes once its sub-key is known and usable — the HTTP stages, in the same order: model
 * permissions (write on the socket's group), model policy on `?model=`, then a request left. Returns the model to log.
 * Throws a ProxyError. Budgets join here and in `checkClientEvent`, as the same stage functions HTTP calls.
 */
export function checkUpgrade(subkey: SubkeyState, kind: SocketKind, queryModel: string | null): string | null {
  const endpoint = kind === 'realtime' ? REALTIME_UPGRADE : RESPONSES_UPGRADE;
  // A socket exists to make responses (a Realtime session even unasked, by voice activity): it needs write access.
  checkPermission('POST', endpoint, subkey);
  const model = authorize(subkey, { method: 'GET', endpoint, bodyKind: 'none', json: undefined, jsonBytes: null, formModel: null, queryModel });
  checkQuotaLeft(subkey);
  return model;
}

/**
 * The checks a client event passes before it is relayed: the sub-key still usable, and the model policy over the
 * event as over an HTTP body — a Responses `response.create` exactly as `POST /v1/responses` (its top-level `model`
 * required for a key with a policy), every other event for each `model` it names (Realtime `session.update`: the
 * session and transcription models). Returns the model the event names (null when none). Throws a ProxyError.
 */
export function checkClientEvent(subkey: SubkeyState, kind: SocketKind, event: ClientEvent, table: EndpointTable, now: number): string | null {
  checkUsable(subkey, now);
  const endpoint = kind === 'responses' && event.type === 'response.create' ? table.match('POST', '/responses') : OTHER_EVENT;
  return authorize(subkey, { method: 'POST', endpoint, bodyKind: 'json', json: event.value, jsonBytes: event.bytes, formModel: null, queryModel: null });
}

/**
 * A Realtime socket runs its session's model (`?model=`, or the last `session.update` that named one) without naming it
 * again: checked when a response is asked for and when the sub-key changes, so a policy narrowed mid-session applies.
 * Throws the 403 ProxyError.
 */
export function checkSessionModel(subkey: SubkeyState, kind: SocketKind, sessionModel: string | null): void {
  if (kind !== 'realtime') return;
  authorize(subkey, { method: 'GET', endpoint: REALTIME_UPGRADE, bodyKind: 'none', json: undefined, jsonBytes: null, formModel: null, queryModel: sessionModel });
}

/**
 * The key's endpoint permissions and object ownership over one client event, as HTTP applies them to a request
 * (the key's permissions may have changed since the upgrade): every event needs write on the socket's group, and a
 * Responses `response.create` may name only the key's own objects where `POST /v1/responses` takes ids
 * (`previous_response_id`, `conversation`, files…; the event is forwarded re-serialised, so no member can hide).
 * Throws 403 `permission_denied` or 404 `object_not_found`.
 */
export function checkEventAccess(subkey: SubkeyState, kind: SocketKind, event: ClientEvent, table: EndpointTable, owners: ObjectOwners): void {
  checkPermission('POST', kind === 'realtime' ? REALTIME_UPGRADE : RESPONSES_UPGRADE, subkey);
  if (kind !== 'responses' || event.type !== 'response.create' || subkey.permissions.shareProjectObjects) return;
  checkObjects(table.match('POST', '/responses')?.spec, '/responses', event.value, null, subkey.id, owners);
}
