/**
 * Fail closed (issue 8, §7a): when the store cannot be written, every key, limited or not, gets 503
 * `store_unavailable` and nothing reaches upstream, until a write succeeds again. The failures are real SQLite
 * failures on the core's own connection: `query_only` (SQLITE_READONLY, as a read-only file gives) and a full
 * database under `max_page_count` (SQLITE_FULL, the disk-full code path).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProxyStatus, Subkey } from '../../electron/shared/types';
import { startServedCore, type ServedCore } from '../helpers/served-core';

let served: ServedCore;
let pushed: ProxyStatus[];
beforeEach(async () => {
  served = await startServedCore();
  pushed = [];
  served.fx.core.events.on('proxy:changed', (status) => pushed.push(status));
});
afterEach(() => served.close());

const status = () => served.fx.call<ProxyStatus>('proxy:status');
const remainingOf = async (id: string) => (await served.fx.call<Subkey[]>('subkeys:list')).find((each) => each.id === id)!.remainingRequests;
const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; type: string; message: string } }).error;
const linesLike = (pattern: RegExp) => served.fx.logLines.filter((line) => pattern.test(line));
/** Longer than the proxy's retry interval (one request a second may try the store again). */
const waitForRetry = () => new Promise((resolve) => setTimeout(resolve, 1_100));

/** Fills the database up to a page limit, so that no further usage row fits: SQLITE_FULL, as on a full disk. */
function fillDatabase(): void {
  const db = served.fx.core.db;
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages + 4}`);
  // Every table a request writes before it is forwarded, and its usage row after, full to the last byte.
  const inserts = [
    db.prepare("INSERT INTO usage (subkey_id, at, method, path, status) VALUES (NULL, 0, 'GET', ?, 200)"),
    db.prepare("INSERT INTO in_flight (subkey_id, at, method, path) VALUES (NULL, 0, 'GET', ?)"),
  ];
  for (const insert of inserts) {
    for (let size = 2048; size >= 1; ) {
      try {
        insert.run('x'.repeat(size));
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_FULL') throw error;
        size = Math.floor(size / 2);
      }
    }
  }
}

describe('a store that cannot be written', () => {
  it('read-only: unlimited and limited keys get 503 store_unavailable, nothing is forwarded, and it says so once', async () => {
    const unlimited = await served.newKey(null);
    const limited = await served.newKey(5);
    expect((await served.chat(unlimited.secret)).status).toBe(200);
    served.upstream.reset();

    served.fx.core.db.pragma('query_only = 1');
    for (const secret of [unlimited.secret, limited.secret, unlimited.secret, limited.secret]) {
      const answer = await served.chat(secret);
      expect(answer.status).toBe(503);
      expect(errorOf(answer.body)).toMatchObject({ code: 'store_unavailable', type: 'server_error' });
    }
    expect(served.upstream.requests).toEqual([]);
    expect((await status()).storeError).toMatch(/^SQLITE_READONLY/);
    expect(pushed.map((each) => each.storeError)).toEqual([expect.stringMatching(/^SQLITE_READONLY/)]);
    expect(linesLike(/cannot write its store \(SQLITE_READONLY: .*503 store_unavailable/)).toHaveLength(1);
    expect(await remainingOf(limited.subkey.id)).toBe(5);
    const overHttp = await fetch(`${served.base}/admin/api/proxy/status`, { method: 'POST', headers: { authorization: `Bearer ${served.adminToken}` } });
    expect(((await overHttp.json()) as ProxyStatus).storeError).toMatch(/^SQLITE_READONLY/);

    served.fx.core.db.pragma('query_only = 0');
    await waitForRetry();
    expect((await served.chat(limited.secret)).status).toBe(200);
    expect((await served.chat(unlimited.secret)).status).toBe(200);
    expect(served.upstream.requests).toHaveLength(2);
    expect((await status()).storeError).toBeNull();
    expect(pushed.map((each) => each.storeError)).toEqual([expect.stringMatching(/^SQLITE_READONLY/), null]);
    expect(linesLike(/can write its store again/)).toHaveLength(1);
    expect(await remainingOf(limited.subkey.id)).toBe(4);
  });

  it('full: the first request after the disk fills is refused too, even for an unlimited key, until space is back', async () => {
    const unlimited = await served.newKey(null);
    fillDatabase();
    const answer = await served.chat(unlimited.secret);
    expect(answer.status).toBe(503);
    expect(errorOf(answer.body).code).toBe('store_unavailable');
    expect(served.upstream.requests).toEqual([]);
    expect((await status()).storeError).toMatch(/^SQLITE_FULL/);
    expect(linesLike(/cannot write its store \(SQLITE_FULL/)).toHaveLength(1);

    // A request in the retry interval is refused before its body is even read; one after it tries again and fails.
    expect((await served.chat(unlimited.secret)).status).toBe(503);
    await waitForRetry();
    expect((await served.chat(unlimited.secret)).status).toBe(503);
    expect(served.upstream.requests).toEqual([]);
    expect(linesLike(/cannot write its store/)).toHaveLength(1);

    served.fx.core.db.pragma('max_page_count = 1000000');
    await waitForRetry();
    expect((await served.chat(unlimited.secret)).status).toBe(200);
    expect(served.upstream.requests).toHaveLength(1);
    expect((await status()).storeError).toBeNull();
  });
});
