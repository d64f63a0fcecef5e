import type { Permissions } from '../../electron/shared/permissions';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretBox } from '../../electron/core/secrets/secret-box';
import { generateSubkeySecret, hashSubkeySecret, secretHint } from '../../electron/core/secrets/subkey-secret';
import type { Database } from '../../electron/core/store/database';
import type { UsageRow } from '../../electron/core/store/usage-repo';
import { createProxy } from '../../electron/core/proxy/proxy';
import type { Proxy, ProxyOptions } from '../../electron/core/proxy/types';

const TEST_TAG = Buffer.from('kgT1');

/**
 * A SecretBox for tests: XOR with a per-box byte behind a tag, so a different box (another `salt`) fails to open
 * what this one sealed, like a changed master key would. Not encryption; never used outside tests.
 */
export function testSecretBox(salt = 0x5a): SecretBox {
  return {
    kind: 'master-key',
    seal(plaintext) {
      const body = Buffer.from(plaintext, 'utf8').map((byte) => byte ^ salt);
      return Buffer.concat([TEST_TAG, Buffer.from([salt]), body]);
    },
    open(sealed) {
      if (!sealed.subarray(0, 4).equals(TEST_TAG) || sealed[4] !== salt) throw new Error('sealed by another box');
      return Buffer.from(sealed.subarray(5).map((byte) => byte ^ salt)).toString('utf8');
    },
  };
}

/** Inserts an upstream whose key is sealed by `box`; returns its id. */
export function insertUpstream(db: Database, box: SecretBox, { baseUrl, apiKey, name = 'test upstream' }: { baseUrl: string; apiKey: string; name?: string }): string {
  const id = randomUUID();
  db.prepare('INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    id,
    name,
    baseUrl,
    box.seal(apiKey),
    secretHint(apiKey),
    Date.now(),
  );
  return id;
}

export interface SubkeyFixture {
  upstreamId: string;
  name?: string;
  expiresAt?: number | null;
  remainingRequests?: number | null;
  allowModels?: string[];
  denyModels?: string[];
  enabled?: boolean;
  /** Left out: the column's default (mode `all`, as keys issued before permissions existed). */
  permissions?: Permissions;
}

/** Inserts a sub-key (stored as its hash, like the services do); returns its id and secret. */
export function insertSubkey(db: Database, fixture: SubkeyFixture): { id: string; secret: string } {
  const id = randomUUID();
  const secret = generateSubkeySecret();
  db.prepare(
    `INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at, expires_at, remaining_requests, allow_models, deny_models, enabled)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    fixture.name ?? 'test key',
    fixture.upstreamId,
    hashSubkeySecret(secret),
    secretHint(secret),
    Date.now(),
    fixture.expiresAt ?? null,
    fixture.remainingRequests === undefined ? null : fixture.remainingRequests,
    JSON.stringify(fixture.allowModels ?? []),
    JSON.stringify(fixture.denyModels ?? []),
    fixture.enabled === false ? 0 : 1,
  );
  if (fixture.permissions) db.prepare('UPDATE subkeys SET permissions = ? WHERE id = ?').run(JSON.stringify(fixture.permissions), id);
  return { id, secret };
}

export type { UsageRow };

/** Every usage row, oldest first. */
export function usageRows(db: Database): UsageRow[] {
  return db.prepare<[], UsageRow>('SELECT * FROM usage ORDER BY id').all();
}

/** The stored remaining quota of a sub-key (without what journal rows of requests in flight still carry). */
export function remainingOf(db: Database, subkeyId: string): number | null {
  return db.prepare<[string], { remaining_requests: number | null }>('SELECT remaining_requests FROM subkeys WHERE id = ?').get(subkeyId)!
    .remaining_requests;
}

/**
 * What the store holds as a sub-key's remaining requests: its stored count plus the quota that journal rows of
 * requests in flight carry (applied when their usage rows are written; carried-reservations.ts).
 */
export function storedRemaining(db: Database, subkeyId: string): number | null {
  const remaining = remainingOf(db, subkeyId);
  if (remaining === null) return null;
  return remaining + (db.prepare('SELECT coalesce(sum(quota), 0) FROM in_flight WHERE subkey_id = ?').pluck().get(subkeyId) as number);
}

/**
 * What the store holds as spent of one metric by a sub-key, in its budget of `window` (every window start of it), or in
 * all its budgets of that metric: `spend` rows plus what journal rows of requests in flight carry.
 */
export function storedSpend(db: Database, subkeyId: string, metric: string, window?: string): number {
  const spent = db
    .prepare('SELECT coalesce(sum(amount), 0) FROM spend WHERE subkey_id = ? AND metric = ? AND (? IS NULL OR window = ?)')
    .pluck()
    .get(subkeyId, metric, window ?? null, window ?? null) as number;
  const carried = db
    .prepare(
      `SELECT coalesce(sum(json_extract(each.value, '$[3]')), 0) FROM in_flight, json_each(in_flight.spend) AS each
       WHERE in_flight.subkey_id = ? AND json_extract(each.value, '$[0]') = ? AND (? IS NULL OR json_extract(each.value, '$[1]') = ?)`,
    )
    .pluck()
    .get(subkeyId, metric, window ?? null, window ?? null) as number;
  return spent + carried;
}

export interface RunningProxy {
  proxy: Proxy;
  server: Server;
  port: number;
  /** `http://127.0.0.1:PORT/v1`, the SDK's baseURL. */
  baseURL: string;
  close(): Promise<void>;
}

/** Serves `createProxy(options)` on 127.0.0.1 on a free port. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const proxy = createProxy(options);
  const server = createServer((request, response) => proxy.handle(request, response));
  server.on('upgrade', (request, socket, head) => proxy.upgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    proxy,
    server,
    port,
    baseURL: `http://127.0.0.1:${port}/v1`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await proxy.drain(1000);
    },
  };
}
