/**
 * Nothing a client sends can bloat the store, and nothing upstream answers can break its sums: usage rows keep a
 * bounded path and model, requests refused before a sub-key is known are counted per hour instead of logged, and
 * token counts are stored clamped. Real HTTP to the proxy, a real SQLite file underneath.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUsageService } from '../../electron/core/services/usage';
import { openDatabase } from '../../electron/core/store/database';
import { LATEST_VERSION, migrations } from '../../electron/core/store/migrations';
import { usageRows } from '../helpers/proxy-fixtures';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { pipelined } from '../helpers/raw-socket';

const h = useProxyHarness();

/** The database file and its WAL, in bytes, after writing everything pending into the file. */
function storeSize(): number {
  h.running.proxy.flush();
  h.db.pragma('wal_checkpoint(TRUNCATE)');
  const file = h.db.name;
  const wal = (() => {
    try {
      return statSync(`${file}-wal`).size;
    } catch {
      return 0;
    }
  })();
  return statSync(file).size + wal;
}

describe('bounded usage rows', () => {
  it('keeps at most 512 characters of path and 256 of model, never splitting a character', async () => {
    const { id, secret } = h.subkey();
    const path = `/v1/files/file-${'p'.repeat(3000)}`;
    expect((await h.raw('GET', path, { authorization: `Bearer ${secret}` })).status).toBe(200);
    const model = `${'m'.repeat(255)}\u{1F600}${'n'.repeat(500)}`;
    await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, JSON.stringify({ model, messages: [] }));
    await h.settled();
    const [fileRow, chatRow] = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(fileRow!.path).toBe(path.slice(0, 512));
    expect(chatRow!.model).toBe('m'.repeat(255));
  });
});

describe('requests refused before a sub-key is known', () => {
  it('10,000 of them with 15 KiB paths are counted per reason and grow the store by less than 1 MB', async () => {
    const { secret: known } = h.subkey();
    const before = storeSize();
    const rowsBefore = usageRows(h.db).length;
    const longPath = `/v1/chat/${'x'.repeat(15 * 1024)}`;
    const kinds = [
      `GET ${longPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      `GET ${longPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-kg-notAKeyKeygateKnows0000000000000000000\r\n\r\n`,
      `GET ${longPath} HTTP/1.1\r\nHost: evil.example.com\r\nAuthorization: Bearer ${known}\r\n\r\n`,
    ].map((request) => Buffer.from(request));
    const requests = Array.from({ length: 10_000 }, (_, index) => kinds[index % 3]!);
    // Four keep-alive connections, each with a quarter of the requests.
    const answers = await Promise.all([0, 1, 2, 3].map((part) => pipelined(h.running.port, requests.filter((_, index) => index % 4 === part))));
    const statuses = new Map<number, number>();
    for (const status of answers.flat()) statuses.set(status, (statuses.get(status) ?? 0) + 1);

    expect(Object.fromEntries(statuses)).toEqual({ 401: 6667, 403: 3333 });
    const grown = storeSize() - before;
    expect(grown).toBeLessThan(1_000_000);
    expect(usageRows(h.db)).toHaveLength(rowsBefore);
    const counts = createUsageService({ db: h.db }).refusals();
    expect(counts).toEqual(
      expect.arrayContaining([
        { reason: 'missing_api_key', lastDay: 3334, lastWeek: 3334 },
        { reason: 'invalid_api_key', lastDay: 3333, lastWeek: 3333 },
        { reason: 'host_not_allowed', lastDay: 3333, lastWeek: 3333 },
      ]),
    );
    expect(counts.reduce((sum, count) => sum + count.lastDay, 0)).toBe(10_000);
  }, 60_000);

  it('counts by the hour, and reads the last 24 hours and 7 days', () => {
    const hour = 3_600_000;
    const now = Date.parse('2030-01-08T12:30:00Z');
    const insert = h.db.prepare('INSERT INTO refusal_counts (hour, reason, count) VALUES (?, ?, ?)');
    const base = Math.floor(now / hour) * hour;
    insert.run(base, 'test_reason', 5);
    insert.run(base - 23 * hour, 'test_reason', 7);
    insert.run(base - 24 * hour, 'test_reason', 11);
    insert.run(base - 167 * hour, 'test_reason', 13);
    insert.run(base - 168 * hour, 'test_reason', 17);
    const counts = createUsageService({ db: h.db, now: () => now }).refusals();
    expect(counts.find((count) => count.reason === 'test_reason')).toEqual({ reason: 'test_reason', lastDay: 12, lastWeek: 36 });
    h.db.prepare("DELETE FROM refusal_counts WHERE reason = 'test_reason'").run();
  });
});

describe('token counts', () => {
  it('stores counts clamped to 10^12, so usage:daily still sums two answers of 2^63 and 2^62 tokens', async () => {
    const { id, secret } = h.subkey();
    h.upstream.respond = (_request, response) => {
      // 2^63 does not fit SQLite's integers (it was stored as a REAL); two of 2^62 did, and their sum overflowed.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":9223372036854775808,"completion_tokens":-5,"total_tokens":4611686018427387904}}');
    };
    for (let i = 0; i < 2; i++) {
      const answer = await h.raw('POST', '/v1/chat/completions', { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, '{"model":"gpt-4o","messages":[]}');
      expect(answer.status).toBe(200);
    }
    await h.settled();
    const rows = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(rows.map((row) => [row.prompt_tokens, row.completion_tokens, row.total_tokens])).toEqual([
      [1e12, null, 1e12],
      [1e12, null, 1e12],
    ]);
    const usage = createUsageService({ db: h.db });
    expect(usage.daily({ days: 1, subkeyId: id })).toEqual([expect.objectContaining({ subkeyId: id, requests: 2, totalTokens: 2e12 })]);
    expect(() => usage.daily({})).not.toThrow();
  });

  it('clamps the counts of rows stored before the bound when the store is migrated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-clamp-'));
    const file = join(dir, 'keygate.db');
    const old = new BetterSqlite3(file);
    migrations[0]!(old);
    old.pragma('user_version = 1');
    const insert = old.prepare("INSERT INTO usage (at, method, path, status, prompt_tokens, total_tokens) VALUES (?, 'POST', '/v1/chat/completions', 200, ?, ?)");
    for (let i = 0; i < 2; i++) insert.run(Date.now(), -7, 4611686018427387904n);
    old.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(createUsageService({ db }).daily({ days: 1 })).toEqual([expect.objectContaining({ requests: 2, totalTokens: 2e12 })]);
    expect(db.prepare('SELECT DISTINCT prompt_tokens FROM usage').pluck().all()).toEqual([0]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
