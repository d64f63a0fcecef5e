/**
 * Issue 10, notifications: `budget:threshold` fires when a key reaches 80 % and 100 % of a budget, once per window,
 * through requests the official SDK sends to the proxy on a pinned clock in a pinned time zone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { writeSetting } from '../../electron/core/store/settings-repo';
import type { Budget, BudgetThreshold } from '../../electron/shared/types';
import { insertSubkey, insertUpstream, startProxy, testSecretBox, type RunningProxy } from '../helpers/proxy-fixtures';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

let dir: string;
let db: Database;
let upstream: StandInUpstream;
let upstreamId: string;
let running: RunningProxy | null;
let pushed: BudgetThreshold[];
/** The proxy's clock: pinned, moved by the tests. */
let clock: number;

/** Starts (or restarts) the proxy on the store file, collecting the pushes. */
async function startKeygate(): Promise<RunningProxy> {
  running = await startProxy({ db, secrets: testSecretBox(), now: () => clock, onBudgetThreshold: (event) => pushed.push(event) });
  return running;
}

/** Stops the proxy and closes the store, then opens both again: what a restart of Keygate does. */
async function restart(): Promise<RunningProxy> {
  await running!.close();
  db.close();
  db = openDatabase(join(dir, 'keygate.db'));
  return startKeygate();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-thresholds-'));
  db = openDatabase(join(dir, 'keygate.db'));
  writeSetting(db, 'budgets.timeZone', 'Europe/Berlin');
  upstream = await startStandInUpstream();
  upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-REAL-0123456789abcdefghijklmnop' });
  pushed = [];
  clock = Date.parse('2026-12-04T10:00:00Z');
  await startKeygate();
});

afterEach(async () => {
  await running?.close();
  running = null;
  await upstream.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function keyWithBudgets(name: string, budgets: Budget[]): { id: string; client: () => OpenAI } {
  const key = insertSubkey(db, { upstreamId, name });
  db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify(budgets), key.id);
  return { id: key.id, client: () => new OpenAI({ apiKey: key.secret, baseURL: running!.baseURL, maxRetries: 0, timeout: 15_000 }) };
}

const chat = (client: OpenAI, extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

/** Lets the settled requests' batch commit and the threshold check that follows it run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 40));

describe('budget:threshold for budgets', () => {
  it('fires at 80 % and at 100 % of a daily request budget once each, and again in the next local day', async () => {
    const key = keyWithBudgets('bot', [{ metric: 'requests', limit: 5, window: 'day' }]);
    for (let i = 0; i < 3; i++) await chat(key.client());
    await settle();
    expect(pushed).toEqual([]);

    await chat(key.client());
    await expect.poll(() => pushed.length).toBe(1);
    // Midnight in Berlin (UTC+1 in December) is 23:00 UTC.
    expect(pushed[0]).toEqual({
      kind: 'budget',
      subkeyId: key.id,
      subkeyName: 'bot',
      metric: 'requests',
      window: 'day',
      percent: 80,
      spent: 4,
      limit: 5,
      resetsAt: '2026-12-04T23:00:00.000Z',
      at: '2026-12-04T10:00:00.000Z',
    });

    await chat(key.client());
    await expect.poll(() => pushed.length).toBe(2);
    expect(pushed[1]).toMatchObject({ percent: 100, spent: 5, limit: 5 });

    // Spent: refused, and nothing more is announced in this window.
    await expect(chat(key.client())).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
    await settle();
    expect(pushed).toHaveLength(2);

    // Berlin's next day: the budget is re-armed.
    clock = Date.parse('2026-12-04T23:00:01Z');
    for (let i = 0; i < 4; i++) await chat(key.client());
    await expect.poll(() => pushed.length).toBe(3);
    expect(pushed[2]).toMatchObject({ percent: 80, spent: 4, resetsAt: '2026-12-05T23:00:00.000Z', at: '2026-12-04T23:00:01.000Z' });
  });

  it('counts the local day across the spring daylight-saving change (a 23-hour day)', async () => {
    const key = keyWithBudgets('dst', [{ metric: 'requests', limit: 1, window: 'day' }]);
    // Saturday 28 March 2026, 23:30 in Berlin (UTC+1); clocks go forward at 02:00 on Sunday.
    clock = Date.parse('2026-03-28T22:30:00Z');
    await chat(key.client());
    await expect.poll(() => pushed.length).toBe(1);
    expect(pushed[0]).toMatchObject({ percent: 100, resetsAt: '2026-03-28T23:00:00.000Z' });
    // Sunday began at 23:00 UTC and, being 23 hours long, ends at 22:00 UTC (midnight at UTC+2).
    clock = Date.parse('2026-03-28T23:00:00Z');
    await chat(key.client());
    await expect.poll(() => pushed.length).toBe(2);
    expect(pushed[1]).toMatchObject({ percent: 100, resetsAt: '2026-03-29T22:00:00.000Z' });
  });

  it('settles a token budget to the usage reported before comparing (18 tokens a request of 100)', async () => {
    const key = keyWithBudgets('tokens', [{ metric: 'tokens', limit: 100, window: 'month' }]);
    // Each request reserves about 22 tokens (its body and max_tokens 1) and settles to the 18 the answer reports.
    for (let i = 0; i < 4; i++) await chat(key.client(), { max_tokens: 1 });
    await settle();
    expect(pushed).toEqual([]);
    await chat(key.client(), { max_tokens: 1 });
    await expect.poll(() => pushed.length).toBe(1);
    // December's month in Berlin ends 1 January 00:00 local = 31 December 23:00 UTC.
    expect(pushed[0]).toMatchObject({ metric: 'tokens', window: 'month', percent: 80, spent: 90, limit: 100, resetsAt: '2026-12-31T23:00:00.000Z' });
  });

  it('does not announce again after a restart, but still announces the next percent', async () => {
    const key = keyWithBudgets('restarted', [{ metric: 'requests', limit: 10, window: 'week' }]);
    for (let i = 0; i < 8; i++) await chat(key.client());
    await expect.poll(() => pushed.length).toBe(1);
    expect(pushed[0]).toMatchObject({ percent: 80, window: 'week' });

    await restart();
    // 9 of 10 is still past 80 %, which was announced before the restart: nothing new.
    await chat(key.client());
    await settle();
    expect(pushed).toHaveLength(1);
    await chat(key.client());
    await expect.poll(() => pushed.length).toBe(2);
    expect(pushed[1]).toMatchObject({ percent: 100, spent: 10 });
    // Monday 7 December 00:00 in Berlin: a new week, announced again.
    await restart();
    clock = Date.parse('2026-12-06T23:00:00Z');
    for (let i = 0; i < 8; i++) await chat(key.client());
    await expect.poll(() => pushed.length).toBe(3);
    expect(pushed[2]).toMatchObject({ percent: 80, resetsAt: '2026-12-13T23:00:00.000Z' });
  });

  it('re-arms a budget whose limit was changed, and announces nothing for a request the upstream refused', async () => {
    const key = keyWithBudgets('raised', [{ metric: 'requests', limit: 2, window: 'total' }]);
    await chat(key.client());
    await chat(key.client());
    await expect.poll(() => pushed.length).toBe(1);
    expect(pushed[0]).toMatchObject({ percent: 100, resetsAt: null });

    db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify([{ metric: 'requests', limit: 10, window: 'total' }]), key.id);
    running!.proxy.invalidate(key.id);
    upstream.respond = (_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
    };
    // Refused upstream: the request is given back, so the key stays at 2 of 10.
    for (let i = 0; i < 8; i++) await expect(chat(key.client())).rejects.toMatchObject({ status: 500 });
    await settle();
    expect(pushed).toHaveLength(1);
    upstream.respond = null;
    for (let i = 0; i < 6; i++) await chat(key.client());
    await expect.poll(() => pushed.length).toBe(2);
    expect(pushed[1]).toMatchObject({ percent: 80, spent: 8, limit: 10 });
  });

  it('looks only at keys with budgets: a key without any is never announced', async () => {
    const key = insertSubkey(db, { upstreamId, remainingRequests: 2 });
    const client = new OpenAI({ apiKey: key.secret, baseURL: running!.baseURL, maxRetries: 0 });
    await chat(client);
    await chat(client);
    await settle();
    expect(pushed).toEqual([]);
  });
});
