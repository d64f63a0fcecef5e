import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { openDatabase, type Database } from '../../electron/core/store/database';
import type { ProxyOptions } from '../../electron/core/proxy/types';
import { insertSubkey, insertUpstream, startProxy, testSecretBox, type RunningProxy, type SubkeyFixture } from './proxy-fixtures';
import { startStandInUpstream, type StandInUpstream } from './stand-in-upstream';

export const UPSTREAM_KEY = 'sk-upstream-REAL-0123456789abcdefghijklmnop';

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
    subkey: (fixture = {}) => insertSubkey(db, { upstreamId, ...fixture }),
    client: (secret) => new OpenAI({ apiKey: secret, baseURL: running.baseURL, maxRetries: 0, timeout: 15_000 }),
    async close() {
      await running.close();
      await upstream.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
