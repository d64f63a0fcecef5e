/**
 * A short same-run A/B comparison for profiling a change (not part of `npm run bench`): bare vs one or more Keygate
 * variants at c=50 (wrk) and c=1, and the first streamed chunk vs direct. Rounds alternate the variants' order, and
 * each figure is taken against the bare run of its own round, so a machine shared with other work still compares
 * like with like. `cpu +N µs` is the server CPU per request over bare's (process.cpuUsage: less disturbed by other
 * processes than req/s). `node --import tsx test/bench/bench-quick.ts`, with env:
 * Q_ROUNDS (5), Q_SECONDS (2), Q_C1 (500 sequential requests), Q_CHUNKS (300 streams);
 * Q_VARIANTS: `name:VAR=value&--node-flag;name2:…` (each variant's env and node flags; default one plain `kg`);
 * Q_NODE_ARGS / Q_BARE_NODE_ARGS: node flags for every Keygate child (after v8-flags.ts's, so they can override them) /
 * the bare one (e.g. `--cpu-prof`);
 * Q_MEM: memory after a GC (needs `--expose-gc`) at start and end; KG_* as bench-keygate.ts reads them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { Client } from 'undici';
import { generateSubkeySecret } from '../../electron/core/secrets/subkey-secret';
import { PROXY_V8_FLAGS } from '../../electron/core/v8-flags';

const root = resolve(import.meta.dirname, '../..');
const bundles = resolve(root, 'node_modules/.cache/keygate-bench-quick');
const ROUNDS = Number(process.env.Q_ROUNDS ?? 5);
const SECONDS = Number(process.env.Q_SECONDS ?? 2);
const CHUNKS = Number(process.env.Q_CHUNKS ?? 300);
const C1 = Number(process.env.Q_C1 ?? 500);
const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, how are you?' }] });
const streamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, how are you?' }], stream: true });
const children: ChildProcess[] = [];

function bundle(script: string): string {
  const outfile = resolve(bundles, script.replace(/\.ts$/, '.mjs'));
  buildSync({ entryPoints: [resolve(import.meta.dirname, script)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  return outfile;
}

interface Child { child: ChildProcess; origin: string }
function start(script: string, args: string[], nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, bundle(script), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`${script} exited ${code}`)));
    child.on('message', (m: { port?: number }) => m.port && ok({ child, origin: `http://127.0.0.1:${m.port}` }));
  });
}

function ask(child: ChildProcess, q: string): Promise<number> {
  return new Promise((ok) => {
    const l = (m: Record<string, number>) => {
      if (m[q] === undefined) return;
      child.off('message', l);
      ok(m[q]);
    };
    child.on('message', l);
    child.send(q);
  });
}

async function wrk(name: string, origin: string, secret: string | null): Promise<number> {
  const file = resolve(bundles, `wrk-${name}.lua`);
  const headers = ['wrk.headers["content-type"] = "application/json"', ...(secret ? [`wrk.headers["authorization"] = "Bearer ${secret}"`] : [])];
  writeFileSync(file, [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(chatBody)}`, ...headers].join('\n'));
  const out = await new Promise<string>((ok, fail) =>
    execFile('/usr/bin/wrk', ['-t1', '-c50', `-d${SECONDS}s`, '--latency', '-s', file, `${origin}/v1/chat/completions`], (e, so) => (e ? fail(e) : ok(so))),
  );
  if (/Non-2xx|Socket errors/.test(out)) console.log('FAILURES', name, out);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
}

async function c1(origin: string, secret: string | null, n: number): Promise<number[]> {
  const client = new Client(origin);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const { body } = await client.request({ path: '/v1/chat/completions', method: 'POST', headers, body: chatBody });
    await body.dump();
    out.push(performance.now() - t);
  }
  await client.close();
  return out;
}

async function chunk(client: Client, secret: string | null): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) };
  const t = performance.now();
  const { statusCode, body } = await client.request({ path: '/v1/chat/completions', method: 'POST', headers, body: streamBody });
  if (statusCode !== 200) throw new Error(`stream answered ${statusCode}: ${await body.text()}`);
  const e = await new Promise<number>((ok) => body.once('data', () => ok(performance.now() - t)));
  await body.dump();
  return e;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

try {
  mkdirSync(bundles, { recursive: true });
  const secret = generateSubkeySecret();
  const up = await start('bench-upstream.ts', []);
  const bare = await start('bench-bare-proxy.ts', [up.origin], (process.env.Q_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const specs = (process.env.Q_VARIANTS ?? 'kg:').split(';').map((spec) => {
    const colon = spec.indexOf(':');
    const [name, vars] = [spec.slice(0, colon), spec.slice(colon + 1)];
    const parts = vars.split('&').filter(Boolean);
    return {
      name,
      env: Object.fromEntries(parts.filter((v) => !v.startsWith('--')).map((v) => v.split('=') as [string, string])),
      args: parts.filter((v) => v.startsWith('--')),
    };
  });
  const variants = await Promise.all(
    specs.map(async ({ name, env, args }) => ({
      name,
      ...(await start(process.env.Q_KG ?? 'bench-keygate.ts', [up.origin, secret], [...PROXY_V8_FLAGS, ...(process.env.Q_NODE_ARGS ?? '').split(' ').filter(Boolean), ...args], env)),
    })),
  );
  const mem = (child: ChildProcess) =>
    new Promise<string>((ok) => {
      const l = (m: { mem?: Record<string, number> }) => {
        if (!m.mem) return;
        child.off('message', l);
        ok(Object.entries(m.mem).map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)}`).join(', '));
      };
      child.on('message', l);
      child.send('mem');
    });
  if (process.env.Q_MEM) for (const v of variants) console.log(`${v.name} mem at start (after gc): ${await mem(v.child)}`);
  for (const v of variants) console.log(`${v.name}: rss at start ${((await ask(v.child, 'rss')) / 1048576).toFixed(1)} MB`);
  await wrk('bare', bare.origin, null);
  for (const v of variants) await wrk(v.name, v.origin, secret);
  const stats = new Map(variants.map((v) => [v.name, { ratio: [] as number[], cpu: [] as number[], p50: [] as number[], chunk: [] as number[] }]));
  const bcpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    const b0 = await ask(bare.child, 'cpu');
    const b = await wrk('bare', bare.origin, null);
    bcpu.push(((await ask(bare.child, 'cpu')) - b0) / (b * SECONDS));
    const lb = median(await c1(bare.origin, null, C1));
    let line = `round ${r + 1}: bare ${b.toFixed(0)} (${bcpu.at(-1)!.toFixed(0)}µs) p50 ${lb.toFixed(3)}`;
    for (const v of order) {
      const s = stats.get(v.name)!;
      const c0 = await ask(v.child, 'cpu');
      const k = await wrk(v.name, v.origin, secret);
      s.cpu.push(((await ask(v.child, 'cpu')) - c0) / (k * SECONDS) - bcpu.at(-1)!);
      s.ratio.push(k / b);
      const lk = median(await c1(v.origin, secret, C1));
      s.p50.push(lk - lb);
      line += ` | ${v.name} ${(k / b).toFixed(3)} +${s.cpu.at(-1)!.toFixed(0)}µs +${(lk - lb).toFixed(3)}ms`;
    }
    console.log(line);
  }
  const dc = new Client(up.origin);
  const clients = variants.map((v) => new Client(v.origin));
  const direct: number[] = [];
  const bareChunks: number[] = [];
  const bc = new Client(bare.origin);
  for (let i = 0; i < CHUNKS; i++) {
    direct.push(await chunk(dc, null));
    bareChunks.push(await chunk(bc, null));
    // The variants' order alternates too: the Keygate processes share node's and SQLite's code pages, so the one
    // that runs right after another finds them warm (a fixed order favoured the later variant by ~0.1 ms).
    for (let k = 0; k < variants.length; k++) {
      const j = i % 2 === 0 ? k : variants.length - 1 - k;
      stats.get(variants[j]!.name)!.chunk.push(await chunk(clients[j]!, secret));
    }
  }
  if (process.env.Q_MEM) for (const v of variants) console.log(`${v.name} mem at end (after gc): ${await mem(v.child)}`);
  if (process.env.Q_MEM) console.log(`bare mem at end (after gc): ${await mem(bare.child)}`);
  console.log(`bare     first chunk +${(median(bareChunks) - median(direct)).toFixed(3)} ms over direct (${median(direct).toFixed(3)} ms)`);
  for (const v of variants) {
    const s = stats.get(v.name)!;
    const rss = await ask(v.child, 'rss');
    console.log(
      `${v.name.padEnd(8)} ratio ${s.ratio.length ? median(s.ratio).toFixed(3) : '-'}  cpu +${s.cpu.length ? median(s.cpu).toFixed(1) : '-'}µs/req over bare  added p50 ${s.p50.length ? median(s.p50).toFixed(3) : '-'} ms  first chunk +${(median(s.chunk) - median(direct)).toFixed(3)} ms  rss ${(rss / 1048576).toFixed(1)} MB`,
    );
  }
} finally {
  for (const c of children) if (c.connected) c.disconnect();
  await new Promise((r) => setTimeout(r, 1500));
  for (const c of children) c.kill();
}
