import { readDefaultOutputTokens } from '../budgets/budget-settings';
import { priceOn } from '../budgets/prices';
import type { Database } from '../store/database';
import type { BatchFiles } from './batch-files';
import type { SubkeyState, UpstreamState } from './key-cache';
import { proxyErrors } from './proxy-error';
import type { SpendAmounts } from './spend-gate';

/**
 * A batch's worst case, which it reserves all or none: `lines` requests and, for a key with token or USD budgets (or a
 * tokens-per-minute limit), the tokens of its input file's lines as estimated at upload (batch-files.ts), each model's
 * input and output priced on `upstream` like an HTTP request. The batch's answer reports no usage of its lines, so this
 * stands as its charge. Throws 403 `price_unknown` for a model without a price, or lines that turn on a tool billed per
 * call, under a USD budget, and 403
 * `batch_input_not_allowed` for a file read before estimates were kept.
 */
export function batchAmounts(subkey: SubkeyState, lines: number, json: unknown, files: BatchFiles, facts: { upstream: UpstreamState; db: Database }): SpendAmounts {
  const amounts: SpendAmounts = { requests: lines, tokens: 0, usd: 0 };
  if (!subkey.budgets.some((budget) => budget.metric !== 'requests') && subkey.rateLimits.tokensPerMinute === null) return amounts;
  // checkBatch found the file and its uploader a moment ago; it is looked up again only for keys that need its estimate.
  const fileId = (json as { input_file_id: string }).input_file_id;
  const estimate = files.get(fileId)?.summary.estimate;
  if (!estimate) throw proxyErrors.batchInput('its input file was uploaded before Keygate counted the tokens of its lines, which this sub-key\'s budgets need; upload the file again');
  const defaultOutput = readDefaultOutputTokens(facts.db);
  const priced = subkey.budgets.some((budget) => budget.metric === 'usd');
  let dollars = 0;
  for (const share of estimate) {
    const output = share.output + share.uncapped * defaultOutput;
    amounts.tokens += share.input + output;
    if (!priced) continue;
    if (share.tool) throw proxyErrors.toolPriceUnknown(share.tool);
    const usd = priceOn(facts.db, facts.upstream, share.model, { input: share.input, output });
    if (usd === null) throw proxyErrors.priceUnknown(share.model);
    dollars += usd;
  }
  amounts.usd = dollars;
  return amounts;
}
