import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IssuedSubkey, Model, Upstream } from '../../electron/shared/types';
import { chooseSnippetTarget, type SnippetTarget } from '../../renderer/src/lib/snippet-target';
import { nodeSnippet, type Snippet } from '../../renderer/src/lib/snippets';
import { aiSdkSnippet, codexSnippet } from '../../renderer/src/lib/tool-snippets';
import { startAdminServer, type AdminServer } from '../helpers/admin-server';
import { startStandInUpstream, type RecordedRequest, type StandInUpstream } from '../helpers/stand-in-upstream';

/**
 * The generated configs, run by the real tools (installed from npm as dev dependencies) against the headless server
 * (`/v1` + `/admin` on loopback) in front of a stand-in upstream: each request must arrive upstream with the real key
 * and the model the snippet named.
 */

const root = resolve(import.meta.dirname, '..', '..');
const REAL_KEY = 'sk-proj-TOOLSrealKEY0123456789abcdefGHIJ';
let upstream: StandInUpstream;
let admin: AdminServer;
let upstreamId: string;
let synced: string[];
let scratch: string;

beforeAll(async () => {
  upstream = await startStandInUpstream();
  admin = await startAdminServer();
  await admin.call('/admin/api/proxy/start');
  upstreamId = (await admin.call<Upstream>('/admin/api/upstreams/add', { name: 'stand-in', baseUrl: upstream.baseUrl, apiKey: REAL_KEY })).id;
  synced = (await admin.call<Model[]>('/admin/api/models/sync', { upstreamId })).map((model) => model.id);
  // Inside the clone, so the snippets' imports resolve from its node_modules.
  mkdirSync(join(root, 'test', '.artifacts'), { recursive: true });
  scratch = mkdtempSync(join(root, 'test', '.artifacts', 'tool-snippets-'));
});
afterAll(async () => {
  await admin?.close();
  await upstream?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => upstream.reset());

/** Issues a sub-key over the admin API and picks its snippets' target the way the secret dialog does. */
async function issue(policy: { allowModels?: string[]; denyModels?: string[] }): Promise<{ secret: string; target: SnippetTarget }> {
  const issued = await admin.call<IssuedSubkey>('/admin/api/subkeys/create', { name: `tools-${Date.now()}`, upstreamId, ...policy });
  return { secret: issued.secret, target: chooseSnippetTarget(issued.subkey, synced) };
}

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    }),
  );
}

/** Runs a JavaScript snippet as the ES module its note says it is. */
async function runModule(snippet: Snippet | null, name: string) {
  const file = join(scratch, `${name}.mjs`);
  writeFileSync(file, snippet!.parts[0]!.code);
  return run(process.execPath, [file]);
}

function onlyRequest(path: string): RecordedRequest {
  const matching = upstream.requests.filter((request) => request.url === path);
  expect(matching, path).toHaveLength(1);
  return matching[0]!;
}

function expectForwarded(path: string, model: string): void {
  const request = onlyRequest(path);
  expect(request.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
  expect(JSON.parse(request.body.toString()).model).toBe(model);
}

describe('the Vercel AI SDK snippet (ai 6 + @ai-sdk/openai 3)', () => {
  it('chats through Keygate with the model the key may use', async () => {
    const { secret, target } = await issue({ denyModels: ['gpt-4o', 'dall-e-3'] });
    expect(target).toEqual({ kind: 'chat', model: 'gpt-4o-mini' });
    const result = await runModule(aiSdkSnippet(admin.base + '/v1', secret, target), 'ai-sdk-chat');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('Hello world\n');
    expectForwarded('/v1/chat/completions', 'gpt-4o-mini');
  });

  it('embeds with an embeddings-only key', async () => {
    const { secret, target } = await issue({ allowModels: ['text-embedding-3-small'] });
    expect(target).toEqual({ kind: 'embeddings', model: 'text-embedding-3-small' });
    const result = await runModule(aiSdkSnippet(admin.base + '/v1', secret, target), 'ai-sdk-embed');
    expect(result.stdout, result.stderr).toBe('2 dimensions\n');
    expectForwarded('/v1/embeddings', 'text-embedding-3-small');
  });
});

/** Embeddings as OpenAI answers them: base64 of little-endian float32s when asked (the official SDK asks). */
function answerEmbeddings(request: RecordedRequest, response: ServerResponse): boolean {
  const body = JSON.parse(request.body.toString() || '{}') as { model?: string; encoding_format?: string };
  if (request.url !== '/v1/embeddings' || body.encoding_format !== 'base64') return false;
  const embedding = Buffer.from(new Float32Array([0.1, 0.2]).buffer).toString('base64');
  const text = JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding }], model: body.model, usage: { prompt_tokens: 2, total_tokens: 2 } });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  return true;
}

describe('the official Node SDK snippet', () => {
  it('calls chat, embeddings or the model list, whichever the key may use', async () => {
    const chat = await issue({ allowModels: ['gpt-4o*'] });
    expect((await runModule(nodeSnippet(admin.base + '/v1', chat.secret, chat.target), 'node-chat')).stdout).toBe('Hello world\n');
    expectForwarded('/v1/chat/completions', 'gpt-4o-mini');

    upstream.reset();
    upstream.respond = answerEmbeddings;
    const embeddings = await issue({ allowModels: ['text-embedding-3-small', 'whisper-1'] });
    expect((await runModule(nodeSnippet(admin.base + '/v1', embeddings.secret, embeddings.target), 'node-embed')).stdout).toBe('2 dimensions\n');
    expectForwarded('/v1/embeddings', 'text-embedding-3-small');

    upstream.reset();
    const audioOnly = await issue({ allowModels: ['whisper-1', 'tts-1'] });
    expect(audioOnly.target).toEqual({ kind: 'models' });
    const listed = await runModule(nodeSnippet(admin.base + '/v1', audioOnly.secret, audioOnly.target), 'node-models');
    // Keygate filters the list to what the key may use.
    expect(listed.stdout.trim().split('\n').sort()).toEqual(['tts-1', 'whisper-1']);
    expect(onlyRequest('/v1/models').headers.authorization).toBe(`Bearer ${REAL_KEY}`);
  });
});

/** A complete Responses stream (Codex needs the item events around the text delta to print the answer). */
function answerResponses(request: RecordedRequest, response: ServerResponse): boolean {
  if (request.url !== '/v1/responses') return false;
  const model = String(JSON.parse(request.body.toString()).model);
  const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] as object[] };
  const part = { type: 'output_text', text: '', annotations: [] };
  const done = { ...message, status: 'completed', content: [{ ...part, text: 'Hello from Keygate' }] };
  const base = { id: 'resp_1', object: 'response', model, output: [] as object[] };
  const usage = { input_tokens: 5, output_tokens: 3, total_tokens: 8, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };
  const events: object[] = [
    { type: 'response.created', response: { ...base, status: 'in_progress' } },
    { type: 'response.output_item.added', output_index: 0, item: message },
    { type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part },
    { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hello from Keygate' },
    { type: 'response.output_text.done', item_id: 'msg_1', output_index: 0, content_index: 0, text: 'Hello from Keygate' },
    { type: 'response.output_item.done', output_index: 0, item: done },
    { type: 'response.completed', response: { ...base, status: 'completed', output: [done], usage } },
  ];
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(events.map((event, index) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`).join(''));
  return true;
}

describe('the Codex CLI snippet (@openai/codex 0.171)', () => {
  it('codex exec with the [model_providers.keygate] block reaches the upstream with the real key and the model', async () => {
    const { secret, target } = await issue({ allowModels: ['gpt-4o-mini'] });
    const snippet = codexSnippet(admin.base + '/v1', secret, target)!;
    const codexHome = mkdtempSync(join(tmpdir(), 'keygate-codex-home-'));
    try {
      writeFileSync(join(codexHome, 'config.toml'), `${snippet.parts[0]!.code}\n`);
      upstream.respond = answerResponses;
      // The run part exactly as shown, in bash, with the npm-installed codex on PATH.
      const result = await run('bash', ['-c', snippet.parts[1]!.code], {
        cwd: codexHome,
        env: { CODEX_HOME: codexHome, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Hello from Keygate');
      const request = onlyRequest('/v1/responses');
      expect(request.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
      expect(JSON.parse(request.body.toString())).toMatchObject({ model: 'gpt-4o-mini', stream: true });
    } finally {
      rmSync(codexHome, { recursive: true, force: true });
    }
  }, 90_000);
});
