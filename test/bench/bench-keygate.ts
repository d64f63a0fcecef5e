/**
 * Keygate's proxy for the bench: a fresh store in a temp dir with one upstream and one sub-key that has a quota and a
 * model policy (so every request pays for auth, policy, the durable reservation and the usage row).
 * argv: UPSTREAM_URL SUBKEY_SECRET
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxy } from '../../electron/core/proxy/proxy';
import { hashSubkeySecret } from '../../electron/core/secrets/subkey-secret';
import { openDatabase } from '../../electron/core/store/database';
import { openOwnedStore } from '../../electron/core/store/data-dir-lock';
import { testSecretBox } from '../helpers/proxy-fixtures';
import { serveForBench } from './bench-child';
import { openWindow, seedUsage } from './bench-window';

const STORE_FILE = 'keygate.db';
const box = testSecretBox();

/**
 * Writes the bench's upstream and sub-key (and KG_ROWS seeded usage rows) into `file`. Run in a process of its own:
 * seeding a million rows leaves SQLite's and the allocator's memory behind, which the serving process must not
 * count as its own (a user's proxy opens a big store, it does not fill one).
 */
function prepareStore(file: string, target: string, secret: string): void {
  const db = openDatabase(file);
  db.prepare("INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at) VALUES ('up', 'bench', ?, ?, 'sk-…test', 0)").run(
    target,
    box.seal('sk-bench-upstream-key'),
  );
  db.prepare(
    `INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at, remaining_requests, allow_models, deny_models)
     VALUES ('key', 'bench', 'up', ?, 'sk-kg-…', 0, 100000000, '["gpt-4o*","gpt-3.5*"]', '["gpt-4o-audio*"]')`,
  ).run(hashSubkeySecret(secret));
  if (process.env.KG_UNLIMITED) db.prepare('UPDATE subkeys SET remaining_requests = NULL').run();
  // KG_BUDGETS: the key's budgets as JSON, to measure what reserving and settling them costs.
  if (process.env.KG_BUDGETS) db.prepare('UPDATE subkeys SET budgets = ?').run(process.env.KG_BUDGETS);
  // KG_RATE_LIMITS: the key's rate limits as JSON ({ requestsPerMinute, tokensPerMinute, maxConcurrent }), to measure
  // what the sliding windows cost (set them high enough that nothing is refused, or the figures measure refusals).
  if (process.env.KG_RATE_LIMITS) {
    const limits = JSON.parse(process.env.KG_RATE_LIMITS) as Record<string, number | null | undefined>;
    db.prepare('UPDATE subkeys SET rate_requests_per_minute = ?, rate_tokens_per_minute = ?, rate_max_concurrent = ?').run(
      limits.requestsPerMinute ?? null,
      limits.tokensPerMinute ?? null,
      limits.maxConcurrent ?? null,
    );
  }
  // KG_ROWS: a store with that many usage rows already.
  if (process.env.KG_ROWS) seedUsage(db, Number(process.env.KG_ROWS));
  db.close();
}

const [, script, first, second, third] = process.argv;
if (first === '--prepare') {
  prepareStore(second!, third!, process.env.KG_SECRET!);
} else {
  const [target, secret] = [first, second];
  if (!target || !secret) throw new Error('usage: bench-keygate.ts UPSTREAM_URL SUBKEY_SECRET');
  const dir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const prepared = spawnSync(process.execPath, [script!, '--prepare', join(dir, STORE_FILE), target], { env: { ...process.env, KG_SECRET: secret }, stdio: 'inherit' });
  if (prepared.status !== 0) throw new Error(`preparing the bench store failed (${prepared.status})`);
  // Owned as the app owns its store (exclusive lock, WAL index in memory): the bench measures what users run.
  const { db } = openOwnedStore(dir, STORE_FILE);
  // KG_WINDOW: with an open window following the pushes.
  const proxy = createProxy({ db, secrets: box, ...(process.env.KG_WINDOW && openWindow(db)) });
  const server = createServer((request, response) => proxy.handle(request, response));
  server.on('upgrade', (request, socket, head) => proxy.upgrade(request, socket, head));
  serveForBench(server);
}
