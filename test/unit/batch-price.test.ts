import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchPriceShare, priceTokens } from '../../electron/core/budgets/prices';
import { batchAmounts, batchSpent } from '../../electron/core/proxy/batch-amounts';
import type { BatchFileSummary } from '../../electron/core/proxy/batch-files';
import type { SubkeyState, UpstreamState } from '../../electron/core/proxy/key-cache';
import { openDatabase, type Database } from '../../electron/core/store/database';

const OPENAI = 'https://api.openai.com/v1';
/** A compatible server (a local one): priced by model name, in full. */
const OTHER = 'http://127.0.0.1:8080/v1';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-batch-price-'));
  db = openDatabase(join(dir, 'k.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The fields the batch pricing reads of an upstream and a sub-key. */
const upstreamAt = (baseUrl: string) => ({ id: `up-${baseUrl}`, baseUrl }) as UpstreamState;
const usdKey = { budgets: [{ metric: 'usd', limit: 100, window: 'total' }], rateLimits: { requestsPerMinute: null, tokensPerMinute: null, maxConcurrent: null } } as unknown as SubkeyState;
const file: BatchFileSummary = {
  lines: 2,
  models: ['gpt-4o-mini', 'gpt-4o'],
  endpoints: ['/v1/chat/completions'],
  readable: true,
  estimate: [
    { model: 'gpt-4o-mini', input: 10, output: 100, uncapped: 0, bytes: 40, unsized: 0 },
    { model: 'gpt-4o', input: 10, output: 500, uncapped: 0, bytes: 40, unsized: 0 },
  ],
};

describe('a batch on OpenAI costs half its lines as requests', () => {
  it('names the half for OpenAI only', () => {
    expect(batchPriceShare(OPENAI)).toBe(0.5);
    expect(batchPriceShare('https://api.openai.com')).toBe(0.5);
    expect(batchPriceShare(OTHER)).toBe(1);
    expect(batchPriceShare('https://openrouter.ai/api/v1')).toBe(1);
    // A host that only starts like OpenAI's is not it.
    expect(batchPriceShare('https://api.openai.com.example/v1')).toBe(1);
    expect(batchPriceShare('not a url')).toBe(1);
  });

  it('holds half the bound of its lines, and settles at half the dearest model', () => {
    const full = priceTokens('gpt-4o-mini', { input: 40, output: 100 }, OPENAI)! + priceTokens('gpt-4o', { input: 40, output: 500 }, OPENAI)!;
    expect(full).toBeGreaterThan(0);
    const onOpenAI = batchAmounts(usdKey, file, { upstream: upstreamAt(OPENAI), db });
    expect(onOpenAI.usd).toBeCloseTo(full / 2, 12);
    expect(onOpenAI.tokens).toBe(40 + 100 + 40 + 500);

    const usage = { promptTokens: 2_000, completionTokens: 700, totalTokens: 2_700 };
    const dearest = priceTokens('gpt-4o', { input: 2_000, output: 700 }, OPENAI)!;
    expect(batchSpent(db, upstreamAt(OPENAI), file.models, usage)).toMatchObject({ tokens: 2_700, usd: expect.closeTo(dearest / 2, 12) });
  });

  it('is priced in full elsewhere', () => {
    const usage = { promptTokens: 2_000, completionTokens: 700, totalTokens: 2_700 };
    const dearest = Math.max(...file.models.map((model) => priceTokens(model, { input: 2_000, output: 700 }, OTHER)!));
    expect(dearest).toBeGreaterThan(0);
    expect(batchSpent(db, upstreamAt(OTHER), file.models, usage)!.usd).toBeCloseTo(dearest, 12);
    const bound = priceTokens('gpt-4o-mini', { input: 40, output: 100 }, OTHER)! + priceTokens('gpt-4o', { input: 40, output: 500 }, OTHER)!;
    expect(batchAmounts(usdKey, file, { upstream: upstreamAt(OTHER), db }).usd).toBeCloseTo(bound, 12);
  });
});
