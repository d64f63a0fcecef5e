/**
 * Tool types OpenAI bills per call or per container on top of tokens (web search, file search, code interpreter,
 * image generation), matched by prefix so that dated spellings (`web_search_preview_2025_03_11`) count too. A
 * response's `usage` does not report those fees, so Keygate cannot price them.
 */
const PER_CALL_TOOLS = ['web_search', 'file_search', 'code_interpreter', 'image_generation'] as const;

/**
 * The first tool a request body turns on that is billed per call, or null: a `tools[]` entry of such a type, Chat
 * Completions' `web_search_options`, or a search model (`gpt-4o-search-preview` searches on every request). Under a
 * budget in dollars such a request is refused (403 `price_unknown`) rather than charged $0 for the tool.
 */
export function perCallTool(body: Record<string, unknown>): string | null {
  if (body.web_search_options !== undefined && body.web_search_options !== null) return 'web_search';
  if (typeof body.model === 'string' && body.model.toLowerCase().includes('-search-')) return 'web_search';
  if (!Array.isArray(body.tools)) return null;
  for (const tool of body.tools as unknown[]) {
    const type = typeof tool === 'object' && tool !== null ? (tool as { type?: unknown }).type : undefined;
    if (typeof type === 'string' && PER_CALL_TOOLS.some((prefix) => type.startsWith(prefix))) return type;
  }
  return null;
}
