/**
 * The WebSocket part of `npm run bench`: a Realtime-like round trip (`response.create` → response.created, a delta,
 * response.done) straight to a stand-in upstream, through a bare ws relay, and through Keygate (a sub-key with quota
 * and model policy: every response.create is checked, durably reserved and settled), each server in its own child.
 * Measured in one run, rounds alternating the targets: sequential round trips on one connection (p50/p99, per
 * second) and round trips per second over 20 connections at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { WebSocket } from 'ws';
import { generateSubkeySecret } from '../../electron/core/secrets/subkey-secret';

const root = resolve(import.meta.dirname, '../..');
const bundles = resolve(root, 'node_modules/.cache/keygate-bench');
const ROUNDS = 3;
const SEQUENTIAL_SECONDS = 1;
const CONCURRENT_SECONDS = 1.5;
const CONNECTIONS = 20;
const PATH = '/v1/realtime?model=gpt-4o-realtime';
const CREATE = JSON.stringify({ type: 'response.create', response: { instructions: 'Say hello.' } });

type Name = 'direct' | 'bare' | 'keygate';
interface Target {
  name: Name;
  url: string;
  headers: Record<string, string>;
}

function startChild(children: ChildProcess[], script: string, args: string[]): Promise<number> {
  const outfile = resolve(bundles, script.replace(/\.ts$/, '.mjs'));
  buildSync({ entryPoints: [resolve(import.meta.dirname, script)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  const child = spawn(process.execPath, [outfile, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: { port?: number }) => {
      if (message.port) resolvePort(message.port);
    });
  });
}

/** One open connection that runs round trips: send response.create, resolve on response.done. */
async function connect(target: Target): Promise<{ roundTrip(): Promise<number>; close(): void }> {
  const socket = new WebSocket(`${target.url}${PATH}`, ['realtime'], { headers: target.headers, perMessageDeflate: false });
  await new Promise<void>((resolveOpen, reject) => {
    socket.once('open', () => resolveOpen());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`${target.name} refused the upgrade: ${response.statusCode}`)));
  });
  let done: (() => void) | null = null;
  socket.on('message', (data) => {
    // The last event of a round trip; a cheap check, so the client's own cost stays small next to the servers'.
    if (done && data.toString().startsWith('{"type":"response.done"')) {
      const resolveDone = done;
      done = null;
      resolveDone();
    }
  });
  return {
    roundTrip() {
      const started = performance.now();
      return new Promise<number>((resolveTrip) => {
        done = () => resolveTrip(performance.now() - started);
        socket.send(CREATE);
      });
    },
    close: () => socket.close(),
  };
}

async function sequential(target: Target, seconds: number, into: number[]): Promise<void> {
  const connection = await connect(target);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) into.push(await connection.roundTrip());
  connection.close();
}

async function concurrent(target: Target, seconds: number): Promise<number> {
  const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect(target)));
  const end = performance.now() + seconds * 1000;
  let trips = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < end) {
        await connection.roundTrip();
        trips++;
      }
    }),
  );
  for (const connection of connections) connection.close();
  return trips / seconds;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const fmt = (value: number, digits = 2): string => value.toFixed(digits);

/** Runs the WebSocket bench and prints its table (the caller has already printed the HTTP one). */
export async function benchWebSocket(): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    mkdirSync(bundles, { recursive: true });
    const secret = generateSubkeySecret();
    const upstreamPort = await startChild(children, 'bench-ws-upstream.ts', []);
    const [barePort, keygatePort] = await Promise.all([
      startChild(children, 'bench-ws-relay.ts', [`ws://127.0.0.1:${upstreamPort}`]),
      startChild(children, 'bench-keygate.ts', [`http://127.0.0.1:${upstreamPort}`, secret]),
    ]);
    const targets: Target[] = [
      { name: 'direct', url: `ws://127.0.0.1:${upstreamPort}`, headers: {} },
      { name: 'bare', url: `ws://127.0.0.1:${barePort}`, headers: {} },
      { name: 'keygate', url: `ws://127.0.0.1:${keygatePort}`, headers: { authorization: `Bearer ${secret}` } },
    ];
    console.log('\nbench: WebSocket round trips (response.create → response.done)…');
    for (const target of targets) await sequential(target, 0.3, []);

    const samples: Record<Name, number[]> = { direct: [], bare: [], keygate: [] };
    const rates: Record<Name, number[]> = { direct: [], bare: [], keygate: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) await sequential(target, SEQUENTIAL_SECONDS, samples[target.name]);
      for (const target of order) rates[target.name].push(await concurrent(target, CONCURRENT_SECONDS));
    }

    const summary = (name: Name) => {
      const sorted = [...samples[name]].sort((a, b) => a - b);
      return {
        perSecond1: sorted.length / (ROUNDS * SEQUENTIAL_SECONDS),
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        perSecondN: rates[name].reduce((sum, rate) => sum + rate, 0) / rates[name].length,
      };
    };
    const d = summary('direct');
    const b = summary('bare');
    const k = summary('keygate');
    const rows: [string, number, number, number, number][] = [
      ['ws round trips/s, 1 connection', d.perSecond1, b.perSecond1, k.perSecond1, 0],
      ['ws round trip p50 ms, 1 connection', d.p50, b.p50, k.p50, 3],
      ['ws round trip p99 ms, 1 connection', d.p99, b.p99, k.p99, 3],
      [`ws round trips/s, ${CONNECTIONS} connections`, d.perSecondN, b.perSecondN, k.perSecondN, 0],
    ];
    const line = (cells: string[]): string => cells.map((cell, index) => (index === 0 ? cell.padEnd(40) : cell.padStart(11))).join(' ');
    console.log('');
    console.log(line(['metric', 'direct', 'bare', 'keygate', 'kg/direct', 'kg/bare']));
    for (const [label, direct, bare, keygate, digits] of rows) {
      console.log(line([label, fmt(direct, digits), fmt(bare, digits), fmt(keygate, digits), fmt(keygate / direct), fmt(keygate / bare)]));
    }
    console.log(`\nkeygate adds ${fmt(k.p50 - b.p50, 3)} ms per round trip at p50 over a bare relay (${fmt(k.p50 - d.p50, 3)} ms over direct)`);
  } finally {
    for (const child of children) child.kill();
  }
}
