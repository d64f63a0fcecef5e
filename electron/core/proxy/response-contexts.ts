/** How many response and conversation ids are remembered; the least recently used are forgotten first. */
const REMEMBERED = 10_000;
/** Longer ids are not OpenAI's, and are not kept. */
const MAX_ID_LENGTH = 256;

/**
 * The context upstream holds for a Responses request that continues earlier work: `previous_response_id` makes it
 * read that response's input and output again, `conversation` the conversation's items (at least what its last
 * response read and wrote). The request's body carries none of it, so an estimate from the body alone is a fraction
 * of what upstream bills, and concurrent continuations of one long response could overspend a budget many times over.
 * Remembers, by response id and by conversation id, what each response that finished through this process (over
 * HTTP or a WebSocket) read and wrote. Unknown ids (made elsewhere, before a restart, or forgotten) add nothing to the
 * estimate; settling to the reported usage still charges them in full.
 */
export class ResponseContexts {
  private readonly tokens = new Map<string, number>();

  /** The context tokens a Responses body continues (its previous response's or its conversation's, the larger); 0 when unknown. */
  of(body: unknown): number {
    if (typeof body !== 'object' || body === null) return 0;
    const { previous_response_id: previous, conversation } = body as Record<string, unknown>;
    let context = 0;
    for (const id of [typeof previous === 'string' ? previous : null, conversationId(conversation)]) {
      const known = id === null ? undefined : this.tokens.get(id);
      if (known !== undefined) context = Math.max(context, known);
    }
    return context;
  }

  /** A response finished having read and written `tokens` in all; `conversation` is the one it belongs to, if any. */
  remember(responseId: string | null, conversation: unknown, tokens: number): void {
    for (const id of [responseId, conversationId(conversation)]) {
      if (id === null || id === '' || id.length > MAX_ID_LENGTH) continue;
      this.tokens.delete(id);
      this.tokens.set(id, tokens);
      if (this.tokens.size > REMEMBERED) this.tokens.delete(this.tokens.keys().next().value!);
    }
  }
}

/** A conversation as a request or a response names it: its id, or `{ id }`. */
function conversationId(value: unknown): string | null {
  if (typeof value === 'string') return value;
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}
