/**
 * Which permission group (electron/shared/permissions.ts) each OpenAI endpoint belongs to, from the operation's tag
 * in OpenAI's spec. Used by generate-openai-endpoints.ts; an endpoint that lands in no group fails the generator.
 */
import type { EndpointGroup, PermissionGroup } from '../shared/permissions';
import type { OpenApiDocument } from './openapi-model-paths';

/** Spec tags → groups. Legacy `Completions` go with chat completions, as OpenAI's key page has no row for them. */
const TAG_GROUPS: Record<string, PermissionGroup> = {
  Models: 'models',
  Chat: 'chat_completions',
  Completions: 'chat_completions',
  Responses: 'responses',
  Embeddings: 'embeddings',
  Images: 'images',
  Audio: 'audio',
  Moderations: 'moderations',
  Files: 'files',
  Uploads: 'uploads',
  Batch: 'batches',
  'Fine-tuning': 'fine_tuning',
  'Vector stores': 'vector_stores',
  Assistants: 'assistants_threads',
  Evals: 'evals',
  Videos: 'videos',
  Conversations: 'conversations',
  Realtime: 'realtime',
  Skills: 'skills',
};

/**
 * Untagged operations, by first path segment. ChatKit runs published workflows: none of OpenAI's rows covers it, so
 * it has its own. A content provenance check inspects an uploaded file and generates nothing, like a moderation.
 */
export const PATH_GROUPS: Record<string, EndpointGroup> = {
  chatkit: 'chatkit',
  containers: 'containers',
  content_provenance_checks: 'moderations',
  responses: 'responses',
  organization: 'admin',
  projects: 'admin',
};

const ADMIN_TAG_ROOTS = new Set(['organization', 'projects']);

/** The group of a spec tag, or null when the tag is not one of OpenAI's endpoint groups (admin tags). */
export function groupOfTag(tag: string): PermissionGroup | null {
  return TAG_GROUPS[tag] ?? null;
}

/** Each operation's tags, by `METHOD /path` (query of the spec's path dropped). */
export function tagsByOperation(document: OpenApiDocument): Map<string, string[]> {
  const byOperation = new Map<string, string[]>();
  for (const [rawPath, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== 'object' || operation === null) continue;
      const tags = (operation as { tags?: unknown }).tags;
      const key = `${method.toUpperCase()} ${rawPath.split('?')[0]}`;
      // Admin operations carry many tags of their own; the path root decides for them.
      if (ADMIN_TAG_ROOTS.has(rawPath.split('/')[1] ?? '')) continue;
      if (Array.isArray(tags)) byOperation.set(key, [...(byOperation.get(key) ?? []), ...tags.filter((tag): tag is string => typeof tag === 'string')]);
    }
  }
  return byOperation;
}
