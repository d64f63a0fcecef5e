import { readDefaultOutputTokens } from '../budgets/budget-settings';
import { boundTokens, estimateTokens, UNKNOWN_CONTEXT_TOKENS } from '../budgets/estimate';
import { perCallTool } from '../budgets/per-call-tools';
import { unpricedWork } from '../budgets/unpriced-work';
import { contextWindowOf, priceOn } from '../budgets/prices';
import type { Budget } from '../../shared/types';
import type { Database } from '../store/database';
import type { SubkeyState, UpstreamState } from './key-cache';
import { repeatsSpendMember } from './duplicate-members';
import { proxyErrors } from './proxy-error';
import type { SpendAmounts } from './spend-gate';
import type { TokenUsage } from './usage-record';

/** What a request is about to send, as far as pricing it goes. */
export interface RequestFacts {
  method: string;
  /** The documented path it matched (null for an endpoint passed through unknown). */
  specPath: string | null;
  json: unknown;
  jsonBytes: number;
  /** The JSON body as the client sent it (null for other bodies): what a repeated member is looked for in. */
  sentJson: Buffer | null;
  /** A multipart form (an upload, a transcription, an image edit): its model is read, its body is not JSON. */
  form: boolean;
  /** Tokens upstream holds for it and reads again (a continued response's or conversation's: response-contexts.ts). */
  context: number;
  /** A background response: it runs on after its answer, so it holds its sure worst case from the start. */
  background: boolean;
  model: string | null;
  upstream: UpstreamState;
  db: Database;
}

/** Whether any of the budgets counts tokens or dollars (which a request's estimate or bound is held against). */
export function holdsTokensOrDollars(budgets: readonly Budget[]): boolean {
  for (const budget of budgets) if (budget.metric !== 'requests') return true;
  return false;
}

/**
 * Whether a key's requests are worth estimating in tokens (and dollars): it has a token or dollar budget, or a
 * tokens-per-minute limit, which takes the same estimate. Otherwise a request takes one request and nothing else.
 */
export function countsTokens(subkey: SubkeyState): boolean {
  return holdsTokensOrDollars(subkey.budgets) || subkey.rateLimits.tokensPerMinute !== null;
}

/**
 * A request's worst case: 1 request; tokens = estimated input + its output cap (or the settings' default); USD =
 * those tokens priced (null when the model has no price); and `bound`, its sure worst case (estimate.ts
 * `boundTokens`), which the gate takes instead while the key has another estimate in flight. Tokens and USD are only worked out for a key with such budgets
 * (tokens also for a tokens-per-minute limit, which takes the same estimate). Throws 400 `ambiguous_request` for a
 * body that repeats a member the estimate reads, and under a USD budget 403 `price_unknown` for a request that turns
 * on a tool billed per call (per-call-tools.ts), or under a USD or token budget for work whose cost no answer shows
 * (unpriced-work.ts).
 */
export function requestAmounts(subkey: SubkeyState, facts: RequestFacts): SpendAmounts {
  const amounts: SpendAmounts = { requests: 1, tokens: 0, usd: 0 };
  if (!countsTokens(subkey)) return amounts;
  const work = unpricedWork(facts.method, facts.specPath, subkey.budgets);
  if (work !== null) throw proxyErrors.workPriceUnknown(work);
  const defaultOutput = readDefaultOutputTokens(facts.db);
  // A form naming a model (a transcription, an image edit) is billed by its model too: it reserves the default
  // output cap, its audio or images unestimated (their bytes say little about their tokens); settling corrects it.
  // Reserving nothing would let concurrent forms overspend a budget, and leave a model without a price unrefused.
  const inUsd = subkey.budgets.some((budget) => budget.metric === 'usd');
  if (typeof facts.json === 'object' && facts.json !== null && !Array.isArray(facts.json)) {
    const body = facts.json as Record<string, unknown>;
    // The estimate reads these members once, as JSON.parse does: a reader that keeps a repeat's first copy must not
    // be sent another cap, choice count or tool than was reserved.
    if (facts.sentJson && repeatsSpendMember(facts.sentJson, body)) {
      throw proxyErrors.ambiguousRequest('the JSON body gives a member that decides what it may spend (max_tokens, n, tools, stream…) twice, or nests too deep to tell');
    }
    const tool = inUsd ? perCallTool(body) : null;
    if (tool !== null) throw proxyErrors.toolPriceUnknown(tool);
  }
  const estimate = facts.form && facts.model !== null ? { input: 0, output: defaultOutput } : estimateTokens(facts.json, facts.jsonBytes, defaultOutput);
  if (estimate.input + estimate.output > 0) estimate.input += facts.context;
  amounts.tokens = estimate.input + estimate.output;
  if (facts.model !== null && amounts.tokens > 0 && inUsd) {
    amounts.usd = priceOn(facts.db, facts.upstream, facts.model, estimate);
  }
  if (amounts.tokens > 0 && facts.model !== null) {
    const model = facts.model;
    amounts.bound = () => {
      const window = contextWindowOf(facts.upstream.baseUrl, model) ?? UNKNOWN_CONTEXT_TOKENS;
      // A form's audio or images say nothing sure about their tokens: the whole window, in and out.
      const bound = facts.form ? { input: window, output: window } : boundTokens(facts.json, facts.jsonBytes, window);
      return { tokens: bound.input + bound.output, usd: inUsd ? priceOn(facts.db, facts.upstream, model, bound) : 0 };
    };
    if (facts.background) return { requests: 1, ...amounts.bound() };
  }
  return amounts;
}

/**
 * Whether the `usage` in an answer is what this request spent: a POST that generates (a completion, a response, an
 * embedding, a run, its tool outputs…). A retrieval (GET), an update of a stored object (`POST /chat/completions/{id}`,
 * a POST on a path ending in an id) or a cancel answers with the object it names, whose usage was spent by the request
 * that made it: charging it again would bill every poll of a stored response in full. `specPath` is the documented
 * path (null for an endpoint passed through unknown).
 */
export function spendsAnswerUsage(method: string, specPath: string | null): boolean {
  if (method !== 'POST') return false;
  if (specPath === null) return true;
  return !specPath.endsWith('}') && !specPath.endsWith('/cancel');
}

/**
 * What an answer's usage costs (cached input and reasoning at their own rates where the price has them); null when no usage arrived (the reservation stands).
 * `usd` is 0 for a request that names no model, null when the model has no price or the library refuses the counts.
 */
export function usageAmounts(db: Database, exchange: { priced: { model: string | null; upstream: UpstreamState } | null }, usage: TokenUsage | null): SpendAmounts | null {
  if (!usage) return null;
  const input = usage.promptTokens ?? 0;
  const output = usage.completionTokens ?? Math.max(0, (usage.totalTokens ?? 0) - input);
  const tokens = usage.totalTokens ?? input + output;
  const priced = exchange.priced;
  let usd: number | null = 0;
  if (priced && priced.model !== null) {
    try {
      usd = priceOn(db, priced.upstream, priced.model, {
        input,
        cachedInput: Math.min(usage.cachedTokens ?? 0, input),
        output,
        reasoning: Math.min(usage.reasoningTokens ?? 0, output),
      });
    } catch {
      // The price library refuses counts it finds inconsistent: unpriced, so the reservation stands.
      usd = null;
    }
  }
  return { requests: 1, tokens, usd };
}
