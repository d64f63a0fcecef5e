import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDLE_MS } from '../../electron/core/proxy/idle-checkpoints';
import { newUsageRecord } from '../../electron/core/proxy/usage-record';
import { WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { insertSubkey, insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

let dir: string;
let file: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-checkpoints-'));
  file = join(dir, 'k.db');
  // As the app opens it: the WAL index in memory, so the log and the file are the only state on disk.
  db = openDatabase(file, { exclusive: true });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WAL checkpoints', () => {
  it('are not taken inside commits at SQLite’s 1000-page mark, but once the store has been quiet for IDLE_MS', async () => {
    const upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-x' });
    const { id } = insertSubkey(db, { upstreamId, remainingRequests: 1_000_000 });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const writes = new WriteBatcher(db);
    const fileBytes = () => statSync(file).size;
    const before = fileBytes();
    // Requests one at a time, each its own commit of several pages: 300 commits are well past 1000 log pages.
    const path = `/v1/${'x'.repeat(500)}`;
    const rows = 300;
    for (let at = 1; at <= rows; at++) {
      writes.enqueueInsert({ ...newUsageRecord('POST', path, at), subkeyId: id }, { subkeyId: id, delta: -1, at });
      writes.flush();
    }
    // Still only in the log: no commit paid for copying it into the file.
    expect(fileBytes()).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 300));
    // The rows (over 500 bytes each) are in the file now.
    expect(fileBytes()).toBeGreaterThan(before + rows * 500);
  });
});
