import type { Database } from '../store/database';
import type { EndpointSpec } from './endpoint-spec';
import { idPlacesOf, mayHideIds, readObjectIds } from './object-id-places';
import { proxyErrors } from './proxy-error';
import type { WriteBatcher } from './write-batcher';

/** Endpoints whose 2xx answer creates an object, the object's kind, and where its id is in the answer. */
const CREATES: Record<string, { kind: string; id: (body: Record<string, unknown>) => unknown }> = {
  'POST /files': { kind: 'file', id: (body) => body.id },
  'POST /uploads': { kind: 'upload', id: (body) => body.id },
  // Completing an upload makes a file.
  'POST /uploads/{upload_id}/complete': { kind: 'file', id: (body) => (body.file as { id?: unknown } | null)?.id },
  'POST /batches': { kind: 'batch', id: (body) => body.id },
  'POST /responses': { kind: 'response', id: (body) => body.id },
  'POST /responses/compact': { kind: 'response', id: (body) => body.id },
  'POST /conversations': { kind: 'conversation', id: (body) => body.id },
  'POST /vector_stores': { kind: 'vector_store', id: (body) => body.id },
  'POST /containers': { kind: 'container', id: (body) => body.id },
  'POST /fine_tuning/jobs': { kind: 'fine_tuning_job', id: (body) => body.id },
  'POST /evals': { kind: 'eval', id: (body) => body.id },
  'POST /videos': { kind: 'video', id: (body) => body.id },
  'POST /videos/{video_id}/remix': { kind: 'video', id: (body) => body.id },
  'POST /videos/edits': { kind: 'video', id: (body) => body.id },
  'POST /videos/extensions': { kind: 'video', id: (body) => body.id },
  'POST /chat/completions': { kind: 'chat_completion', id: (body) => body.id },
  'POST /assistants': { kind: 'assistant', id: (body) => body.id },
  'POST /threads': { kind: 'thread', id: (body) => body.id },
  // Creating a thread and a run answers with the run, which names the new thread.
  'POST /threads/runs': { kind: 'thread', id: (body) => body.thread_id },
};

/** Path placeholders that hold the id of an owned object. */
const PATH_IDS = new Set([
  'file_id',
  'upload_id',
  'batch_id',
  'response_id',
  'conversation_id',
  'vector_store_id',
  'container_id',
  'fine_tuning_job_id',
  'eval_id',
  'video_id',
  'completion_id',
  'assistant_id',
  'thread_id',
]);

/**
 * Placeholders that look like an owned id but are not: a container's own files (`cfile_…`), a vector store's file
 * batches (`vsfb_…`) and ChatKit threads live inside their parent, which is checked instead.
 */
function ownedPlaceholder(path: string, placeholder: string): boolean {
  if (!PATH_IDS.has(placeholder)) return false;
  if (path.startsWith('/chatkit/')) return false;
  if (placeholder === 'file_id' && path.startsWith('/containers/')) return false;
  if (placeholder === 'batch_id' && path.startsWith('/vector_stores/')) return false;
  return true;
}

/** Collection endpoints (GET) whose list answer is filtered to the key's own objects. */
const LISTS = new Set(['/files', '/batches', '/vector_stores', '/containers', '/fine_tuning/jobs', '/evals', '/videos', '/chat/completions', '/assistants']);

/**
 * Records that `subkeyId` created object `id` (a response made over a WebSocket): known at once, written with the next
 * batch. The first owner stays, so an id seen again (its final event) is not written twice.
 */
export function recordObject(owners: ObjectOwners, writes: WriteBatcher, id: string, subkeyId: string, kind: string): void {
  if (id === '' || id.length > 256 || owners.owner(id) !== null) return;
  owners.remember(id, subkeyId);
  writes.enqueueObject(id, subkeyId, kind, Date.now());
}

/** Who owns each object created through the proxy: the `objects` table, plus what is queued but not yet written. */
export class ObjectOwners {
  private readonly recent = new Map<string, string>();
  private readonly select;

  constructor(db: Database) {
    this.select = db.prepare<[string], { subkey_id: string }>('SELECT subkey_id FROM objects WHERE id = ?');
  }

  /** The sub-key that created object `id` through Keygate, or null when none did. */
  owner(id: string): string | null {
    return this.recent.get(id) ?? this.select.get(id)?.subkey_id ?? null;
  }

  /** Remembers an owner until the write batch has it in the store (bounded: the store is the authority). */
  remember(id: string, subkeyId: string): void {
    if (this.recent.has(id)) return;
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(id, subkeyId);
  }
}

/**
 * Refuses (404, as OpenAI answers for an id it does not know) a request that names an object this sub-key did not
 * create through Keygate: ids in the path's object placeholders, and in the JSON body only where OpenAI's spec takes
 * one (`EndpointSpec.objectIds`: `previous_response_id`, `conversation`, `file_id`, `tools[].vector_store_ids`, …).
 * A body whose bytes could hide an id from JSON.parse (a repeated member) is refused as ambiguous (400).
 */
export function checkObjects(
  spec: EndpointSpec | undefined,
  path: string,
  json: unknown,
  jsonBytes: Buffer | null,
  subkeyId: string,
  owners: ObjectOwners,
): void {
  if (!spec) return;
  const check = (id: string, param: string): void => {
    if (owners.owner(id) !== subkeyId) throw proxyErrors.objectNotFound(id, param);
  };
  const specSegments = spec.path.split('/');
  const segments = path.split('/');
  specSegments.forEach((segment, index) => {
    if (segment.startsWith('{') && ownedPlaceholder(spec.path, segment.slice(1, -1))) check(segments[index]!, 'id');
  });
  const places = idPlacesOf(spec);
  if (!places || json === undefined) return;
  const { ids, members } = readObjectIds(json, places);
  if (jsonBytes && mayHideIds(jsonBytes, places, members)) {
    throw proxyErrors.ambiguousRequest('the JSON body gives a member twice in one object where it names objects, or nests too deep to tell');
  }
  for (const { id, member } of ids) check(id, member);
}

/** Whether a GET on `spec` answers a list of objects that must be filtered to the key's own. */
export function isOwnedList(method: string, spec: EndpointSpec | undefined): boolean {
  return method === 'GET' && spec !== undefined && LISTS.has(spec.path);
}

/**
 * What `request.created` of forward.ts records for an endpoint that creates objects, or null. A stored chat
 * completion only when the body asks to store it (`store: true`), so ordinary chat adds no row.
 */
export function creationRecorder(
  spec: EndpointSpec | undefined,
  json: unknown,
  record: (id: string, kind: string) => void,
): ((body: Buffer, sse: boolean) => void) | null {
  if (!spec) return null;
  const creates = CREATES[`${spec.method} ${spec.path}`];
  if (!creates) return null;
  if (creates.kind === 'chat_completion' && (json as { store?: unknown } | undefined)?.store !== true) return null;
  return (body, sse) => {
    const parsed = sse ? firstEvent(body) : parseObject(body.toString('utf8'));
    // A streamed response names itself in its first event (`response.created`: `{ response: { id } }`).
    const object = sse && parsed && typeof parsed.response === 'object' ? (parsed.response as Record<string, unknown>) : parsed;
    const id = object ? creates.id(object) : undefined;
    if (typeof id === 'string' && id !== '' && id.length <= 256) record(id, creates.kind);
  };
}

function firstEvent(body: Buffer): Record<string, unknown> | null {
  for (const line of body.toString('utf8').split('\n')) {
    if (line.startsWith('data:')) return parseObject(line.slice(5).trim());
  }
  return null;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
