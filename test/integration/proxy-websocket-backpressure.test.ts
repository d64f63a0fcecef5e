import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database';
import { insertSubkey, insertUpstream, testSecretBox } from '../helpers/proxy-fixtures';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';
import { openSocket } from '../helpers/ws-client';

const root = resolve(import.meta.dirname, '../..');
const MB = 1024 * 1024;
const FRAMES = 50;
/**
 * What Keygate may hold for one connection: its 1 MiB high-water mark, a frame being read, one in hand, and slack. A
 * 1 MiB frame is held three times while it is checked (its bytes, its text, its parsed value), and on a loaded machine
 * the socket may have handed the receiver one or two more before the pause takes: 16 MiB, against the 50 MB sent (at
 * 8 MiB the test failed about one run in three beside two busy loops, measuring 8.5–12.8 MiB).
 */
const MEMORY_BOUND = 16 * MB;

let dir: string;
let upstream: StandInUpstream;
let child: ChildProcess;
let port: number;
let secret: string;

/** What the Keygate process holds in Buffers (every frame and socket write is one) and on its JS heap, after a GC. */
function heldMemory(): Promise<number> {
  return new Promise((resolveMemory) => {
    const listener = (message: { mem?: NodeJS.MemoryUsage }): void => {
      if (!message.mem) return;
      child.off('message', listener);
      resolveMemory(message.mem.arrayBuffers + message.mem.heapUsed);
    };
    child.on('message', listener);
    child.send('mem');
  });
}

/** Waits until `read()` stops changing (for `stableMs`), then returns it. */
async function settle(read: () => number, stableMs = 1000): Promise<number> {
  let last = read();
  let since = Date.now();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) break;
  }
  return last;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-ws-pressure-'));
  upstream = await startStandInUpstream();
  const file = join(dir, 'keygate.db');
  const setup = openDatabase(file);
  const upstreamId = insertUpstream(setup, testSecretBox(), { baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
  secret = insertSubkey(setup, { upstreamId }).secret;
  setup.close();
  // Keygate in a process of its own, so its memory is measured apart from the stand-in's and the client's.
  child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/helpers/proxy-process.ts', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolvePort(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`proxy process exited (${code})`)));
  });
});
afterAll(async () => {
  child.kill('SIGKILL');
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bounded buffering', () => {
  it('pauses upstream while the client does not read: 50 MB sent, Keygate holds a bounded part, all arrive once it reads', async () => {
    const upgrade = upstream.sockets.nextUpgrade();
    const client = await openSocket(port, '/v1/realtime?model=gpt-4o', { headers: { authorization: `Bearer ${secret}` } });
    const standIn = (await upgrade).socket;
    await client.nextEvent((event) => event.type === 'session.created');
    client.socket.pause();
    const before = await heldMemory();
    const frame = JSON.stringify({ type: 'response.output_audio.delta', response_id: 'resp_big', delta: 'A'.repeat(MB) });
    for (let index = 0; index < FRAMES; index++) standIn.send(frame);

    // Keygate stopped reading upstream: most of the 50 MB is still queued in the stand-in itself.
    const stuck = await settle(() => standIn.bufferedAmount);
    const held = (await heldMemory()) - before;
    expect(stuck).toBeGreaterThan(25 * MB);
    expect(held).toBeLessThan(MEMORY_BOUND);

    client.socket.resume();
    await expect.poll(() => client.events.filter((event) => event.type === 'response.output_audio.delta').length, { timeout: 15_000 }).toBe(FRAMES);
    expect(client.events.filter((event) => event.type === 'response.output_audio.delta').every((event) => (event.delta as string).length === MB)).toBe(true);
    client.socket.close();
  });

  it('pauses the client while upstream does not read', async () => {
    const upgrade = upstream.sockets.nextUpgrade();
    const client = await openSocket(port, '/v1/realtime?model=gpt-4o', { headers: { authorization: `Bearer ${secret}` } });
    const recorded = await upgrade;
    await client.nextEvent((event) => event.type === 'session.created');
    recorded.socket.pause();
    const before = await heldMemory();
    const event = JSON.stringify({ type: 'input_audio_buffer.append', audio: 'A'.repeat(MB) });
    for (let index = 0; index < FRAMES; index++) client.socket.send(event);

    const stuck = await settle(() => client.socket.bufferedAmount);
    const held = (await heldMemory()) - before;
    expect(stuck).toBeGreaterThan(25 * MB);
    expect(held).toBeLessThan(MEMORY_BOUND);

    recorded.socket.resume();
    await expect.poll(() => recorded.events.length, { timeout: 15_000 }).toBe(FRAMES);
    client.socket.close();
  });

  it('pauses a client that sends refused events without reading the error events they earn', async () => {
    const client = await openSocket(port, '/v1/responses', { headers: { authorization: `Bearer ${secret}` } });
    client.socket.pause();
    const before = await heldMemory();
    // 300,000 frames that are not JSON: each earns a ~300-byte error event, about 100 MB in all if Keygate kept them.
    for (let index = 0; index < 300_000; index++) client.socket.send('nope');
    await settle(() => client.socket.bufferedAmount);
    const held = (await heldMemory()) - before;
    expect(held).toBeLessThan(MEMORY_BOUND);
    client.socket.terminate();
    // Nor do they fill the usage log: the first 100 refusals of a connection are logged.
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    const db = openDatabase(join(dir, 'keygate.db'));
    try {
      expect(db.prepare("SELECT count(*) FROM usage WHERE refusal = 'invalid_event'").pluck().get()).toBe(100);
    } finally {
      db.close();
    }
  });
});
