import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyCache } from '../../electron/core/proxy/key-cache';
import { refundQuota, reserveQuota } from '../../electron/core/proxy/quota';
import { newUsageRecord } from '../../electron/core/proxy/usage-record';
import { recoverJournal, WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { hashSubkeySecret } from '../../electron/core/secrets/subkey-secret';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { insertSubkey, insertUpstream, remainingOf, storedRemaining, testSecretBox, usageRows } from '../helpers/proxy-fixtures';

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
    expect(storedRemaining(db, id)).toBe(2);
    await Promise.all([first, second]);
    // Committed before going on: that both are in flight, each journal row carrying the request it took. The key's
    // count and the usage rows follow in the log's commit.
    expect(journaled(db)).toBe(2);
    expect(db.prepare('SELECT quota FROM in_flight ORDER BY id').pluck().all()).toEqual([-1, -1]);
    expect(remainingOf(db, id)).toBe(2);
    expect(storedRemaining(db, id)).toBe(0);
    expect(usageRows(db)).toEqual([]);
    writes.flush();
    expect(usageRows(db).map((row) => row.status)).toEqual([null, null]);
    expect(journaled(db)).toBe(0);
    expect(remainingOf(db, id)).toBe(0);
  });

  it('writes only the journal before a request goes on, and applies what it carries, with refunds, summed, with the usage rows', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 10 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    db.exec(`CREATE TABLE writes (what TEXT);
      CREATE TRIGGER quota_written AFTER UPDATE OF remaining_requests ON subkeys WHEN new.remaining_requests IS NOT old.remaining_requests
        BEGIN INSERT INTO writes VALUES ('subkeys ' || (new.remaining_requests - old.remaining_requests)); END;
      CREATE TRIGGER journal_written AFTER INSERT ON in_flight BEGIN INSERT INTO writes VALUES ('journal ' || new.quota); END;`);
    const writesSeen = (): string[] => db.prepare('SELECT what FROM writes ORDER BY rowid').pluck().all() as string[];
    await Promise.all([reserveQuota(subkey, record(), writes), reserveQuota(subkey, record(), writes), reserveQuota(subkey, record(), writes)]);
    expect(writesSeen()).toEqual(['journal -1', 'journal -1', 'journal -1']);
    // A refund (upstream answered 500) waits for the log too: the next request's commit still writes its journal row alone.
    refundQuota(subkey, keys, writes);
    await reserveQuota(subkey, record(), writes);
    expect(writesSeen()).toEqual(['journal -1', 'journal -1', 'journal -1', 'journal -1']);
    writes.flush();
    // One UPDATE of the key for the four and the refund, in the commit that deletes their journal rows.
    expect(writesSeen()).toEqual(['journal -1', 'journal -1', 'journal -1', 'journal -1', 'subkeys -3']);
    expect(remainingOf(db, id)).toBe(7);
    expect(journaled(db)).toBe(0);
  });

  it('gives a key reloaded while journal rows carry its requests the count they took', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 2 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    await reserveQuota(subkey, record(), writes);
    expect(remainingOf(db, id)).toBe(2);
    // Reloaded (a setting changed, the cache evicted it) before the usage row is written: the stored 2 is not the count.
    keys.invalidate(id);
    const reloaded = keys.subkeyByHash(hashSubkeySecret(secret))!;
    expect(reloaded.remaining).toBe(1);
    await reserveQuota(reloaded, record(), writes);
    expect(() => reserveQuota(reloaded, record(), writes)).toThrow(/no requests left/);
    writes.flush();
    expect(remainingOf(db, id)).toBe(0);
    keys.invalidate(id);
    expect(keys.subkeyByHash(hashSubkeySecret(secret))!.remaining).toBe(0);
  });

  it('logs a request a stop left journaled and applies the reservation its row carries', async () => {
    const { id, secret } = insertSubkey(db, { upstreamId, remainingRequests: 5 });
    const subkey = keys.subkeyByHash(hashSubkeySecret(secret))!;
    const spend = [{ ledgerKey: `${id} usd day`, subkeyId: id, metric: 'usd', window: 'day', windowStart: 1000, delta: 0.25 }];
    await reserveQuota(subkey, record(), writes, 2, spend);
    expect(db.prepare('SELECT quota, spend FROM in_flight').get()).toEqual({ quota: -2, spend: '[["usd","day",1000,0.25]]' });
    // A stop now: this process's memory is gone; the next start recovers the journal.
    expect(recoverJournal(db)).toBe(1);
    expect(remainingOf(db, id)).toBe(3);
    expect(db.prepare('SELECT window_start, amount FROM spend WHERE subkey_id = ?').all(id)).toEqual([{ window_start: 1000, amount: 0.25 }]);
    expect(journaled(db)).toBe(0);
    expect(usageRows(db)).toHaveLength(1);
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
