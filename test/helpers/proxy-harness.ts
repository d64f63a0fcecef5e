import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { openDatabase, type Database } from '../../electron/core/store/database';
import type { ProxyOptions } from '../../electron/core/proxy/types';
import { unrestrictedPermissions } from '../../electron/shared/permissions';
import type { UsageRow } from '../../electron/core/store/usage-repo';
import { insertSubkey, insertUpstream, startProxy, testSecretBox, usageRows, type RunningProxy, type SubkeyFixture } from './proxy-fixtures';
import { startStandInUpstream, type StandInUpstream } from './stand-in-upstream';

export const UPSTREAM_KEY = 'sk-upstream-REAL-0123456789abcdefghijklmnop';

/** What a raw HTTP request to the proxy got back, body as UTF-8. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real SQLite file, a stand-in upstream, and the proxy in front of it: what every proxy test starts from. */
export interface ProxyHarness {
  db: Database;
  upstream: StandInUpstream;
  upstreamId: string;
  running: RunningProxy;
  /** Adds a sub-key on the stand-in upstream. */
  subkey(fixture?: Omit<SubkeyFixture, 'upstreamId'>): { id: string; secret: string };
  /** The official SDK pointed at the proxy with `secret` (no retries, so every call is one request). */
  client(secret: string): OpenAI;
  /** A raw HTTP request to the proxy, for what the SDK cannot send. */
  raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawAnswer>;
  /** Lets the batch after a response commit (usage completion rides in the next turn), then flushes it. */
  settled(waitMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a harness; `options` reach createProxy. */
export async function startProxyHarness(options: Partial<Omit<ProxyOptions, 'db' | 'secrets'>> = {}): Promise<ProxyHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-proxy-'));
  const db = openDatabase(join(dir, 'keygate.db'));
  const box = testSecretBox();
  const upstream = await startStandInUpstream();
  const upstreamId = insertUpstream(db, box, { baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
  const running = await startProxy({ db, secrets: box, ...options });
  return {
    db,
    upstream,
    upstreamId,
    running,
    // Ids in these tests' paths are made up, so keys see every object unless a test gives permissions of its own.
    subkey: (fixture = {}) => insertSubkey(db, { upstreamId, permissions: { ...unrestrictedPermissions(), shareProjectObjects: true }, ...fixture }),
    client: (secret) => new OpenAI({ apiKey: secret, baseURL: running.baseURL, maxRetries: 0, timeout: 15_000 }),
    raw: (method, path, headers, body) =>
      new Promise((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port: running.port, method, path, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
        request.on('error', reject);
        request.end(body);
      }),
    async settled(waitMs = 20) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      running.proxy.flush();
    },
    async close() {
      await running.close();
      await upstream.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One sub-key's usage rows once the proxy's writes have settled (a WebSocket's rows are written as its events end). */
export async function settledRowsOf(h: ProxyHarness, subkeyId: string): Promise<UsageRow[]> {
  await h.settled(30);
  return usageRows(h.db).filter((row) => row.subkey_id === subkeyId);
}
