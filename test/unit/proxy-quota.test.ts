import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyCache } from '../../electron/core/proxy/key-cache';
import { refundQuota, reserveQuota } from '../../electron/core/proxy/quota';
import { newUsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { hashSubkeySecret } from '../../electron/core/secrets/subkey-secret';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { insertSubkey, insertUpstream, remainingOf, testSecretBox, usageRows } from '../helpers/proxy-fixtures';

let dir: string;
let db: Database;
let writes: WriteBatcher;
let keys: KeyCache;
let upstreamId: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-quota-'));
  db = openDatabase(join(dir, 'k.db'));
  upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-x' });
  writes = new WriteBatcher(db);
  keys = new KeyCache({ db, secrets: testSecretBox(), upstreamTimeoutMs: 1000, pendingDelta: (id) => writes.pendingDelta(id) });
});
afterEach(() => {
  keys.closePools();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const record = () => newUsageRecord('POST', '/v1/chat/completions', Date.now());

/** Requests journaled in flight whose usage row is not written yet. */
const journaled = (db: Database): number => db.prepare('SELECT count(*) FROM in_flight').pluck().get() as number;

describe('quota arithmetic', () => {
  it('takes one per reservation, refuses at zero, and writes all of a turn in one batch', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 2 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    const first = reserveQuota(subkey, record(), writes);
    const second = reserveQuota(subkey, record(), writes);
    expect(() => reserveQuota(subkey, record(), writes)).toThrow(/no requests left/);
    expect(subkey.remaining).toBe(0);
    expect(remainingOf(db, id)).toBe(2);
    await Promise.all([first, second]);
    expect(remainingOf(db, id)).toBe(0);
    // Committed with the reservations: that both are in flight. Their usage rows follow in the log's commit.
    expect(journaled(db)).toBe(2);
    expect(usageRows(db)).toEqual([]);
    writes.flush();
    expect(usageRows(db).map((row) => row.status)).toEqual([null, null]);
    expect(journaled(db)).toBe(0);
  });

  it('refunds to memory and store, and a reloaded key counts what is still queued', () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 5 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    void reserveQuota(subkey, record(), writes);
    writes.flush();
    void reserveQuota(subkey, record(), writes);
    refundQuota(subkey, keys, writes);
    expect(subkey.remaining).toBe(4);
    keys.invalidate(id);
    // Queued −1 +1 is still unwritten: the reloaded state must see the store's 4 adjusted by 0.
    expect(keys.subkeyByHash(hashSubkeySecret(secret))!.remaining).toBe(4);
    writes.flush();
    expect(remainingOf(db, id)).toBe(4);
  });

  it('never counts unlimited keys down, but marks them used, and commits their row before going on', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: null });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    const committed = reserveQuota(subkey, record(), writes);
    expect(journaled(db)).toBe(0);
    await committed;
    expect(journaled(db)).toBe(1);
    expect(remainingOf(db, id)).toBeNull();
    expect(db.prepare('SELECT last_used_at FROM subkeys WHERE id = ?').pluck().get(id)).toEqual(expect.any(Number));
  });

  it('writes a request that finished before its row was written with one INSERT, and one finishing later with one UPDATE', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 5 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    db.exec(`CREATE TABLE writes (kind TEXT);
      CREATE TRIGGER usage_inserted AFTER INSERT ON usage BEGIN INSERT INTO writes VALUES ('insert'); END;
      CREATE TRIGGER usage_updated AFTER UPDATE ON usage BEGIN INSERT INTO writes VALUES ('update'); END;`);
    const writesSeen = (): string[] => db.prepare('SELECT kind FROM writes ORDER BY rowid').pluck().all() as string[];
    const finish = (done: ReturnType<typeof record>, tokens: number): void => {
      Object.assign(done, { status: 200, latencyMs: 5, promptTokens: tokens, completionTokens: 0, totalTokens: tokens });
      writes.enqueueComplete(done);
    };
    const early = { ...record(), subkeyId: id };
    await reserveQuota(subkey, early, writes);
    finish(early, 7);
    writes.flush();
    expect(writesSeen()).toEqual(['insert']);
    const late = { ...record(), subkeyId: id };
    await reserveQuota(subkey, late, writes);
    writes.flush();
    finish(late, 11);
    writes.flush();
    expect(writesSeen()).toEqual(['insert', 'insert', 'update']);
    expect(usageRows(db).map((row) => [row.status, row.total_tokens])).toEqual([[200, 7], [200, 11]]);
    const day = db.prepare('SELECT requests, total_tokens FROM usage_daily WHERE subkey_id = ?').get(id);
    expect(day).toEqual({ requests: 2, total_tokens: 18 });
  });

  it('leaves a journaled request still in flight out of the lazy commit and writes its row once, when it ends', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 5 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    db.exec(`CREATE TABLE writes (kind TEXT, status INTEGER);
      CREATE TRIGGER usage_inserted AFTER INSERT ON usage BEGIN INSERT INTO writes VALUES ('insert', new.status); END;
      CREATE TRIGGER usage_updated AFTER UPDATE ON usage BEGIN INSERT INTO writes VALUES ('update', new.status); END;`);
    const writesSeen = () => db.prepare('SELECT kind, status FROM writes ORDER BY rowid').raw().all();
    const lazyCommit = () => new Promise((resolve) => setTimeout(resolve, 80));
    const slow = { ...record(), subkeyId: id };
    const quick = { ...record(), subkeyId: id };
    await Promise.all([reserveQuota(subkey, slow, writes), reserveQuota(subkey, quick, writes)]);
    Object.assign(quick, { status: 200, latencyMs: 5, totalTokens: 3 });
    writes.enqueueComplete(quick);
    await lazyCommit();
    // The quick one is logged; the slow one stays journaled (a stop now would still log it) and unwritten.
    expect(writesSeen()).toEqual([['insert', 200]]);
    expect(journaled(db)).toBe(1);
    Object.assign(slow, { status: 200, latencyMs: 900, totalTokens: 5 });
    writes.enqueueComplete(slow);
    await lazyCommit();
    expect(writesSeen()).toEqual([['insert', 200], ['insert', 200]]);
    expect(journaled(db)).toBe(0);
    expect(usageRows(db).map((row) => [row.status, row.total_tokens])).toEqual([[200, 3], [200, 5]]);
    expect(db.prepare('SELECT requests, total_tokens FROM usage_daily WHERE subkey_id = ?').get(id)).toEqual({ requests: 2, total_tokens: 8 });
    // A forced flush (an admin read, a stop) writes a request in flight as it stands; its end is then an UPDATE.
    const open = { ...record(), subkeyId: id };
    await reserveQuota(subkey, open, writes);
    await lazyCommit();
    expect(journaled(db)).toBe(1);
    writes.flush();
    expect(journaled(db)).toBe(0);
    expect(writesSeen().slice(2)).toEqual([['insert', null]]);
    Object.assign(open, { status: 200, latencyMs: 5, totalTokens: 1 });
    writes.enqueueComplete(open);
    writes.flush();
    expect(writesSeen().slice(2)).toEqual([['insert', null], ['update', 200]]);
  });
});
