import { isModelAllowed, type ModelPolicy } from '../../../electron/shared/model-policy';

/** What the snippets call: a model and an endpoint that fit together, or the model list when the key may use neither. */
export type SnippetTarget = { kind: 'chat'; model: string } | { kind: 'embeddings'; model: string } | { kind: 'models' };

/** Models that do not answer `/chat/completions` (images, audio, speech, moderation, legacy completions, …). */
const NOT_CHAT = /embed|whisper|tts|dall-e|image|moderation|transcribe|realtime|audio|speech|davinci|babbage|sora|search|computer-use|codex|-pro(-|$)/i;
const EMBEDDINGS = /embed/i;
/** Small, cheap chat models to prefer, best first. */
const PREFERRED_CHAT = ['gpt-4o-mini', 'gpt-4.1-mini'];
const PREFERRED_EMBEDDINGS = ['text-embedding-3-small'];

/** The id without a router's provider prefix (`openai/gpt-4o-mini` → `gpt-4o-mini`). */
function bareId(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

function chatRank(id: string): number {
  const bare = bareId(id);
  const preferred = PREFERRED_CHAT.indexOf(bare);
  if (preferred >= 0) return preferred;
  if (/(^|-)(mini|nano)(-|$)/.test(bare)) return PREFERRED_CHAT.length;
  if (/^(gpt-|chatgpt-|o\d)/.test(bare)) return PREFERRED_CHAT.length + 1;
  return PREFERRED_CHAT.length + 2;
}

function embeddingsRank(id: string): number {
  const preferred = PREFERRED_EMBEDDINGS.indexOf(bareId(id));
  return preferred >= 0 ? preferred : PREFERRED_EMBEDDINGS.length;
}

/** The best-ranked id; ties go to the shorter id (an alias over a dated snapshot), then alphabetical order. */
function best(ids: string[], rank: (id: string) => number): string | undefined {
  return [...ids].sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b))[0];
}

/**
 * Picks what a new secret's snippets should call, from the models synced for its upstream and the key's own policy:
 * a small chat model the key may use, else an embeddings model, else `GET /v1/models` (which every key may call).
 * Exact ids in the allow-list count too, so a key restricted to a model that was never synced still gets it.
 * Issuing and rotating both use this, so a snippet never names a model the key would be refused.
 */
export function chooseSnippetTarget(policy: ModelPolicy, syncedModels: readonly string[]): SnippetTarget {
  const exactAllowed = policy.allowModels.filter((pattern) => !pattern.includes('*'));
  const usable = [...new Set([...syncedModels, ...exactAllowed])].filter((id) => isModelAllowed(policy, id));
  const chat = best(
    usable.filter((id) => !NOT_CHAT.test(bareId(id))),
    chatRank,
  );
  if (chat) return { kind: 'chat', model: chat };
  const embeddings = best(
    usable.filter((id) => EMBEDDINGS.test(bareId(id))),
    embeddingsRank,
  );
  if (embeddings) return { kind: 'embeddings', model: embeddings };
  return { kind: 'models' };
}
