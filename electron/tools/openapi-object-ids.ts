/**
 * Where OpenAI's spec lets a JSON request body name an object Keygate records the owner of (object-ownership.ts): every
 * property path that ends in one of ID_MEMBERS, found by walking each operation's request-body schema like
 * openapi-model-paths.ts walks for `model`. Only those places are checked, so a UUID in any other member (Codex's
 * `prompt_cache_key`, `client_metadata`, …) is never taken for an object id. Used by generate-openai-endpoints.ts.
 */
import { isSchema, requestBodyPathsByOperation, resolveRef, type OpenApiDocument } from './openapi-model-paths';

/**
 * Members that name an object of a kind Keygate records (file, response, conversation, vector store, assistant,
 * thread, container): one id, a list of ids, or (`conversation`) an id or `{ id }`.
 */
export const ID_MEMBERS: ReadonlySet<string> = new Set([
  'file_id',
  'file_ids',
  'input_file_id',
  'training_file',
  'validation_file',
  'previous_response_id',
  'conversation',
  'vector_store_id',
  'vector_store_ids',
  'assistant_id',
  'thread_id',
  'container',
  'container_id',
]);

/**
 * Schemas that replay what OpenAI answered (a tool call's record, e.g. a file search's results or the container a code
 * interpreter ran in), and members that cite (an output text's `annotations`): the ids in them describe, they do not
 * ask to use an object, and may name objects no sub-key created (a vector store's files, an automatic container).
 */
const ANSWER_RECORD = /^(?:Beta)?\w+ToolCall$/;
const ANSWER_MEMBERS = new Set(['annotations']);

/** Every object-id path in `schema`, sorted; throws when a recursive schema names one (no fixed paths then). */
export function objectIdPathsOf(document: OpenApiDocument, schema: unknown): string[] {
  const found = new Set<string>();
  const cutRefs = new Set<string>();
  walk(document, schema, [], [], found, cutRefs);
  for (const ref of cutRefs) {
    const inside = new Set<string>();
    walk(document, resolveRef(document, ref), [], [ref], inside, new Set());
    if (inside.size > 0) throw new Error(`${ref} is recursive and names an object id (${[...inside].join(', ')}): the proxy could not read it at fixed paths`);
  }
  return [...found].sort();
}

function walk(document: OpenApiDocument, schema: unknown, path: readonly string[], refs: readonly string[], found: Set<string>, cutRefs: Set<string>): void {
  if (!isSchema(schema)) return;
  if (typeof schema.$ref === 'string') {
    if (ANSWER_RECORD.test(schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1))) return;
    if (refs.includes(schema.$ref)) {
      cutRefs.add(schema.$ref);
      return;
    }
    walk(document, resolveRef(document, schema.$ref), path, [...refs, schema.$ref], found, cutRefs);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const variants = schema[key];
    if (Array.isArray(variants)) for (const variant of variants) walk(document, variant, path, refs, found, cutRefs);
  }
  const inArray = (): string[] => (path.length === 0 ? ['[]'] : [...path.slice(0, -1), `${path[path.length - 1]}[]`]);
  if (schema.items !== undefined) walk(document, schema.items, inArray(), refs, found, cutRefs);
  if (Array.isArray(schema.prefixItems)) for (const item of schema.prefixItems) walk(document, item, inArray(), refs, found, cutRefs);
  if (isSchema(schema.additionalProperties)) walk(document, schema.additionalProperties, [...path, '*'], refs, found, cutRefs);
  if (isSchema(schema.patternProperties)) {
    for (const value of Object.values(schema.patternProperties)) walk(document, value, [...path, '*'], refs, found, cutRefs);
  }
  if (isSchema(schema.properties)) {
    for (const [name, value] of Object.entries(schema.properties)) {
      // `metadata` is the caller's own strings, never read as ids.
      if (name === 'metadata' || ANSWER_MEMBERS.has(name)) continue;
      const next = [...path, name];
      if (ID_MEMBERS.has(name)) found.add(next.join('.'));
      walk(document, value, next, refs, found, cutRefs);
    }
  }
}

/** The object-id paths of every operation's JSON request body, keyed `METHOD /path` (query of the spec's path dropped). */
export function objectIdPathsByOperation(document: OpenApiDocument): Map<string, string[]> {
  return requestBodyPathsByOperation(document, objectIdPathsOf);
}
