/** Members that cap a request's output tokens, per OpenAI endpoint family. */
const OUTPUT_CAPS = ['max_completion_tokens', 'max_tokens', 'max_output_tokens'] as const;

/** A request's worst case in tokens, reserved before it is forwarded and settled to the usage reported after. */
export interface TokenEstimate {
  input: number;
  output: number;
}

/**
 * The tokens a JSON request with a model may use at most, cheaply: input is the body's bytes / 4 (JSON syntax, keys
 * and UTF-8 make this an upper-ish bound for English text; languages with dense scripts may exceed it, and settlement
 * corrects the difference), output is the request's own cap, else `defaultOutput`. Other requests reserve no tokens.
 */
export function estimateTokens(json: unknown, bodyBytes: number, defaultOutput: number): TokenEstimate {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { input: 0, output: 0 };
  const body = json as Record<string, unknown>;
  if (typeof body.model !== 'string') return { input: 0, output: 0 };
  let output = defaultOutput;
  for (const name of OUTPUT_CAPS) {
    const cap = body[name];
    if (typeof cap === 'number' && Number.isInteger(cap) && cap > 0) {
      output = cap;
      break;
    }
  }
  return { input: Math.ceil(bodyBytes / 4), output };
}
