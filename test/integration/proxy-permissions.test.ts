import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAiEndpoints } from '../../electron/core/proxy/openai-endpoints';
import { PERMISSION_GROUPS, groupsAt, suggestedPermissions, type PermissionGroup, type Permissions } from '../../electron/shared/permissions';
import type { IssuedSubkey, Subkey, Upstream } from '../../electron/shared/types';
import { startInProcessTarget, startServeTarget, type KeygateTarget } from '../helpers/keygate-target';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { startStandInUpstream, type StandInUpstream } from '../helpers/stand-in-upstream';

/** Endpoints that hand out credentials: they need `mintCredentials` besides their group, so samples avoid them. */
const MINTING = new Set(['/realtime/client_secrets', '/realtime/sessions', '/realtime/transcription_sessions', '/realtime/translations/client_secrets', '/chatkit/sessions']);

/** One read (GET) and one write (any other method) endpoint of each group, from the generated table, ids filled in. */
function samples(group: PermissionGroup): { read: [string, string] | null; write: [string, string] | null } {
  const of = openAiEndpoints.filter((endpoint) => endpoint.group === group && !MINTING.has(endpoint.path));
  const fill = (path: string): string => `/v1${path.replace(/\{[^}]+\}/g, 'x1')}`;
  const read = of.find((endpoint) => endpoint.method === 'GET');
  // Creating a batch needs an input file uploaded through the key (tested on its own below).
  const write = of.find((endpoint) => endpoint.method !== 'GET' && !(endpoint.method === 'POST' && endpoint.path === '/batches'));
  return { read: read ? ['GET', fill(read.path)] : null, write: write ? [write.method, fill(write.path)] : null };
}

async function send(client: OpenAI, method: string, path: string, body: unknown = {}): Promise<{ status: number; code?: string | null; message?: string }> {
  try {
    const route = path.slice('/v1'.length);
    if (method === 'GET') await client.get(route);
    else if (method === 'DELETE') await client.delete(route);
    else await client.post(route, { body });
    return { status: 200 };
  } catch (error) {
    if (error instanceof APIError) return { status: error.status ?? 0, code: error.code, message: error.message };
    throw error;
  }
}

describe.each([
  ['the in-process headless stack', startInProcessTarget],
  ['the headless server started as a user would', startServeTarget],
])('endpoint permissions through %s', (_label, start) => {
  let target: KeygateTarget;
  let upstream: StandInUpstream;
  let openAi: Upstream;
  let compatible: Upstream;

  async function issue(permissions: Permissions | undefined, extra: Record<string, unknown> = {}, upstreamId = openAi.id): Promise<IssuedSubkey> {
    return target.call<IssuedSubkey>('subkeys:create', { name: 'k', upstreamId, ...(permissions && { permissions }), ...extra });
  }
  const client = (secret: string): OpenAI => new OpenAI({ apiKey: secret, baseURL: `${target.origin}/v1`, maxRetries: 0, timeout: 15_000 });

  beforeAll(async () => {
    upstream = await startStandInUpstream();
    target = await start();
    openAi = await target.call<Upstream>('upstreams:add', { name: 'OpenAI', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY });
    compatible = await target.call<Upstream>('upstreams:add', { name: 'Compatible', baseUrl: upstream.baseUrl, apiKey: UPSTREAM_KEY, passThroughUnknownEndpoints: true });
  }, 60_000);
  afterAll(async () => {
    await target?.close();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  it('gives a key issued without permissions every endpoint (mode all), and stores what the form sends', async () => {
    const plain = await issue(undefined);
    expect(plain.subkey.permissions).toMatchObject({ mode: 'all', mintCredentials: false, shareProjectObjects: false });
    const suggested = await issue(suggestedPermissions());
    expect(suggested.subkey.permissions).toEqual(suggestedPermissions());
    const listed = await target.call<Subkey[]>('subkeys:list');
    expect(listed.find((subkey) => subkey.id === suggested.subkey.id)?.permissions).toEqual(suggestedPermissions());
  });

  it('lets a key in mode all reach a read and a write endpoint of every group', async () => {
    // Sample ids are made up: this key sees every object.
    const sdk = client((await issue({ mode: 'all', groups: groupsAt('none'), mintCredentials: false, shareProjectObjects: true })).secret);
    for (const group of PERMISSION_GROUPS) {
      const { read, write } = samples(group);
      for (const sample of [read, write]) if (sample) expect((await send(sdk, ...sample)).status, `${group} ${sample.join(' ')}`).toBe(200);
    }
  });

  it('applies none, read and write per group in restricted mode, refusing with permission_denied naming the group, never forwarding', async () => {
    for (const group of PERMISSION_GROUPS) {
      const { read, write } = samples(group);
      for (const level of ['none', 'read', 'write'] as const) {
        const sdk = client((await issue({ mode: 'restricted', groups: { ...groupsAt('none'), [group]: level }, mintCredentials: false, shareProjectObjects: true })).secret);
        for (const [kind, sample] of [['read', read], ['write', write]] as const) {
          if (!sample) continue;
          upstream.reset();
          const answer = await send(sdk, ...sample);
          const allowed = level === 'write' || (level === 'read' && kind === 'read');
          const label = `${group}=${level}: ${sample.join(' ')}`;
          if (allowed) {
            expect(answer.status, label).toBe(200);
            expect(upstream.requests, label).toHaveLength(1);
          } else {
            expect(answer, label).toMatchObject({ status: 403, code: 'permission_denied' });
            expect(answer.message, label).toContain(`"${group}"`);
            expect(upstream.requests, label).toHaveLength(0);
          }
        }
      }
    }
  }, 60_000);

  it('allows only GET in read_only mode', async () => {
    const sdk = client((await issue({ mode: 'read_only', groups: groupsAt('write'), mintCredentials: false, shareProjectObjects: false })).secret);
    expect((await sdk.models.list()).data.length).toBeGreaterThan(0);
    expect((await send(sdk, 'GET', '/v1/files')).status).toBe(200);
    await expect(sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    expect(await send(sdk, 'DELETE', '/v1/files/file-1')).toMatchObject({ status: 403, code: 'permission_denied' });
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET', 'GET']);
  });

  it('serves the form default (models read; chat, responses, embeddings write) through the SDK, and nothing else', async () => {
    const sdk = client((await issue(suggestedPermissions())).secret);
    expect((await sdk.models.list()).data.length).toBeGreaterThan(0);
    expect((await sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).model).toBe('gpt-4o');
    expect((await sdk.responses.create({ model: 'gpt-4o', input: 'hi' })).id).toBe('resp_standin');
    expect((await sdk.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' })).data).toHaveLength(1);
    await expect(sdk.models.delete('ft:gpt-4o:acme')).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    await expect(sdk.images.generate({ model: 'dall-e-3', prompt: 'a cat' })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    await expect(sdk.files.list()).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    await expect(sdk.moderations.create({ input: 'hi' })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    expect(upstream.requests).toHaveLength(4);
  });

  it('needs both the permission and the model policy', async () => {
    const sdk = client((await issue(suggestedPermissions(), { allowModels: ['gpt-4o-mini'] })).secret);
    expect((await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).model).toBe('gpt-4o-mini');
    await expect(sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
    await expect(sdk.images.generate({ model: 'gpt-4o-mini', prompt: 'a cat' })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('refuses endpoints Keygate does not know to keys not in mode all, even on a pass-through upstream', async () => {
    const all = client((await issue(undefined, {}, compatible.id)).secret);
    const restricted = client((await issue({ mode: 'restricted', groups: groupsAt('write'), mintCredentials: false, shareProjectObjects: false }, {}, compatible.id)).secret);
    const readOnly = client((await issue({ mode: 'read_only', groups: groupsAt('none'), mintCredentials: false, shareProjectObjects: false }, {}, compatible.id)).secret);
    expect((await send(all, 'GET', '/v1/rerank/status')).status).toBe(200);
    expect(await send(restricted, 'GET', '/v1/rerank/status')).toMatchObject({ status: 403, code: 'permission_denied' });
    expect(await send(readOnly, 'GET', '/v1/rerank/status')).toMatchObject({ status: 403, code: 'permission_denied' });
    expect(upstream.requests).toHaveLength(1);
  });

  it('changes a key’s permissions with subkeys:update, taking effect at once', async () => {
    const issued = await issue(suggestedPermissions());
    const sdk = client(issued.secret);
    await expect(sdk.files.list()).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
    const updated = await target.call<Subkey>('subkeys:update', { id: issued.subkey.id, permissions: { mode: 'restricted', groups: { files: 'read' } } });
    expect(updated.permissions.groups).toMatchObject({ files: 'read', chat_completions: 'none' });
    expect((await send(sdk, 'GET', '/v1/files')).status).toBe(200);
    await expect(sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
  });

  describe('minting credentials', () => {
    const minting = (overrides: Partial<Permissions> = {}): Permissions => ({ ...suggestedPermissions(), groups: { ...groupsAt('none'), realtime: 'write' }, mintCredentials: true, ...overrides });
    const sent = (): Record<string, unknown> => JSON.parse(upstream.requests.at(-1)!.body.toString('utf8')) as Record<string, unknown>;

    it('is off even in mode all, for every endpoint that returns a credential, never forwarded', async () => {
      const sdk = client((await issue(undefined)).secret);
      await expect(sdk.realtime.clientSecrets.create({ session: { type: 'realtime', model: 'gpt-realtime' } })).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
      for (const path of ['/v1/realtime/sessions', '/v1/realtime/transcription_sessions', '/v1/realtime/translations/client_secrets', '/v1/chatkit/sessions']) {
        expect(await send(sdk, 'POST', path), path).toMatchObject({ status: 403, code: 'permission_denied' });
      }
      expect(upstream.requests).toHaveLength(0);
    });

    it('caps expires_after at 600 seconds, says so in a header, and counts the mint as one request', async () => {
      const issued = await issue(minting(), { allowModels: ['gpt-realtime'], remainingRequests: 5 });
      const sdk = client(issued.secret);
      const { response } = await sdk.realtime.clientSecrets
        .create({ expires_after: { anchor: 'created_at', seconds: 7200 }, session: { type: 'realtime', model: 'gpt-realtime' } })
        .withResponse();
      expect(response.headers.get('x-keygate-expires-after-capped')).toBe('600');
      expect(sent()).toEqual({ expires_after: { anchor: 'created_at', seconds: 600 }, session: { type: 'realtime', model: 'gpt-realtime' } });

      const short = await sdk.realtime.clientSecrets.create({ expires_after: { anchor: 'created_at', seconds: 120 }, session: { type: 'realtime', model: 'gpt-realtime' } }).withResponse();
      expect(short.response.headers.get('x-keygate-expires-after-capped')).toBeNull();
      expect(sent()).toMatchObject({ expires_after: { seconds: 120 } });
      // Left out, OpenAI's default would decide: Keygate sends its cap explicitly.
      await sdk.realtime.clientSecrets.create({ session: { type: 'realtime', model: 'gpt-realtime' } });
      expect(sent()).toMatchObject({ expires_after: { anchor: 'created_at', seconds: 600 } });
      const listed = await target.call<Subkey[]>('subkeys:list');
      expect(listed.find((subkey) => subkey.id === issued.subkey.id)?.remainingRequests).toBe(2);
    });

    it('checks the session model against the policy, and wants it named', async () => {
      const sdk = client((await issue(minting(), { allowModels: ['gpt-realtime'] })).secret);
      await expect(sdk.realtime.clientSecrets.create({ session: { type: 'realtime', model: 'gpt-realtime-mini' } })).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
      await expect(sdk.realtime.clientSecrets.create({ session: { type: 'realtime' } })).rejects.toMatchObject({ status: 403, code: 'model_required' });
      await expect(
        sdk.realtime.clientSecrets.create({ session: { type: 'realtime', model: 'gpt-realtime', audio: { input: { transcription: { model: 'whisper-1' } } } } }),
      ).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
      expect(await send(sdk, 'POST', '/v1/realtime/client_secrets')).toMatchObject({ status: 403, code: 'model_required' });
      expect(upstream.requests).toHaveLength(0);
    });

    it('refuses a credential that would outlive its key, and a lifetime it cannot read', async () => {
      const expiring = client((await issue(minting(), { expiresAt: new Date(Date.now() + 300_000).toISOString() })).secret);
      await expect(expiring.realtime.clientSecrets.create({ session: { type: 'realtime', model: 'gpt-realtime' } })).rejects.toMatchObject({ status: 403, code: 'credential_outlives_key' });
      expect((await expiring.realtime.clientSecrets.create({ expires_after: { anchor: 'created_at', seconds: 60 }, session: { type: 'realtime', model: 'gpt-realtime' } }).withResponse()).response.status).toBe(200);
      const sdk = client((await issue(minting())).secret);
      expect(await send(sdk, 'POST', '/v1/realtime/client_secrets', { expires_after: { seconds: '7200' } })).toMatchObject({ status: 400, code: 'invalid_request' });
      expect(upstream.requests).toHaveLength(1);
    });
  });

  describe('sub-keys see only their own objects', () => {
    let counter = 0;
    const created: { id: string; object: string }[] = [];
    /** The stand-in creates objects with fresh ids and lists every one it made, whoever asked. */
    function respondWithObjects(): void {
      upstream.respond = (request, response) => {
        const path = request.url.split('?')[0]!;
        const answer = (value: unknown): void => {
          const body = JSON.stringify(value);
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          response.end(body);
        };
        const make = (prefix: string, object: string): void => {
          const made = { id: `${prefix}${++counter}`, object };
          created.push(made);
          answer({ ...made, created_at: 1, output: [] });
        };
        if (request.method === 'POST' && path === '/v1/files') make('file-', 'file');
        else if (request.method === 'POST' && path === '/v1/conversations') make('conv_', 'conversation');
        else if (request.method === 'POST' && path === '/v1/responses') {
          if (request.body.includes('"stream":true')) {
            const id = `resp_${++counter}`;
            response.writeHead(200, { 'content-type': 'text/event-stream' });
            response.end(`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id, object: 'response', status: 'in_progress', output: [] } })}\n\n`);
          } else make('resp_', 'response');
        } else if (request.method === 'GET' && path === '/v1/files') answer({ object: 'list', data: created.filter((made) => made.object === 'file'), has_more: false });
        else if (request.method === 'GET' && path.startsWith('/v1/files/')) answer({ id: path.slice('/v1/files/'.length), object: 'file' });
        else return false;
      };
    }
    const upload = (sdk: OpenAI) => sdk.files.create({ file: new File(['{}'], 'a.jsonl'), purpose: 'assistants' });

    it('refuses another key’s file, response and conversation with 404, never forwarded, and filters lists', async () => {
      respondWithObjects();
      const a = client((await issue(undefined)).secret);
      const b = client((await issue(undefined)).secret);
      const shared = client((await issue({ ...suggestedPermissions(), mode: 'all', shareProjectObjects: true })).secret);
      const fileA = (await upload(a)).id;
      const fileB = (await upload(b)).id;
      const responseA = (await a.responses.create({ model: 'gpt-4o', input: 'hi' })).id;
      const conversationA = (await a.conversations.create({})).id;
      upstream.requests.length = 0;

      expect((await a.files.retrieve(fileA)).id).toBe(fileA);
      expect((await a.responses.create({ model: 'gpt-4o', input: 'again', previous_response_id: responseA })).id).toMatch(/^resp_/);
      expect(upstream.requests).toHaveLength(2);
      upstream.requests.length = 0;
      const refusals: [string, () => Promise<unknown>][] = [
        ['file', () => b.files.retrieve(fileA)],
        ['file content', () => b.files.content(fileA)],
        ['file delete', () => b.files.delete(fileA)],
        ['response', () => b.responses.retrieve(responseA)],
        ['previous_response_id', () => b.responses.create({ model: 'gpt-4o', input: 'hi', previous_response_id: responseA })],
        ['conversation', () => b.conversations.retrieve(conversationA)],
        ['conversation by id', () => b.responses.create({ model: 'gpt-4o', input: 'hi', conversation: conversationA })],
        ['conversation object', () => b.responses.create({ model: 'gpt-4o', input: 'hi', conversation: { id: conversationA } })],
        ['input_file', () => b.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'input_file', file_id: fileA }] }] })],
        ['vector store files', () => b.vectorStores.create({ file_ids: [fileA] })],
        ['batch input', () => b.batches.create({ input_file_id: fileA, endpoint: '/v1/chat/completions', completion_window: '24h' })],
        ['never created through Keygate', () => a.files.retrieve('file-elsewhere')],
      ];
      for (const [label, call] of refusals) await expect(call(), label).rejects.toMatchObject({ status: 404, code: 'object_not_found' });
      expect(upstream.requests).toHaveLength(0);

      expect((await a.files.list()).data.map((file) => file.id)).toEqual([fileA]);
      expect((await b.files.list()).data.map((file) => file.id)).toEqual([fileB]);
      expect((await shared.files.list()).data.map((file) => file.id)).toEqual(expect.arrayContaining([fileA, fileB]));
      expect((await shared.files.retrieve(fileA)).id).toBe(fileA);
    });

    it('reads ids only where OpenAI takes them: a Codex-shaped body with UUIDs elsewhere passes as sent, a repeated id member is refused', async () => {
      respondWithObjects();
      const issued = await issue(undefined);
      const sdk = client(issued.secret);
      const mine = (await sdk.responses.create({ model: 'gpt-4o', input: 'hi' })).id;
      upstream.requests.length = 0;
      const uuid = '01a24209-6aa2-75c2-8e5a-f341cabaf3ee';
      const codex = {
        model: 'gpt-4o',
        instructions: 'You are Codex.',
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] },
          // Replayed output: a citation of a file and the automatic container a code interpreter ran in.
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'x', annotations: [{ type: 'file_citation', file_id: 'file-owner', index: 0 }] }] },
          { type: 'code_interpreter_call', id: 'ci_1', container_id: 'cntr_auto', code: '', outputs: [] },
          { type: 'function_call', call_id: uuid, name: 'shell', arguments: '{}' },
          { type: 'function_call_output', call_id: uuid, output: 'ok' },
        ],
        tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
        store: false,
        prompt_cache_key: uuid,
        client_metadata: { session_id: uuid, thread_id: uuid, conversation_id: uuid, file_id: uuid },
        metadata: { previous_response_id: uuid },
      };
      expect(await send(sdk, 'POST', '/v1/responses', codex)).toEqual({ status: 200 });
      expect(JSON.parse(upstream.requests[0]!.body.toString('utf8'))).toEqual(codex);
      expect(await send(sdk, 'POST', '/v1/responses', { ...codex, previous_response_id: mine })).toEqual({ status: 200 });
      expect(await send(sdk, 'POST', '/v1/responses', { ...codex, previous_response_id: uuid })).toMatchObject({ status: 404, code: 'object_not_found' });

      // JSON.parse keeps the last of two members, a first-wins reader the first: Keygate would check one id, upstream use another.
      const raw = async (text: string) => {
        const answer = await fetch(`${target.origin}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${issued.secret}`, 'content-type': 'application/json' }, body: text });
        return { status: answer.status, code: ((await answer.json()) as { error: { code: string } }).error.code };
      };
      expect(await raw(`{"model":"gpt-4o","input":"hi","previous_response_id":"resp_foreign","previous_response_id":"${mine}"}`)).toEqual({ status: 400, code: 'ambiguous_request' });
      expect(await raw(`{"model":"gpt-4o","input":"hi","previous\\u005fresponse_id":"resp_foreign","previous_response_id":"${mine}"}`)).toEqual({ status: 400, code: 'ambiguous_request' });
      expect(upstream.requests).toHaveLength(2);
    });

    const batchFile = (lines: object[]) => new File([lines.map((line) => JSON.stringify(line)).join('\n') + '\n'], 'batch.jsonl');
    const line = (model: string, url = '/v1/chat/completions') => ({ custom_id: model, method: 'POST', url, body: { model, messages: [{ role: 'user', content: 'hi' }] } });
    const remaining = async (id: string) => (await target.call<Subkey[]>('subkeys:list')).find((subkey) => subkey.id === id)?.remainingRequests;
    const batchPermissions = (): Permissions => ({ ...suggestedPermissions(), groups: { ...suggestedPermissions().groups, files: 'write', batches: 'write' } });

    it('counts a batch per line of its input, refusing forbidden models and endpoints and files from elsewhere at creation', async () => {
      respondWithObjects();
      const issued = await issue(batchPermissions(), { allowModels: ['gpt-4o-mini'], remainingRequests: 20 });
      const sdk = client(issued.secret);
      const good = (await sdk.files.create({ file: batchFile([line('gpt-4o-mini'), line('gpt-4o-mini'), line('gpt-4o-mini')]), purpose: 'batch' })).id;
      const forbiddenModel = (await sdk.files.create({ file: batchFile([line('gpt-4o-mini'), line('gpt-4o')]), purpose: 'batch' })).id;
      const forbiddenEndpoint = (await sdk.files.create({ file: batchFile([line('gpt-4o-mini', '/v1/images/generations')]), purpose: 'batch' })).id;
      const notBatch = (await sdk.files.create({ file: batchFile([line('gpt-4o-mini')]), purpose: 'assistants' })).id;
      expect(await remaining(issued.subkey.id)).toBe(16);
      upstream.requests.length = 0;

      const create = (input_file_id: string) => sdk.batches.create({ input_file_id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      await expect(create(forbiddenModel)).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
      await expect(create(forbiddenEndpoint)).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
      // Not read as a batch's input: a key with a model policy hears, as before, that its models cannot be seen.
      await expect(create(notBatch)).rejects.toMatchObject({ status: 403, code: 'endpoint_not_allowed' });
      expect(upstream.requests).toHaveLength(0);
      expect(await remaining(issued.subkey.id)).toBe(16);

      await create(good);
      expect(upstream.requests).toHaveLength(1);
      expect(await remaining(issued.subkey.id)).toBe(13);

      // A batch upstream does not create gives all its lines back.
      upstream.respond = (request, response) => {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error', param: null, code: null } }));
      };
      await expect(create(good)).rejects.toMatchObject({ status: 400 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await remaining(issued.subkey.id)).toBe(13);
    });

    it('refuses a batch with more lines than requests left (429), and one from a file another key uploaded', async () => {
      respondWithObjects();
      const issued = await issue(batchPermissions(), { remainingRequests: 3 });
      const sdk = client(issued.secret);
      const four = (await sdk.files.create({ file: batchFile([line('a'), line('b'), line('c'), line('d')]), purpose: 'batch' })).id;
      await expect(sdk.batches.create({ input_file_id: four, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
      expect(await remaining(issued.subkey.id)).toBe(2);
      const shared = client((await issue({ ...batchPermissions(), shareProjectObjects: true })).secret);
      await expect(shared.batches.create({ input_file_id: four, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 403, code: 'batch_input_not_allowed' });
    });

    it('records a streamed response as its creator’s, and keeps ownership after the creator is removed', async () => {
      respondWithObjects();
      const issuedA = await issue(undefined);
      const a = client(issuedA.secret);
      const b = client((await issue(undefined)).secret);
      let id = '';
      for await (const event of await a.responses.create({ model: 'gpt-4o', input: 'hi', stream: true })) if (event.type === 'response.created') id = event.response.id;
      expect(id).toMatch(/^resp_/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await send(a, 'GET', `/v1/responses/${id}`)).status).toBe(200);
      await expect(b.responses.retrieve(id)).rejects.toMatchObject({ status: 404, code: 'object_not_found' });
      const fileA = (await upload(a)).id;
      await target.call('subkeys:remove', { id: issuedA.subkey.id });
      await expect(b.files.retrieve(fileA)).rejects.toMatchObject({ status: 404, code: 'object_not_found' });
      // A key issued later is not the removed one: the object stays owned by the old id.
      const later = client((await issue(undefined)).secret);
      await expect(later.files.retrieve(fileA)).rejects.toMatchObject({ status: 404, code: 'object_not_found' });
    });
  });

  it('refuses malformed permissions field by field, creating nothing', async () => {
    const before = (await target.call<Subkey[]>('subkeys:list')).length;
    for (const permissions of [{ mode: 'some' }, { mode: 'restricted', groups: { billing: 'write' } }, { mode: 'restricted', groups: { files: 'admin' } }, { mode: 'all', mintCredentials: 'yes' }]) {
      await expect(issue(permissions as unknown as Permissions), JSON.stringify(permissions)).rejects.toThrow(/permissions/);
    }
    expect(await target.call<Subkey[]>('subkeys:list')).toHaveLength(before);
  });
});
