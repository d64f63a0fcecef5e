/**
 * `budget:threshold` travels the same push channel as `usage:changed`: the core's events (which Electron forwards to
 * the window) and the admin API's event stream, which the browser UI reads.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BudgetThreshold, IssuedSubkey } from '../../electron/shared/types';
import { startServedCore, type ServedCore } from '../helpers/served-core';

let served: ServedCore;
let stream: ClientRequest | null = null;

beforeEach(async () => {
  served = await startServedCore();
});
afterEach(async () => {
  stream?.destroy();
  await served.close();
});

/** Reads `GET /admin/api/events`, collecting the data of each `budget:threshold` event. */
async function thresholdStream(): Promise<BudgetThreshold[]> {
  const events: BudgetThreshold[] = [];
  await new Promise<void>((resolve, reject) => {
    stream = httpRequest(`${served.base}/admin/api/events`, { headers: { authorization: `Bearer ${served.adminToken}` }, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const match = /^event: budget:threshold\ndata: (.*)$/.exec(block);
          if (match) events.push(JSON.parse(match[1]!) as BudgetThreshold);
        }
      });
      resolve();
    });
    stream.on('error', reject);
    stream.end();
  });
  return events;
}

describe('budget:threshold pushes', () => {
  it('reach the event stream and the core events after SDK requests spend 80 % and 100 % of a budget', async () => {
    const streamed = await thresholdStream();
    const heard: BudgetThreshold[] = [];
    served.fx.core.events.on('budget:threshold', (event) => heard.push(event));
    const issued = await served.fx.call<IssuedSubkey>('subkeys:create', {
      name: 'capped',
      upstreamId: served.upstreamId,
      budgets: [{ metric: 'requests', limit: 5, window: 'total' }],
    });
    const sdk = new OpenAI({ apiKey: issued.secret, baseURL: `${served.base}/v1`, maxRetries: 0 });
    const chat = () => sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 4; i++) await chat();
    await expect.poll(() => streamed.length, { timeout: 3000 }).toBe(1);
    expect(streamed[0]).toMatchObject({ kind: 'budget', subkeyId: issued.subkey.id, subkeyName: 'capped', metric: 'requests', window: 'total', percent: 80, spent: 4, limit: 5, resetsAt: null });
    await chat();
    await expect.poll(() => streamed.length, { timeout: 3000 }).toBe(2);
    expect(streamed[1]).toMatchObject({ percent: 100, spent: 5 });
    expect(heard).toEqual(streamed);
  });

  it('warn of a key issued to expire within 24 h, and of it again when its expiry is changed', async () => {
    const streamed = await thresholdStream();
    const expiresAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const issued = await served.fx.call<IssuedSubkey>('subkeys:create', { name: 'short-lived', upstreamId: served.upstreamId, expiresAt });
    await expect.poll(() => streamed.length, { timeout: 3000 }).toBe(1);
    expect(streamed[0]).toMatchObject({ kind: 'expiry', subkeyId: issued.subkey.id, subkeyName: 'short-lived', expiresAt });
    await served.fx.call('subkeys:update', { id: issued.subkey.id, name: 'renamed' });
    const later = new Date(Date.now() + 3 * 3_600_000).toISOString();
    await served.fx.call('subkeys:update', { id: issued.subkey.id, expiresAt: later });
    await expect.poll(() => streamed.length, { timeout: 3000 }).toBe(2);
    expect(streamed[1]).toMatchObject({ kind: 'expiry', subkeyName: 'renamed', expiresAt: later });
  });
});
