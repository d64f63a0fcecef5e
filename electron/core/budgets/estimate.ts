/** Members that cap a request's output tokens, per OpenAI endpoint family. */
const OUTPUT_CAPS = ['max_completion_tokens', 'max_tokens', 'max_output_tokens'] as const;

/** A request's worst case in tokens, reserved before it is forwarded and settled to the usage reported after. */
export interface TokenEstimate {
  input: number;
  output: number;
}

/**
 * The tokens a JSON request with a model may use at most, cheaply: input is the body's bytes / 4 (JSON syntax, keys
 * and UTF-8 make this an upper-ish bound for English text; dense scripts, crafted text, images and files by reference
 * exceed it, and settlement corrects the difference), output is the request's own cap, else `defaultOutput`, once per
 * output it generates (outputCount). Other requests reserve no tokens. `boundTokens` is the sure bound.
 */
export function estimateTokens(json: unknown, bodyBytes: number, defaultOutput: number): TokenEstimate {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { input: 0, output: 0 };
  const body = json as Record<string, unknown>;
  if (typeof body.model !== 'string') return { input: 0, output: 0 };
  const output = outputCap(body) ?? defaultOutput;
  // Capped so that absurd counts stay a finite number: still far beyond any budget.
  return { input: Math.ceil(bodyBytes / 4), output: Math.min(output * outputCount(body), Number.MAX_SAFE_INTEGER) };
}

/**
 * Tokens taken for a model whose context window the price data does not know: beyond every window it lists (1.05 M).
 */
export const UNKNOWN_CONTEXT_TOKENS = 2_000_000;

/**
 * Members and part types that bring input the body does not carry, or carries in a form whose bytes do not bound its
 * tokens: an image or file by URL, id or data (a 60-byte image URL can read 48,000 tokens on gpt-4o-mini, a tiny
 * inline image 2,833), a stored prompt, an earlier item, the response or conversation a request continues.
 */
const UNSIZED_MEMBERS = new Set(['image_url', 'image_file', 'file_id', 'file_url', 'file_data', 'previous_response_id', 'conversation']);
const UNSIZED_TYPES = new Set(['image_url', 'input_image', 'input_file', 'file', 'image_file', 'item_reference']);
/** Tool types whose calls the client runs: their definitions are in the body, their results in a later one. */
const CLIENT_TOOLS = new Set(['function', 'custom']);

/**
 * The tokens a JSON request with a model can use at most, which `estimateTokens` only guesses: input is the body's
 * bytes (every token stands for at least one byte of the text it reads, and the JSON around that text is longer than
 * the few tokens around each message), or the model's whole context window when the body brings input it does not
 * carry (UNSIZED_MEMBERS); output is the request's cap, else the context window, once per output. The spend gate
 * reserves this for a key that already has a guessed reservation in flight (spend-gate.ts).
 */
export function boundTokens(json: unknown, bodyBytes: number, contextWindow: number): TokenEstimate {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { input: 0, output: 0 };
  const body = json as Record<string, unknown>;
  if (typeof body.model !== 'string') return { input: 0, output: 0 };
  const cap = outputCap(body);
  const input = bringsUnsizedInput(body) ? contextWindow : Math.min(bodyBytes, contextWindow);
  return { input, output: Math.min((cap ?? contextWindow) * outputCount(body), Number.MAX_SAFE_INTEGER) };
}

/**
 * Whether a body anywhere names input by reference (UNSIZED_MEMBERS, UNSIZED_TYPES), a stored prompt (a Responses
 * `prompt` object; a completion's prompt is text or a list), or turns on a hosted tool that adds input of its own.
 */
export function bringsUnsizedInput(body: Record<string, unknown>): boolean {
  if (typeof body.prompt === 'object' && body.prompt !== null && !Array.isArray(body.prompt)) return true;
  // A hosted tool (file or web search, code interpreter, a remote MCP server, computer use…) reads what it finds into
  // the input; only functions the client runs bring nothing (their results come back in a later request's body).
  if (body.web_search_options !== undefined && body.web_search_options !== null) return true;
  if (Array.isArray(body.tools) && body.tools.some((tool) => !CLIENT_TOOLS.has((tool as { type?: unknown } | null)?.type as string))) return true;
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    // A parsed JSON object has only own enumerable members: for…in reads them without an array of entries per object.
    const object = value as Record<string, unknown>;
    for (const name in object) {
      const member = object[name];
      if (UNSIZED_MEMBERS.has(name) && member !== null && member !== undefined) return true;
      if (name === 'type' && typeof member === 'string' && UNSIZED_TYPES.has(member)) return true;
      if (typeof member === 'object' && member !== null) stack.push(member);
    }
  }
  return false;
}

/** The request's own output cap (the first of OUTPUT_CAPS it sets to a positive integer), or null. */
function outputCap(body: Record<string, unknown>): number | null {
  for (const name of OUTPUT_CAPS) {
    const cap = body[name];
    if (typeof cap === 'number' && Number.isInteger(cap) && cap > 0) return cap;
  }
  return null;
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
