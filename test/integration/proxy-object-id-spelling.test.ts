import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unrestrictedPermissions } from '../../electron/shared/permissions';
import { startProxyHarness, type ProxyHarness, type RawAnswer } from '../helpers/proxy-harness';
import { openSocket, type TestSocket } from '../helpers/ws-client';

/**
 * An object-id member spelled loosely (`Previous_Response_Id`) or given twice could pass the ownership check unread,
 * and an upstream that folds case or keeps the first of two members would then use another key's object. Each such
 * body is refused as the model reader refuses the same trick on `model` (400 `ambiguous_request`), never forwarded.
 */
let h: ProxyHarness;
/** Owned by key A (the one the tests send with), and by key B (another key of the same project). */
const mine = { response: '', file: '', vectorStore: '', container: '' };
const foreign = { response: '', file: '', vectorStore: '' };
let a: { id: string; secret: string };

beforeAll(async () => {
  h = await startProxyHarness();
  let counter = 0;
  h.upstream.respond = (request, response) => {
    const prefixes: Record<string, string> = { '/v1/responses': 'resp_', '/v1/files': 'file-', '/v1/vector_stores': 'vs_', '/v1/containers': 'cntr_' };
    const prefix = request.method === 'POST' ? prefixes[request.url] : undefined;
    if (!prefix) return false;
    const body = JSON.stringify({ id: `${prefix}${++counter}`, object: 'made' });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
  a = h.subkey({ permissions: unrestrictedPermissions() });
  const b = h.subkey({ permissions: unrestrictedPermissions() });
  const make = async (secret: string, path: string, body: object): Promise<string> => {
    const answer = await h.raw('POST', path, { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, JSON.stringify(body));
    return (JSON.parse(answer.body) as { id: string }).id;
  };
  const upload = async (secret: string): Promise<string> => {
    const form = multipart([['purpose', 'assistants'], ['file', '{}', 'a.jsonl']]);
    const answer = await h.raw('POST', '/v1/files', { authorization: `Bearer ${secret}`, 'content-type': form.type }, form.body);
    return (JSON.parse(answer.body) as { id: string }).id;
  };
  mine.response = await make(a.secret, '/v1/responses', { model: 'gpt-4o', input: 'hi' });
  mine.file = await upload(a.secret);
  mine.vectorStore = await make(a.secret, '/v1/vector_stores', {});
  mine.container = await make(a.secret, '/v1/containers', { name: 'c' });
  foreign.response = await make(b.secret, '/v1/responses', { model: 'gpt-4o', input: 'hi' });
  foreign.file = await upload(b.secret);
  foreign.vectorStore = await make(b.secret, '/v1/vector_stores', {});
  await h.settled(30);
  expect(Object.values({ ...mine, ...foreign }).every((id) => /^(resp_|file-|vs_|cntr_)\d+$/.test(id))).toBe(true);
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.upstream.requests.length = 0;
});

/** A multipart body of `[name, value]` fields and `[name, content, filename]` file parts. */
function multipart(parts: ([string, string] | [string, string, string])[]): { type: string; body: Buffer } {
  const boundary = 'keygate-test-boundary';
  const text = parts
    .map(([name, value, filename]) =>
      filename === undefined
        ? `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
        : `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${filename}"\r\ncontent-type: application/octet-stream\r\n\r\n${value}\r\n`,
    )
    .join('');
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(`${text}--${boundary}--\r\n`) };
}

function refusal(answer: RawAnswer): { status: number; code: string | null } {
  return { status: answer.status, code: answer.status === 200 ? null : (JSON.parse(answer.body) as { error: { code: string } }).error.code };
}

const postJson = async (path: string, text: string) => refusal(await h.raw('POST', path, { authorization: `Bearer ${a.secret}`, 'content-type': 'application/json' }, text));

describe('object ids in a JSON body are read one way', () => {
  it('refuses an id member spelled another way than OpenAI spells it, at the top and nested, never forwarding', async () => {
    const bodies = [
      `{"model":"gpt-4o","input":"hi","Previous_Response_Id":"${foreign.response}"}`,
      `{"model":"gpt-4o","input":"hi","PREVIOUS_RESPONSE_ID":"${foreign.response}"}`,
      `{"model":"gpt-4o","input":"hi","previousResponseId":"${foreign.response}"}`,
      `{"model":"gpt-4o","input":"hi","previous-response-id":"${foreign.response}"}`,
      `{"model":"gpt-4o","input":"hi","Previous\\u005fResponse_Id":"${foreign.response}"}`,
      `{"model":"gpt-4o","input":"hi","Conversation":"conv_elsewhere"}`,
      `{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_file","File_Id":"${foreign.file}"}]}]}`,
      `{"model":"gpt-4o","input":"hi","tools":[{"type":"file_search","Vector_Store_Ids":["${foreign.vectorStore}"]}]}`,
      `{"model":"gpt-4o","input":"hi","tools":[{"type":"file_search","vectorStoreIds":["${foreign.vectorStore}"]}]}`,
      // A member on the way to an id counts too: `Tools` would hide `tools[].vector_store_ids` from the reader.
      `{"model":"gpt-4o","input":"hi","Tools":[{"type":"file_search","vector_store_ids":["${foreign.vectorStore}"]}]}`,
    ];
    for (const body of bodies) expect(await postJson('/v1/responses', body), body).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(await postJson('/v1/vector_stores', `{"File_Ids":["${foreign.file}"]}`)).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(await postJson(`/v1/containers/${mine.container}/files`, `{"FILE_ID":"${foreign.file}"}`)).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses an id member (or one on the way to it) given twice in one object, nested too', async () => {
    const bodies = [
      `{"model":"gpt-4o","input":"hi","previous_response_id":"${foreign.response}","previous_response_id":"${mine.response}"}`,
      `{"model":"gpt-4o","input":"hi","tools":[{"type":"file_search","vector_store_ids":["${foreign.vectorStore}"],"vector_store_ids":["${mine.vectorStore}"]}]}`,
      `{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_file","file_id":"${foreign.file}","file_id":"${mine.file}"}]}]}`,
      `{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_file","file_id":"${foreign.file}"}]}],"input":"hi"}`,
    ];
    for (const body of bodies) expect(await postJson('/v1/responses', body), body).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses a member on the way to an id or model given twice in one object, whose hidden copy spells the id or model loosely', async () => {
    // JSON.parse keeps the last `tools`; an upstream keeping the first and reading case-insensitively would use the
    // other key's vector store (or file, or a model never checked).
    const bodies: [string, string][] = [
      ['/v1/responses', `{"model":"gpt-4o","input":"hi","tools":[{"type":"file_search","Vector_Store_Ids":["${foreign.vectorStore}"]}],"tools":[]}`],
      ['/v1/responses', `{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_file","File_Id":"${foreign.file}"}]}],"input":"hi"}`],
      ['/v1/responses', `{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_file","FILE_ID":"${foreign.file}"}],"content":"hi"}]}`],
      ['/v1/responses', `{"model":"gpt-4o","input":"hi","tools":[{"type":"image_generation","Model":"gpt-image-1"}],"tools":[]}`],
    ];
    for (const [path, body] of bodies) expect(await postJson(path, body), body).toEqual({ status: 400, code: 'ambiguous_request' });
    // A nested model place: a session's transcription model, for a key that may mint sessions.
    const minter = h.subkey({ permissions: { ...unrestrictedPermissions(), mintCredentials: true } });
    const session = '{"model":"gpt-4o-realtime-preview","input_audio_transcription":{"Model":"whisper-1"},"input_audio_transcription":{"language":"en"}}';
    const headers = { authorization: `Bearer ${minter.secret}`, 'content-type': 'application/json' };
    expect(refusal(await h.raw('POST', '/v1/realtime/sessions', headers, session))).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('forwards the key’s own ids spelled as OpenAI spells them, and members that only look alike elsewhere', async () => {
    const body = {
      model: 'gpt-4o',
      previous_response_id: mine.response,
      input: [{ role: 'user', content: [{ type: 'input_file', file_id: mine.file }] }],
      tools: [{ type: 'file_search', vector_store_ids: [mine.vectorStore] }],
      // Not an id place: the caller's own strings and Codex's keys are never read.
      metadata: { Previous_Response_Id: foreign.response, FILE_ID: foreign.file },
      prompt_cache_key: 'x',
    };
    expect(await postJson('/v1/responses', JSON.stringify(body))).toEqual({ status: 200, code: null });
    expect(JSON.parse(h.upstream.requests[0]!.body.toString('utf8'))).toEqual(body);
  });
});

describe('object ids in a multipart body are read one way', () => {
  const postForm = async (path: string, parts: ([string, string] | [string, string, string])[]) => {
    const form = multipart(parts);
    return refusal(await h.raw('POST', path, { authorization: `Bearer ${a.secret}`, 'content-type': form.type }, form.body));
  };

  it('checks a form’s id field as a JSON body’s: another key’s file is not found, a loose spelling or a repeat is ambiguous', async () => {
    const files = `/v1/containers/${mine.container}/files`;
    expect(await postForm(files, [['file_id', foreign.file]])).toEqual({ status: 404, code: 'object_not_found' });
    // A `model` field ends the part of the form read before forwarding: an id after it is still checked.
    expect(await postForm(files, [['model', 'gpt-4o'], ['file_id', foreign.file]])).toEqual({ status: 404, code: 'object_not_found' });
    expect(await postForm(files, [['File_Id', foreign.file]])).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(await postForm(files, [['FILE-ID', foreign.file]])).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(await postForm(files, [['file_id', mine.file], ['file_id', foreign.file]])).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(await postForm(files, [['model', 'gpt-4o'], ['file_id', mine.file], ['File_Id', foreign.file]])).toEqual({ status: 400, code: 'ambiguous_request' });
    // Bracketed names, as OpenAI's SDKs write nested members of a form: `mask[file_id]` names a file too.
    expect(await postForm('/v1/images/edits', [['model', 'gpt-image-1'], ['prompt', 'p'], ['mask[file_id]', foreign.file]])).toEqual({ status: 404, code: 'object_not_found' });
    expect(await postForm('/v1/images/edits', [['model', 'gpt-image-1'], ['prompt', 'p'], ['mask[File_Id]', foreign.file]])).toEqual({ status: 400, code: 'ambiguous_request' });
    expect(h.upstream.requests).toHaveLength(0);

    expect(await postForm(files, [['file_id', mine.file]])).toEqual({ status: 200, code: null });
    expect(await postForm('/v1/images/edits', [['model', 'gpt-image-1'], ['prompt', 'p'], ['mask[file_id]', mine.file]])).toEqual({ status: 200, code: null });
    expect(h.upstream.requests).toHaveLength(2);
  });
});

describe('object ids in a WebSocket response.create are read one way', () => {
  const errors = (client: TestSocket) => client.events.filter((event) => event.type === 'error').map((event) => [event.status, (event.error as { code: string }).code]);

  it('answers an error event for a loosely spelled or repeated id member and relays nothing', async () => {
    const upgrade = h.upstream.sockets.nextUpgrade();
    const client = await openSocket(h.running.port, '/v1/responses', { headers: { authorization: `Bearer ${a.secret}` } });
    const upstream = await upgrade;
    try {
      const frames = [
        `{"type":"response.create","model":"gpt-4o","input":"hi","Previous_Response_Id":"${foreign.response}"}`,
        `{"type":"response.create","model":"gpt-4o","input":"hi","previousResponseId":"${foreign.response}"}`,
        `{"type":"response.create","model":"gpt-4o","input":"hi","tools":[{"type":"file_search","Vector_Store_Ids":["${foreign.vectorStore}"]}]}`,
        `{"type":"response.create","model":"gpt-4o","input":"hi","previous_response_id":"${foreign.response}","previous_response_id":"${mine.response}"}`,
      ];
      for (const frame of frames) client.socket.send(frame);
      await expect.poll(() => errors(client)).toEqual(frames.map(() => [400, 'ambiguous_request']));
      expect(upstream.events).toHaveLength(0);

      client.send({ type: 'response.create', model: 'gpt-4o', input: 'hi', previous_response_id: mine.response });
      await client.nextEvent((event) => event.type === 'response.completed');
      expect(upstream.events).toHaveLength(1);
    } finally {
      client.socket.close();
    }
  });
});
