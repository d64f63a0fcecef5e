import type { EndpointSpec } from './endpoint-spec';
import { openAiEndpoints } from './openai-endpoints';

/** A request's endpoint, resolved: the spec, plus the model named in the path (for `/models/{model}`). */
export interface EndpointMatch {
  spec: EndpointSpec;
  pathModel: string | null;
}

interface CompiledEndpoint {
  spec: EndpointSpec;
  regex: RegExp;
  literalSegments: number;
}

/** Finds the endpoint of a `/v1`-relative path. Literal segments win over placeholders (`/responses/compact`). */
export class EndpointTable {
  private readonly byMethod = new Map<string, CompiledEndpoint[]>();
  private readonly cache = new Map<string, Map<string, EndpointMatch | null>>();
  private cached = 0;

  constructor(specs: readonly EndpointSpec[] = openAiEndpoints) {
    for (const spec of specs) {
      const segments = spec.path.split('/').slice(1);
      // `{model}` may hold slashes (OpenRouter ids such as `openai/gpt-4o`), so it takes the rest of the path.
      const source = segments
        .map((segment) => (segment === '{model}' ? '(.+)' : segment.startsWith('{') ? '[^/]+' : escape(segment)))
        .join('/');
      const compiled = { spec, regex: new RegExp(`^/${source}$`), literalSegments: segments.filter((s) => !s.startsWith('{')).length };
      const list = this.byMethod.get(spec.method) ?? [];
      list.push(compiled);
      this.byMethod.set(spec.method, list);
    }
    for (const list of this.byMethod.values()) list.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /**
   * The endpoint for `method` and `path` (relative to /v1, canonical: decoded once, see canonical-path.ts), or null
   * when OpenAI has none. Case-sensitive, like OpenAI's documented paths.
   */
  match(method: string, path: string): EndpointMatch | null {
    let byPath = this.cache.get(method);
    const cached = byPath?.get(path);
    if (cached !== undefined) return cached;
    let found: EndpointMatch | null = null;
    for (const candidate of this.byMethod.get(method) ?? []) {
      const result = candidate.regex.exec(path);
      if (result) {
        // Already decoded: decoding again would read `%2541` as `A`, not the `%41` upstream gets.
        found = { spec: candidate.spec, pathModel: result[1] ?? null };
        break;
      }
    }
    // Paths with ids are unbounded; only the fixed ones are worth remembering.
    if (!found || !found.spec.path.includes('{')) {
      if (this.cached++ > 1000) {
        this.cache.clear();
        this.cached = 0;
      }
      if (!byPath) this.cache.set(method, (byPath = new Map()));
      byPath.set(path, found);
    }
    return found;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
