import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyCache } from '../../electron/core/proxy/key-cache';
import type * as SubkeySecret from '../../electron/core/secrets/subkey-secret';
import { openDatabase, type Database } from '../../electron/core/store/database';
import { insertSubkey, insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';

const hashed = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../electron/core/secrets/subkey-secret', async (importOriginal) => {
  const original = await importOriginal<typeof SubkeySecret>();
  return {
    ...original,
    hashSubkeySecret: (secret: string) => {
      hashed.count++;
      return original.hashSubkeySecret(secret);
    },
  };
});

let dir: string;
let db: Database;
let keys: KeyCache;
let secrets: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-lru-'));
  db = openDatabase(join(dir, 'k.db'));
  const upstreamId = insertUpstream(db, testSecretBox(), { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-x' });
  secrets = Array.from({ length: 4 }, () => insertSubkey(db, { upstreamId }).secret);
  keys = new KeyCache({ db, secrets: testSecretBox(), upstreamTimeoutMs: 1000, pendingDelta: () => 0, secretCacheLimit: 3 });
});
afterEach(() => {
  keys.closePools();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** How many SHA-256s looking up `secret` cost. */
function hashesFor(secret: string): number {
  const before = hashed.count;
  expect(keys.subkeyBySecret(secret)).not.toBeNull();
  return hashed.count - before;
}

describe('the secret cache', () => {
  it('forgets the least recently used secret when full, not every secret', () => {
    const [a, b, c, d] = secrets as [string, string, string, string];
    expect([hashesFor(a), hashesFor(b), hashesFor(c)]).toEqual([1, 1, 1]);
    expect(hashesFor(a)).toBe(0); // a is now the most recently used; b the least
    expect(hashesFor(d)).toBe(1); // full: b goes
    expect([hashesFor(a), hashesFor(c), hashesFor(d)]).toEqual([0, 0, 0]);
    expect(hashesFor(b)).toBe(1);
  });
});
