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
 * corrects the difference), output is the request's own cap, else `defaultOutput`, once per output it generates
 * (outputCount). Other requests reserve no tokens.
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
  // Capped so that absurd counts stay a finite number: still far beyond any budget.
  return { input: Math.ceil(bodyBytes / 4), output: Math.min(output * outputCount(body), Number.MAX_SAFE_INTEGER) };
}

/**
 * How many outputs one request generates, each up to the output cap and all billed: chat's and completions' `n`
 * choices, a completion's `best_of` (generated server-side, billed even though one is returned), an image request's
 * `n` images, and a completion's prompts when `prompt` is a list of them (each gets its own choices). Reserving one
 * output for such a request would let concurrent ones overspend a budget many times over.
 */
export function outputCount(body: Record<string, unknown>): number {
  const choices = Math.max(countOf(body.n), countOf(body.best_of));
  const prompt = body.prompt;
  // A list of strings, or of token lists, is that many prompts; a list of numbers is one prompt's tokens.
  const prompts = Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] !== 'number' ? prompt.length : 1;
  return choices * prompts;
}

/** A count member as upstream would read it: a positive integer, else its default of 1 (upstream refuses the rest). */
function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 1 ? value : 1;
}
