import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverJournal } from '../../electron/core/proxy/write-batcher';
import { openDatabase } from '../../electron/core/store/database';
import { getSubkey } from '../../electron/core/store/subkeys-repo';
import { insertSubkey, insertUpstream, remainingOf, storedRemaining, storedSpend, testSecretBox, usageRows } from '../helpers/proxy-fixtures';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

const root = resolve(import.meta.dirname, '../..');
const h = useProxyHarness();

/** Makes upstream hold each answer (`status`, `body`) until the returned function is called. */
function answerWhenReleased(status: number, body: string): () => void {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  h.upstream.respond = (_request, response) => {
    void released.then(() => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
  };
  return release;
}

describe('quota under concurrency', () => {
  it('forwards exactly 10 of 60 simultaneous requests for a key with 10 left', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 10 });
    const client = h.client(secret);
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })),
    );
    const statuses = results.map((result) => (result.status === 'fulfilled' ? 200 : (result.reason as { status?: number }).status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(50);
    expect(h.upstream.requests).toHaveLength(10);
    await h.settled(30);
    expect(remainingOf(h.db, id)).toBe(0);
    const rows = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(rows).toHaveLength(60);
    expect(rows.filter((row) => row.status === 200 && row.refusal === null)).toHaveLength(10);
    expect(rows.filter((row) => row.status === 429 && row.refusal === 'insufficient_quota')).toHaveLength(50);
  });

  it('gives back exactly the requests upstream failed, under concurrency', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 40 });
    let served = 0;
    h.upstream.respond = (_request, response) => {
      const fail = served++ % 2 === 1;
      response.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' });
      response.end(fail ? '{"error":{"message":"busy","type":"server_error","param":null,"code":null}}' : '{"ok":true}');
    };
    const client = h.client(secret);
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })));
    const ok = results.filter((result) => result.status === 'fulfilled').length;
    expect(ok).toBe(15);
    await h.settled(30);
    expect(remainingOf(h.db, id)).toBe(40 - ok);
  });

  it('sees quota changes made in the store after flush() and invalidate()', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 1 });
    await h.client(secret).models.list();
    await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 429 });
    h.running.proxy.flush();
    h.db.prepare('UPDATE subkeys SET remaining_requests = 2 WHERE id = ?').run(id);
    h.running.proxy.invalidate(id);
    await h.client(secret).models.list();
    await h.client(secret).models.list();
    await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 429 });
    h.running.proxy.flush();
    h.db.prepare('UPDATE subkeys SET enabled = 0, remaining_requests = 5 WHERE id = ?').run(id);
    h.running.proxy.invalidate(id);
    await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 401 });
    await h.settled(30);
    expect(remainingOf(h.db, id)).toBe(5);
  });

  it('refunds a failed request in flight, unless the remaining count was set anew meanwhile', async () => {
    const failSlowly = () => answerWhenReleased(503, '{"error":{"message":"busy"}}');
    const { id, secret } = h.subkey({ remainingRequests: 5 });

    // A rename while the request is in flight: the failed request is still given back.
    let release = failSlowly();
    let arrived = h.upstream.nextRequest();
    let pending = h.client(secret).models.list();
    await arrived;
    h.running.proxy.flush();
    h.db.prepare("UPDATE subkeys SET name = 'renamed' WHERE id = ?").run(id);
    h.running.proxy.invalidate(id);
    release();
    await expect(pending).rejects.toMatchObject({ status: 503 });
    await h.settled(30);
    expect(remainingOf(h.db, id)).toBe(5);

    // The admin sets the count to 10 while a request is in flight: 10 it is, not 11.
    release = failSlowly();
    arrived = h.upstream.nextRequest();
    pending = h.client(secret).models.list();
    await arrived;
    h.running.proxy.flush();
    h.db.prepare('UPDATE subkeys SET remaining_requests = 10 WHERE id = ?').run(id);
    h.running.proxy.invalidate(id, { quotaReset: true });
    release();
    await expect(pending).rejects.toMatchObject({ status: 503 });
    await h.settled(30);
    expect(remainingOf(h.db, id)).toBe(10);
    h.upstream.respond = null;
    const client = h.client(secret);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => client.models.list()));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(10);
  });

  it('counts for pushes a request in flight that the store does not show yet (its journal row carries it)', async () => {
    const release = answerWhenReleased(200, '{"object":"list","data":[]}');
    const { id, secret } = h.subkey({ remainingRequests: 5 });
    h.db.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify([{ metric: 'requests', limit: 100, window: 'day' }]), id);
    h.running.proxy.invalidate(id);
    const arrived = h.upstream.nextRequest();
    const pending = h.client(secret).models.list();
    await arrived;
    // As a push reads the store: unflushed, the request in flight is in its journal row only.
    const stored = getSubkey(h.db, id)!;
    expect(stored.remainingRequests).toBe(5);
    expect(stored.budgets[0]!.spent).toBe(0);
    const counted = h.running.proxy.counted(stored);
    expect(counted.remainingRequests).toBe(4);
    expect(counted.budgets[0]!.spent).toBe(1);
    release();
    await pending;
    await h.settled(30);
    expect(getSubkey(h.db, id)).toMatchObject({ remainingRequests: 4, budgets: [expect.objectContaining({ spent: 1 })] });
    h.upstream.respond = null;
  });

  it('counts a key exhausted by requests in flight as exhausted', async () => {
    const release = answerWhenReleased(200, '{"object":"list","data":[]}');
    const { id, secret } = h.subkey({ remainingRequests: 1 });
    const arrived = h.upstream.nextRequest();
    const pending = h.client(secret).models.list();
    await arrived;
    expect(getSubkey(h.db, id)!.status).toBe('active');
    expect(h.running.proxy.counted(getSubkey(h.db, id)!)).toMatchObject({ remainingRequests: 0, status: 'exhausted' });
    release();
    await pending;
    h.upstream.respond = null;
  });

  it('forwards nothing and keeps the quota when the reservation cannot be written', async () => {
    const { id, secret } = h.subkey({ remainingRequests: 2 });
    // Earlier tests' usage log written first: its commit succeeding would rightly show the store writable again.
    h.running.proxy.flush();
    // What a reservation writes besides the key's count: the journal row saying the request is in flight.
    h.db.exec("CREATE TRIGGER usage_fails BEFORE INSERT ON in_flight BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    try {
      await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 503, code: 'store_unavailable' });
      expect(h.upstream.requests).toHaveLength(0);
      expect(remainingOf(h.db, id)).toBe(2);
    } finally {
      h.db.exec('DROP TRIGGER usage_fails');
    }
    // Requests are refused at once until the proxy's next try at writing (one request a second goes on to try).
    await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 503, code: 'store_unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await h.client(secret).models.list();
    await h.client(secret).models.list();
    await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 429 });
    expect(h.upstream.requests).toHaveLength(2);
    h.running.proxy.flush();
    expect(remainingOf(h.db, id)).toBe(0);
  });

  it('stops accepting a rotated secret at once (cached lookups included)', async () => {
    const { id, secret } = h.subkey();
    await h.client(secret).models.list();
    const rotated = insertSubkey(h.db, { upstreamId: h.upstreamId });
    const newHash = h.db.prepare<[string], { secret_hash: string }>('SELECT secret_hash FROM subkeys WHERE id = ?').get(rotated.id)!.secret_hash;
    h.running.proxy.flush();
    h.db.prepare('DELETE FROM subkeys WHERE id = ?').run(rotated.id);
    h.db.prepare('UPDATE subkeys SET secret_hash = ? WHERE id = ?').run(newHash, id);
    h.running.proxy.invalidate(id);
    await expect(h.client(secret).models.list()).rejects.toMatchObject({ status: 401 });
    await h.client(rotated.secret).models.list();
    await h.settled(30);
    expect(usageRows(h.db).at(-1)).toMatchObject({ subkey_id: id, status: 200 });
  });
});

describe('durability', () => {
  let dir: string;
  let upstream: StandInUpstream;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-kill-'));
    upstream = await startStandInUpstream();
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no answered request on kill -9: remaining = initial − N, a requests budget spent N, N usage rows', async () => {
    const file = join(dir, 'keygate.db');
    const setup = openDatabase(file);
    const upstreamId = insertUpstream(setup, testSecretBox(), { baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
    const { id, secret } = insertSubkey(setup, { upstreamId, remainingRequests: 1000 });
    setup.prepare('UPDATE subkeys SET budgets = ? WHERE id = ?').run(JSON.stringify([{ metric: 'requests', limit: 100_000, window: 'total' }]), id);
    setup.close();

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/proxy-process.ts', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening (\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', (code) => reject(new Error(`proxy process exited (${code})`)));
      });
      const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
      const N = 25;
      for (let round = 0; round < 5; round++) {
        await Promise.all(Array.from({ length: N / 5 }, () => client.chat.completions.create({ model: 'gpt-4o', messages: [] })));
      }
      child.kill('SIGKILL');
      await exited;

      const reopened = openDatabase(file);
      // What the store holds: the key's count plus what journal rows of requests not yet logged carry.
      expect(storedRemaining(reopened, id)).toBe(1000 - N);
      expect(storedSpend(reopened, id, 'requests', 'total')).toBe(N);
      // As the core does at start: requests journaled in flight whose usage row was not written yet are logged, and
      // the reservations their journal rows carry applied.
      recoverJournal(reopened);
      expect(remainingOf(reopened, id)).toBe(1000 - N);
      expect(reopened.prepare("SELECT amount FROM spend WHERE subkey_id = ? AND metric = 'requests'").pluck().get(id)).toBe(N);
      expect(usageRows(reopened).filter((row) => row.subkey_id === id)).toHaveLength(N);
      reopened.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
