/**
 * Where OpenAI's spec lets a JSON request body name an object Keygate records the owner of (object-ownership.ts): every
 * property path that ends in one of ID_MEMBERS, found by the same walk of each operation's request-body schema that
 * finds `model` (memberPathsOf in openapi-model-paths.ts). Only those places are checked, so a UUID in any other member (Codex's
 * `prompt_cache_key`, `client_metadata`, …) is never taken for an object id. Used by generate-openai-endpoints.ts.
 */
import { memberPathsOf, requestBodyPathsByOperation, type OpenApiDocument } from './openapi-model-paths';

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
  return memberPathsOf(document, schema, {
    what: 'an object id',
    matches: (name) => ID_MEMBERS.has(name),
    // `metadata` is the caller's own strings, never read as ids.
    skipsMember: (name) => name === 'metadata' || ANSWER_MEMBERS.has(name),
    skipsRef: (name) => ANSWER_RECORD.test(name),
  });
}

/** The object-id paths of every operation's JSON request body, keyed `METHOD /path` (query of the spec's path dropped). */
export function objectIdPathsByOperation(document: OpenApiDocument): Map<string, string[]> {
  return requestBodyPathsByOperation(document, objectIdPathsOf);
}
