import { readDefaultOutputTokens } from '../budgets/budget-settings';
import { boundTokens, estimateTokens, UNKNOWN_CONTEXT_TOKENS } from '../budgets/estimate';
import { perCallTool } from '../budgets/per-call-tools';
import { contextWindowOf, priceOn, type TokenCounts } from '../budgets/prices';
import type { Database } from '../store/database';
import type { SubkeyState, UpstreamState } from './key-cache';
import { proxyErrors } from './proxy-error';
import type { ResponseContexts } from './response-contexts';
import { countsTokens } from './spend-amounts';
import type { SpendAmounts } from './spend-gate';
import type { SocketKind } from './ws-checks';

/** Members of a Realtime `response` or `session` that cap a response's output tokens (GA, then beta spelling). */
const REALTIME_CAPS = ['max_output_tokens', 'max_response_output_tokens'] as const;
/** Members that list what a Realtime response may produce (GA, then beta spelling). */
const REALTIME_MODALITIES = ['output_modalities', 'modalities'] as const;

/**
 * What the responses of one WebSocket connection may cost and did cost, for the SpendGate that HTTP requests go
 * through too. A Responses `response.create` is estimated as the `POST /v1/responses` body it mirrors, plus, when its
 * `previous_response_id` names a response of this socket, that response's input and output (the context it
 * continues, which the frame does not carry). A Realtime response's input lives mostly upstream (the conversation so
 * far, largely audio), so its estimate is the frame plus the input the session's last response reported; its output
 * cap is the response's or the session's, else the settings' default, priced as audio unless the response can only
 * produce text (audio is the dearer rate).
 */
export class SocketSpend {
  /** The session's output cap and whether it may answer in audio, from the client's `session.update` events. */
  private sessionCap: number | null = null;
  private sessionAudio = true;
  /** The model upstream says the session runs (`session.created` / `session.updated`). */
  private upstreamModel: string | null = null;
  /** The input the session's last response reported: the conversation the next one reads, at least. */
  private context: { input: number; inputAudio: number } = { input: 0, inputAudio: 0 };
  constructor(
    private readonly kind: SocketKind,
    private readonly db: Database,
    private readonly upstream: UpstreamState,
    /** Responses mode: what finished responses read and wrote, shared with HTTP (a socket may continue either's). */
    private readonly contexts: ResponseContexts,
  ) {}

  /** The model a Realtime response is priced by: the one the client's checks saw, else the one upstream reported. */
  modelFor(claimed: string | null): string | null {
    return claimed ?? (this.kind === 'realtime' ? this.upstreamModel : null);
  }

  /**
   * A response's worst case: 1 request; tokens = estimated input + output cap; USD = those tokens priced, null when
   * the model has no price or is unknown (a USD budget then refuses with `price_unknown`, never charging $0).
   * `frame` is the client's `response.create` (null for a response upstream started on its own).
   */
  responseAmounts(subkey: SubkeyState, frame: { value: Record<string, unknown>; bytes: number } | null, model: string | null): SpendAmounts {
    const amounts: SpendAmounts = { requests: 1, tokens: 0, usd: 0 };
    if (!countsTokens(subkey)) return amounts;
    const counts = this.kind === 'responses' ? this.responsesEstimate(frame) : this.realtimeEstimate(frame);
    amounts.tokens = counts.input + counts.output;
    const inUsd = subkey.budgets.some((budget) => budget.metric === 'usd');
    if (inUsd) {
      // A Responses frame is a `POST /v1/responses` body: a tool billed per call is refused as it is over HTTP.
      const tool = this.kind === 'responses' && frame ? perCallTool(frame.value) : null;
      if (tool !== null) throw proxyErrors.toolPriceUnknown(tool);
      amounts.usd = this.price(model, counts);
    }
    amounts.bound = () => {
      const bound = this.bound(frame, model);
      return { tokens: bound.input + bound.output, usd: inUsd ? this.price(model, bound) : 0 };
    };
    return amounts;
  }

  /**
   * A response's sure worst case, which the spend gate holds while the key has another estimate in flight: a
   * Responses frame as its HTTP body would be bounded (estimate.ts `boundTokens`); a Realtime response may read the
   * whole context window, all of it audio (the dearer rate), and write its cap, else the window.
   */
  private bound(frame: { value: Record<string, unknown>; bytes: number } | null, model: string | null): TokenCounts {
    const window = (model !== null && contextWindowOf(this.upstream.baseUrl, model)) || UNKNOWN_CONTEXT_TOKENS;
    if (this.kind === 'responses') return frame ? boundTokens(frame.value, frame.bytes, window) : { input: window, output: window };
    const { cap: asked, audio } = this.output(frame);
    const cap = asked ?? window;
    return { input: window, inputAudio: window, output: cap, outputAudio: audio ? cap : 0 };
  }

  /**
   * What a response's reported `usage` spends; null when none was reported. Priced (audio and cached input at their own
   * rates) when `inUsd`, else its dollars are 0, which no budget reads.
   */
  usageAmounts(model: string | null, usage: unknown, inUsd: boolean): SpendAmounts | null {
    const counts = tokenCounts(usage);
    if (!counts) return null;
    // A USD amount of null charges what was reserved: an unpriceable usage is never taken for $0.
    return { requests: 1, tokens: counts.total, usd: inUsd ? this.price(model, counts) : 0 };
  }

  /** Reads a client `session.update` the checks let through: its output cap and output modalities apply from now on. */
  noteSessionUpdate(value: Record<string, unknown>): void {
    const session = objectOf(value.session);
    if (!session) return;
    const cap = capOf(session);
    if (cap !== undefined) this.sessionCap = cap;
    const audio = audioOf(session);
    if (audio !== undefined) this.sessionAudio = audio;
  }

  /** Reads the model a `session.created` / `session.updated` server event says the session runs. */
  noteServerSession(session: unknown): void {
    const model = objectOf(session)?.model;
    if (typeof model === 'string' && model !== '') this.upstreamModel = model;
  }

  /**
   * A response ended with `usage`: on Realtime the next response reads at least its input; in Responses mode a later
   * `response.create` continuing it (`previous_response_id`, or its `conversation`) reads its input and output.
   */
  noteUsage(responseId: string | null, usage: unknown, conversation?: unknown): void {
    const counts = tokenCounts(usage);
    if (!counts) return;
    if (this.kind === 'realtime') {
      this.context = { input: counts.input, inputAudio: counts.inputAudio ?? 0 };
      return;
    }
    this.contexts.remember(responseId, conversation, counts.input + counts.output);
  }

  /** A Responses `response.create` is a `POST /v1/responses` body: the same estimate as over HTTP, plus what it continues. */
  private responsesEstimate(frame: { value: Record<string, unknown>; bytes: number } | null): TokenCounts {
    const defaultOutput = readDefaultOutputTokens(this.db);
    if (!frame) return { input: 0, output: defaultOutput };
    const estimate = estimateTokens(frame.value, frame.bytes, defaultOutput);
    return { input: estimate.input + this.contexts.of(frame.value), output: estimate.output };
  }

  private realtimeEstimate(frame: { value: Record<string, unknown>; bytes: number } | null): TokenCounts {
    const { cap: asked, audio } = this.output(frame);
    const cap = asked ?? readDefaultOutputTokens(this.db);
    return {
      input: Math.ceil((frame?.bytes ?? 0) / 4) + this.context.input,
      inputAudio: this.context.inputAudio,
      output: cap,
      outputAudio: audio ? cap : 0,
    };
  }

  /**
   * What a Realtime response may write: its cap (null: none, "inf") and whether it may answer in audio. The
   * response's own cap and modalities win over the session's.
   */
  private output(frame: { value: Record<string, unknown> } | null): { cap: number | null; audio: boolean } {
    const response = objectOf(frame?.value.response);
    const responseCap = response ? capOf(response) : undefined;
    return { cap: responseCap !== undefined ? responseCap : this.sessionCap, audio: (response && audioOf(response)) ?? this.sessionAudio };
  }

  private price(model: string | null, counts: TokenCounts): number | null {
    if (model === null) return null;
    try {
      return priceOn(this.db, this.upstream, model, counts);
    } catch {
      // The price library refuses counts it finds inconsistent: unpriced, so the reservation stands.
      return null;
    }
  }
}

/**
 * Token counts from a `usage` object in the Realtime shape (`input_token_details` with `audio_tokens`,
 * `cached_tokens`, `cached_tokens_details.audio_tokens`; `output_token_details.audio_tokens`) or the Responses shape
 * (`input_tokens_details.cached_tokens`, `output_tokens_details.reasoning_tokens`). Parts are clamped to their totals, so the price library gets consistent
 * counts whatever upstream reported. Null when there are no counts.
 */
export function tokenCounts(usage: unknown): (TokenCounts & { total: number }) | null {
  const value = objectOf(usage);
  if (!value) return null;
  const input = count(value.input_tokens) ?? count(value.prompt_tokens);
  const output = count(value.output_tokens) ?? count(value.completion_tokens);
  const reportedTotal = count(value.total_tokens);
  if (input === null && output === null && reportedTotal === null) return null;
  const inputTokens = input ?? 0;
  const outputTokens = output ?? Math.max(0, (reportedTotal ?? 0) - inputTokens);
  const inputDetails = objectOf(value.input_token_details) ?? objectOf(value.input_tokens_details) ?? objectOf(value.prompt_tokens_details);
  const outputDetails = objectOf(value.output_token_details) ?? objectOf(value.output_tokens_details);
  const cached = Math.min(count(inputDetails?.cached_tokens) ?? 0, inputTokens);
  const inputAudio = Math.min(count(inputDetails?.audio_tokens) ?? 0, inputTokens);
  // Cached audio is part of both: at least what they overlap by, at most the smaller of them.
  const cachedAudio = Math.min(Math.max(count(objectOf(inputDetails?.cached_tokens_details)?.audio_tokens) ?? 0, cached + inputAudio - inputTokens), cached, inputAudio);
  const outputAudio = Math.min(count(outputDetails?.audio_tokens) ?? 0, outputTokens);
  // Reasoning is priced apart as over HTTP (spend-amounts.ts), for a model whose price names it.
  const reasoning = Math.min(count(outputDetails?.reasoning_tokens) ?? 0, outputTokens);
  return {
    input: inputTokens,
    cachedInput: cached,
    output: outputTokens,
    inputAudio,
    cachedAudio,
    outputAudio,
    reasoning,
    total: reportedTotal ?? inputTokens + outputTokens,
  };
}

/** A Realtime output cap: a positive whole number, null for `"inf"` (no cap), undefined when not given. */
function capOf(value: Record<string, unknown>): number | null | undefined {
  for (const name of REALTIME_CAPS) {
    const cap = value[name];
    if (typeof cap === 'number' && Number.isInteger(cap) && cap > 0) return cap;
    if (cap === 'inf') return null;
  }
  return undefined;
}

/** Whether a Realtime response may answer in audio: false only when its modalities are listed without `audio`. */
function audioOf(value: Record<string, unknown>): boolean | undefined {
  for (const name of REALTIME_MODALITIES) {
    const modalities = value[name];
    if (Array.isArray(modalities)) return modalities.includes('audio');
  }
  return undefined;
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}
