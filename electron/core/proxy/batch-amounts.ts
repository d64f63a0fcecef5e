import { UNKNOWN_CONTEXT_TOKENS } from '../budgets/estimate';
import { batchPriceShare, contextWindowOf, priceOn } from '../budgets/prices';
import type { Database } from '../store/database';
import type { BatchFileSummary } from './batch-files';
import type { SubkeyState, UpstreamState } from './key-cache';
import { proxyErrors } from './proxy-error';
import type { SpendAmounts } from './spend-gate';
import { countsTokens, usageAmounts } from './spend-amounts';
import type { TokenUsage } from './usage-record';

/**
 * A batch's worst case, which it reserves all or none: `lines` requests and, for a key with token or USD budgets (or a
 * tokens-per-minute limit), the sure bound of its input file's lines as read at upload (batch-files.ts): their bytes
 * in (or the model's context window for a line that brings input it does not carry), their output caps out (the
 * window for a line without one), each model's share priced on `upstream` like an HTTP request (at the batch share of the price, batchPriceShare). Its lines run at once
 * upstream, so no line may hold a mere estimate (spend-gate.ts); the hold stands until a retrieval or cancel of the
 * batch shows its usage (late-settlements.ts). Throws 403 `price_unknown` for a model without a price, or lines that
 * turn on a tool billed per call, under a USD budget, and 403 `batch_input_not_allowed` for a file read before bounds
 * were kept.
 */
export function batchAmounts(subkey: SubkeyState, file: BatchFileSummary, facts: { upstream: UpstreamState; db: Database }): SpendAmounts {
  const amounts: SpendAmounts = { requests: Math.max(1, file.lines), tokens: 0, usd: 0 };
  if (!countsTokens(subkey)) return amounts;
  const estimate = file.estimate;
  if (!estimate || estimate.some((share) => share.bytes === undefined || share.unsized === undefined)) {
    throw proxyErrors.batchInput('its input file was uploaded before Keygate counted the tokens of its lines, which this sub-key\'s budgets need; upload the file again');
  }
  const priced = subkey.budgets.some((budget) => budget.metric === 'usd');
  let dollars = 0;
  for (const share of estimate) {
    const window = contextWindowOf(facts.upstream.baseUrl, share.model) ?? UNKNOWN_CONTEXT_TOKENS;
    const input = share.bytes! + share.unsized! * window;
    const output = Math.min(share.output + share.uncapped * window, Number.MAX_SAFE_INTEGER);
    amounts.tokens += input + output;
    if (!priced) continue;
    if (share.tool) throw proxyErrors.toolPriceUnknown(share.tool);
    const usd = priceOn(facts.db, facts.upstream, share.model, { input, output });
    if (usd === null) throw proxyErrors.priceUnknown(share.model);
    dollars += usd;
  }
  amounts.usd = dollars * batchPriceShare(facts.upstream.baseUrl);
  return amounts;
}

/**
 * What a finished batch spent, from the `usage` its batch object shows: one sum over its lines' models, so priced at
 * the dearest of `models` (a bound when they differ), at the batch share of the price (batchPriceShare). Null when
 * no model's price is known; `usd` null then too.
 */
export function batchSpent(db: Database, upstream: UpstreamState, models: readonly string[], usage: TokenUsage): SpendAmounts | null {
  let spent: SpendAmounts | null = null;
  for (const model of models) {
    const amounts = usageAmounts(db, { priced: { model, upstream } }, usage);
    if (amounts && (spent === null || (amounts.usd !== null && (spent.usd === null || amounts.usd > spent.usd)))) spent = amounts;
  }
  if (spent?.usd != null) spent.usd *= batchPriceShare(upstream.baseUrl);
  return spent;
}
