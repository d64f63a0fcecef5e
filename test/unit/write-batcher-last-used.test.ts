import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newUsageRecord } from '../../electron/core/proxy/usage-record';
import { LAST_USED_EVERY_MS, WriteBatcher } from '../../electron/core/proxy/write-batcher';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { insertSubkey, insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-last-used-'));
  db = openDatabase(join(dir, 'k.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('last_used_at', () => {
  it('is written on first use and then at most once per LAST_USED_EVERY_MS per key, quota changes every time', () => {
    const upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-x' });
    const unlimited = insertSubkey(db, { upstreamId }).id;
    const limited = insertSubkey(db, { upstreamId, remainingRequests: 100 }).id;
    const writes = new WriteBatcher(db);
    const stored = (id: string) => db.prepare('SELECT last_used_at, remaining_requests FROM subkeys WHERE id = ?').get(id);
    const use = (id: string, at: number, delta: number) => {
      writes.enqueueInsert({ ...newUsageRecord('POST', '/v1/x', at), subkeyId: id }, { subkeyId: id, delta, at });
      writes.flush();
    };
    const t0 = Date.parse('2031-01-01T00:00:00Z');
    use(unlimited, t0, 0);
    use(limited, t0, -1);
    expect([stored(unlimited), stored(limited)]).toEqual([
      { last_used_at: t0, remaining_requests: null },
      { last_used_at: t0, remaining_requests: 99 },
    ]);
    use(unlimited, t0 + 1000, 0);
    use(limited, t0 + 1000, -1);
    expect([stored(unlimited), stored(limited)]).toEqual([
      { last_used_at: t0, remaining_requests: null },
      { last_used_at: t0, remaining_requests: 98 },
    ]);
    use(unlimited, t0 + LAST_USED_EVERY_MS, 0);
    use(limited, t0 + LAST_USED_EVERY_MS + 5, -1);
    expect([stored(unlimited), stored(limited)]).toEqual([
      { last_used_at: t0 + LAST_USED_EVERY_MS, remaining_requests: null },
      { last_used_at: t0 + LAST_USED_EVERY_MS + 5, remaining_requests: 97 },
    ]);
  });
});
