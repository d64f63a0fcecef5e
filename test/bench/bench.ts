/**
 * `npm run bench`: direct access to a loopback stand-in upstream vs a bare pass-through proxy vs Keygate (real sub-key
 * with quota and model policy, real store), each server in its own child process, measured in one run:
 * requests/s and p50/p99 at concurrency 50 (wrk, or autocannon when wrk is missing) and 1 (a sequential loop timed with performance.now, since
 * autocannon's histogram has whole-millisecond resolution), extra time to the first streamed chunk, Keygate's RSS;
 * then WebSocket round trips against direct and a bare relay (bench-websocket.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { buildSync } from 'esbuild';
import { Client } from 'undici';
import { generateSubkeySecret } from '../../electron/core/secrets/subkey-secret';
import { PROXY_V8_FLAGS } from '../../electron/core/v8-flags';
import { benchWebSocket } from './bench-websocket';

const root = resolve(import.meta.dirname, '../..');
// Bundled servers run on plain node, as the shipped app runs bundled code: tsx's loader thread would add ~30 MB of
// RSS and its own CPU to every server. Inside node_modules so the bundles resolve the project's packages.
const bundles = resolve(root, 'node_modules/.cache/keygate-bench');
const C50_SECONDS = 2;
const C1_SECONDS = 1;
const ROUNDS = 6;
const FIRST_CHUNK_SAMPLES = 400;
const TARGETS = { throughputVsBare: 0.8, addedP50Ms: 0.2, addedFirstChunkMs: 0.5, rssMb: 150 };
/**
 * The bar the bench had before issue 14 raised it (issue 3's, set when autocannon drove it): what the hardening,
 * permissions and spend issues (8-10) ask the bench to "still meet". Printed beside issue 14's, measured alike.
 */
const KEPT_BAR = { throughputVsBare: 0.6, addedP50Ms: 0.3, addedFirstChunkMs: 1, rssMb: 150 };

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, how are you?' }] });
const streamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, how are you?' }], stream: true });

type Name = 'direct' | 'bare' | 'keygate' | 'window';
/** Usage rows both Keygate servers start with, so the "window open" one differs only by its window. */
const SEEDED_ROWS = 1_000_000;
interface Server {
  name: Name;
  child: ChildProcess | null;
  origin: string;
}

const children: ChildProcess[] = [];
const watchdog = setTimeout(() => {
  console.error('bench: took longer than 5 minutes, giving up');
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}, 300_000);

function bundle(script: string): string {
  const outfile = resolve(bundles, script.replace(/\.ts$/, '.mjs'));
  buildSync({ entryPoints: [resolve(import.meta.dirname, script)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  return outfile;
}

function startChild(script: string, args: string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeArgs, bundle(script), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: { port?: number }) => {
      if (message.port) resolvePort({ child, port: message.port });
    });
  });
}

function ask(child: ChildProcess, question: 'rss' | 'cpu'): Promise<number> {
  return new Promise((resolveAnswer) => {
    const listener = (message: Record<string, number>): void => {
      if (message[question] === undefined) return;
      child.off('message', listener);
      resolveAnswer(message[question]);
    };
    child.on('message', listener);
    child.send(question);
  });
}

function headersFor(server: Server, secret: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (server.name === 'keygate' || server.name === 'window') headers.authorization = `Bearer ${secret}`;
  return headers;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** CPU time the server process used per request, µs. */
  cpuPerRequest: number;
}

/** `wrk` when installed (it runs in C, apart from Node, so it does not flatter the ratios); else autocannon. */
const wrkPath = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((path) => existsSync(path)) ?? null;
const generator = wrkPath ? `wrk (${wrkPath})` : 'autocannon (wrk NOT FOUND: apt-get install wrk; autocannon shares the CPU with the servers and flatters the ratios)';

function wrkScript(server: Server, secret: string): string {
  const file = resolve(bundles, `wrk-${server.name}.lua`);
  const headers = Object.entries(headersFor(server, secret)).map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  writeFileSync(file, [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(chatBody)}`, ...headers].join('\n'));
  return file;
}

/** Milliseconds from a wrk duration (`812.00us`, `1.23ms`, `2.00s`). */
function wrkMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 'ms' ? value : value * 1000;
}

async function loadWithWrk(server: Server, secret: string, connections: number, seconds: number): Promise<Omit<LoadResult, 'cpuPerRequest'> & { total: number }> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', wrkScript(server, secret), `${server.origin}/v1/chat/completions`];
  const output = await new Promise<string>((resolveOutput, reject) => {
    execFile(wrkPath!, args, (error, stdout) => (error ? reject(error) : resolveOutput(stdout)));
  });
  const number = (pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    // Anchored at a line's start: the thread stats' `+/- Stdev` column also ends in `%` (`85.50%`, `72.99%`).
    p50: wrkMs(/^\s*50%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    p99: wrkMs(/^\s*99%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    failures: number(/Non-2xx or 3xx responses: (\d+)/) + (errors ? errors.slice(1).reduce((sum, each) => sum + Number(each), 0) : 0),
    total: number(/(\d+) requests in/),
  };
}

async function load(server: Server, secret: string, connections: number, seconds: number): Promise<LoadResult> {
  const cpuBefore = await ask(server.child!, 'cpu');
  if (wrkPath) {
    const result = await loadWithWrk(server, secret, connections, seconds);
    return { ...result, cpuPerRequest: ((await ask(server.child!, 'cpu')) - cpuBefore) / Math.max(1, result.total) };
  }
  const result = await autocannon({
    url: `${server.origin}/v1/chat/completions`,
    method: 'POST',
    headers: headersFor(server, secret),
    body: chatBody,
    connections,
    duration: seconds,
  });
  const cpuPerRequest = ((await ask(server.child!, 'cpu')) - cpuBefore) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts, cpuPerRequest };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Sequential requests over one keep-alive connection for `seconds`; latencies in ms. */
async function sequential(server: Server, secret: string, seconds: number, into: number[]): Promise<number> {
  const client = new Client(server.origin);
  const headers = headersFor(server, secret);
  const end = performance.now() + seconds * 1000;
  let failures = 0;
  try {
    while (performance.now() < end) {
      const started = performance.now();
      const { statusCode, body } = await client.request({ path: '/v1/chat/completions', method: 'POST', headers, body: chatBody });
      await body.dump();
      into.push(performance.now() - started);
      if (statusCode !== 200) failures++;
    }
  } finally {
    await client.close();
  }
  return failures;
}

/** Time from sending a streaming request to its first body chunk, in ms. */
async function firstChunk(client: Client, server: Server, secret: string): Promise<number> {
  const started = performance.now();
  const { statusCode, body } = await client.request({ path: '/v1/chat/completions', method: 'POST', headers: headersFor(server, secret), body: streamBody });
  if (statusCode !== 200) throw new Error(`${server.name} answered ${statusCode} to a stream`);
  const elapsed = await new Promise<number>((resolveChunk) => body.once('data', () => resolveChunk(performance.now() - started)));
  await body.dump();
  return elapsed;
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
const fmt = (value: number, digits = 2): string => value.toFixed(digits);

async function main(): Promise<void> {
  const secret = generateSubkeySecret();
  mkdirSync(bundles, { recursive: true });
  const upstream = await startChild('bench-upstream.ts', []);
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  console.log(`bench: load generator: ${generator}`);
  console.log(`bench: seeding both Keygate stores with ${SEEDED_ROWS} usage rows…`);
  const seeded = { KG_ROWS: String(SEEDED_ROWS) };
  const [bare, keygate, windowed] = await Promise.all([
    startChild('bench-bare-proxy.ts', [upstreamUrl]),
    // Keygate runs with the V8 flags `npm run serve` gives it (v8-flags.ts).
    startChild('bench-keygate.ts', [upstreamUrl, secret], seeded, PROXY_V8_FLAGS),
    startChild('bench-keygate.ts', [upstreamUrl, secret], { ...seeded, KG_WINDOW: process.env.KG_WINDOW ?? '1' }, PROXY_V8_FLAGS),
  ]);
  const servers: Server[] = [
    { name: 'direct', child: upstream.child, origin: upstreamUrl },
    { name: 'bare', child: bare.child, origin: `http://127.0.0.1:${bare.port}` },
    { name: 'keygate', child: keygate.child, origin: `http://127.0.0.1:${keygate.port}` },
  ];
  const windowServer: Server = { name: 'window', child: windowed.child, origin: `http://127.0.0.1:${windowed.port}` };
  console.log('bench: servers up; warming up…');
  for (const server of [...servers, windowServer]) await load(server, secret, 50, 1);

  const c50: Record<Name, LoadResult[]> = { direct: [], bare: [], keygate: [], window: [] };
  const c1: Record<Exclude<Name, 'window'>, { samples: number[]; failures: number; seconds: number }> = {
    direct: { samples: [], failures: 0, seconds: 0 },
    bare: { samples: [], failures: 0, seconds: 0 },
    keygate: { samples: [], failures: 0, seconds: 0 },
  };
  const rssAfterLoad: number[] = [];
  // Short rounds alternate the targets (order reversed every other round), so drift in the machine's load hits all
  // three alike; ratios are taken per round and their median reported.
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`bench: round ${round}/${ROUNDS} (concurrency 50, then 1)…`);
    const order = round % 2 === 1 ? servers : [...servers].reverse();
    for (const server of order) {
      c50[server.name].push(await load(server, secret, 50, C50_SECONDS));
      // Right after its load, when it holds the most: a sample taken after quiet seconds would flatter it (V8 and
      // malloc give memory back when idle), and one sample alone swings by tens of MB from run to run.
      if (server.name === 'keygate') rssAfterLoad.push(await ask(keygate.child, 'rss'));
    }
    c50.window.push(await load(windowServer, secret, 50, C50_SECONDS));
    for (const server of order as (Server & { name: Exclude<Name, 'window'> })[]) {
      c1[server.name].failures += await sequential(server, secret, C1_SECONDS, c1[server.name].samples);
      c1[server.name].seconds += C1_SECONDS;
    }
  }

  console.log('bench: time to first streamed chunk…');
  const chunkClients = servers.map((server) => new Client(server.origin));
  const chunks: Record<Exclude<Name, 'window'>, number[]> = { direct: [], bare: [], keygate: [] };
  for (let sample = 0; sample < FIRST_CHUNK_SAMPLES; sample++) {
    for (let index = 0; index < servers.length; index++) chunks[servers[index]!.name as Exclude<Name, 'window'>].push(await firstChunk(chunkClients[index]!, servers[index]!, secret));
  }
  await Promise.all(chunkClients.map((client) => client.close()));
  rssAfterLoad.push(await ask(keygate.child, 'rss'));
  const rss = Math.max(...rssAfterLoad);

  const summary = (name: Exclude<Name, 'window'>) => {
    const runs = c50[name];
    const sorted = [...c1[name].samples].sort((a, b) => a - b);
    return {
      rps50: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
      cpu50: median(runs.map((run) => run.cpuPerRequest)),
      p50at50: runs.reduce((sum, run) => sum + run.p50, 0) / runs.length,
      p99at50: runs.reduce((sum, run) => sum + run.p99, 0) / runs.length,
      failures: runs.reduce((sum, run) => sum + run.failures, 0) + c1[name].failures,
      rps1: sorted.length / c1[name].seconds,
      p50at1: percentile(sorted, 50),
      p99at1: percentile(sorted, 99),
      firstChunk: median(chunks[name]),
    };
  };
  const d = summary('direct');
  const b = summary('bare');
  const k = summary('keygate');

  const rows: [string, number, number, number, number][] = [
    ['req/s at c=50 (mean of rounds)', d.rps50, b.rps50, k.rps50, 0],
    ['server CPU µs per request at c=50', d.cpu50, b.cpu50, k.cpu50, 1],
    ['p50 ms at c=50', d.p50at50, b.p50at50, k.p50at50, 1],
    ['p99 ms at c=50', d.p99at50, b.p99at50, k.p99at50, 1],
    ['req/s at c=1', d.rps1, b.rps1, k.rps1, 0],
    ['p50 ms at c=1', d.p50at1, b.p50at1, k.p50at1, 3],
    ['p99 ms at c=1', d.p99at1, b.p99at1, k.p99at1, 3],
    ['first streamed chunk ms (median)', d.firstChunk, b.firstChunk, k.firstChunk, 3],
  ];
  const line = (cells: string[]): string => cells.map((cell, index) => (index === 0 ? cell.padEnd(40) : cell.padStart(11))).join(' ');
  console.log('');
  console.log(line(['metric', 'direct', 'bare', 'keygate', 'kg/direct', 'kg/bare']));
  for (const [label, direct, bareValue, keygateValue, digits] of rows) {
    console.log(line([label, fmt(direct, digits), fmt(bareValue, digits), fmt(keygateValue, digits), fmt(keygateValue / direct), fmt(keygateValue / bareValue)]));
  }
  console.log(line(['keygate RSS after load, most (MB)', '', '', fmt(rss / 1048576, 1), '', '']));
  console.log(line(['non-2xx or errors during load', String(d.failures), String(b.failures), String(k.failures), '', '']));

  const perRound = c50.keygate.map((run, index) => run.rps / c50.bare[index]!.rps);
  const throughput = median(perRound);
  const windowRounds = c50.window.map((run, index) => run.rps / c50.keygate[index]!.rps);
  const windowRatio = median(windowRounds);
  console.log(`window open (${SEEDED_ROWS} rows, a window following the pushes): ${fmt(c50.window.reduce((sum, run) => sum + run.rps, 0) / c50.window.length, 0)} req/s; per round vs keygate without it: ${windowRounds.map((ratio) => fmt(ratio)).join(' ')} (median ${fmt(windowRatio)})`);
  console.log(`\nkeygate/bare req/s at c=50 per round: ${perRound.map((ratio) => fmt(ratio)).join(' ')} (median ${fmt(throughput)})`);
  const addedP50Bare = k.p50at1 - b.p50at1;
  const addedP50Direct = k.p50at1 - d.p50at1;
  const addedFirstChunk = k.firstChunk - d.firstChunk;
  const rssMb = rss / 1048576;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(`\ntargets (issue 14; load generator: ${generator}):`);
  console.log(`  throughput at c=50 ≥ ${TARGETS.throughputVsBare * 100}% of bare:   ${fmt(throughput * 100, 1)}% (median of rounds)  ${verdict(throughput >= TARGETS.throughputVsBare)}`);
  console.log(`  added p50 at c=1 ≤ ${TARGETS.addedP50Ms} ms:              ${fmt(addedP50Bare, 3)} ms over bare  ${verdict(addedP50Bare <= TARGETS.addedP50Ms)}  (${fmt(addedP50Direct, 3)} ms over direct  ${verdict(addedP50Direct <= TARGETS.addedP50Ms)})`);
  console.log(`  added to first chunk ≤ ${TARGETS.addedFirstChunkMs} ms (vs direct):   ${fmt(addedFirstChunk, 3)} ms  ${verdict(addedFirstChunk <= TARGETS.addedFirstChunkMs)}  (bare alone ${fmt(b.firstChunk - d.firstChunk, 3)} ms, keygate over bare ${fmt(k.firstChunk - b.firstChunk, 3)} ms)`);
  console.log(`  window open ≥ 90% of the same run without it: ${fmt(windowRatio * 100, 1)}%  ${verdict(windowRatio >= 0.9)}`);
  console.log(`  RSS after load ≤ ${TARGETS.rssMb} MB:                 ${fmt(rssMb, 1)} MB  ${verdict(rssMb <= TARGETS.rssMb)}  (most of ${rssAfterLoad.length} samples, after each round's load and at the end: ${rssAfterLoad.map((sample) => fmt(sample / 1048576, 0)).join(' ')})`);
  const kept = [
    throughput >= KEPT_BAR.throughputVsBare,
    addedP50Bare <= KEPT_BAR.addedP50Ms,
    addedFirstChunk <= KEPT_BAR.addedFirstChunkMs,
    rssMb <= KEPT_BAR.rssMb,
  ];
  console.log(
    `  the bar before issue 14 (≥ ${KEPT_BAR.throughputVsBare * 100}% of bare, ≤ ${KEPT_BAR.addedP50Ms} ms p50 over bare, ≤ ${KEPT_BAR.addedFirstChunkMs} ms to first chunk, ≤ ${KEPT_BAR.rssMb} MB): ` +
      `${kept.every(Boolean) ? 'met' : 'NOT met'} (${kept.map((ok) => (ok ? 'met' : 'NOT met')).join(', ')})`,
  );
  if (d.failures + b.failures + k.failures > 0) console.log('  warning: some requests failed; the figures above are suspect');
  await benchWebSocket();
}

try {
  await main();
} finally {
  clearTimeout(watchdog);
  for (const child of children) child.kill();
}
