import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { usageRows } from '../helpers/proxy-fixtures';
import { UPSTREAM_KEY } from '../helpers/proxy-harness';
import { useProxyHarness } from '../helpers/proxy-harness-per-file';
import { sendRawLines } from '../helpers/raw-socket';

const h = useProxyHarness();

function codeOf(answer: { body: string }): string {
  expect(answer.body).not.toContain(UPSTREAM_KEY);
  return (JSON.parse(answer.body) as { error: { code: string } }).error.code;
}

const json = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}`, 'content-type': 'application/json' });
const messages = [{ role: 'user' as const, content: 'hi' }];

describe('one reading of the request, the same as upstream’s', () => {
  it('refuses a JSON body that gives its model twice (also spelled with escapes) with 400 ambiguous_request', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o-mini'] });
    const bodies = [
      '{"model":"gpt-4o","model":"gpt-4o-mini","messages":[]}',
      '{"model":"gpt-4o-mini","model":"gpt-4o","messages":[]}',
      '{"model":"gpt-4o-mini","mod\\u0065l":"gpt-4o","messages":[]}',
      '{"model":"gpt-4o-mini","Model":"gpt-4o","messages":[]}',
    ];
    for (const body of bodies) {
      const answer = await h.raw('POST', '/v1/chat/completions', json(secret), body);
      expect(answer.status, body).toBe(400);
      expect(codeOf(answer)).toBe('ambiguous_request');
    }
    const tools = '{"model":"gpt-4o-mini","input":"x","tools":[{"type":"image_generation","model":"gpt-4o-mini","model":"gpt-image-1"}]}';
    const nested = await h.raw('POST', '/v1/responses', json(secret), tools);
    expect(codeOf(nested)).toBe('ambiguous_request');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('forwards, byte for byte, a body whose repeated members are not about the model', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o-mini'] });
    const body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"model \\u0065"}],"metadata":{"model":"a","model":"b"}}';
    const answer = await h.raw('POST', '/v1/chat/completions', json(secret), body);
    expect(answer.status).toBe(200);
    expect(h.upstream.requests[0]!.body.toString()).toBe(body);
  });

  it('refuses two Content-Type headers, in either order', async () => {
    const { secret } = h.subkey();
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages });
    for (const types of [['application/json', 'text/plain'], ['text/plain', 'application/json']]) {
      const answer = await sendRawLines(
        h.running.port,
        ['POST /v1/chat/completions HTTP/1.1', `Host: 127.0.0.1:${h.running.port}`, `Authorization: Bearer ${secret}`, ...types.map((type) => `Content-Type: ${type}`), `Content-Length: ${Buffer.byteLength(body)}`],
        body,
      );
      expect(answer.status, types.join(' then ')).toBe(400);
      expect(codeOf(answer)).toBe('ambiguous_request');
    }
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses a multipart body whose Content-Type has two boundaries', async () => {
    const { secret } = h.subkey();
    const body = ['--AAA', 'Content-Disposition: form-data; name="model"', '', 'whisper-1', '--AAA', 'Content-Disposition: form-data; name="file"; filename="a.mp3"', '', 'abc', '--AAA--', ''].join('\r\n');
    for (const type of ['multipart/form-data; boundary=AAA; boundary=BBB', 'multipart/form-data; boundary=BBB; Boundary="AAA"', 'multipart/form-data; boundary=AAA; boundary*=utf-8\'\'BBB']) {
      const answer = await h.raw('POST', '/v1/audio/transcriptions', { authorization: `Bearer ${secret}`, 'content-type': type }, body);
      expect(answer.status, type).toBe(400);
      expect(codeOf(answer)).toBe('ambiguous_request');
    }
    expect(h.upstream.requests).toHaveLength(0);
    const single = await h.raw('POST', '/v1/audio/transcriptions', { authorization: `Bearer ${secret}`, 'content-type': 'multipart/form-data; boundary=AAA' }, body);
    expect(single.status).toBe(200);
  });

  it('refuses two Host headers', async () => {
    const { secret } = h.subkey();
    for (const hosts of [[`127.0.0.1:${h.running.port}`, 'evil.example.com'], [`127.0.0.1:${h.running.port}`, `localhost:${h.running.port}`]]) {
      const answer = await sendRawLines(h.running.port, ['GET /v1/models HTTP/1.1', ...hosts.map((host) => `Host: ${host}`), `Authorization: Bearer ${secret}`]);
      expect(answer.status, hosts.join(', ')).toBe(400);
      expect(codeOf(answer)).toBe('ambiguous_request');
    }
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('models are read only where the spec puts them', () => {
  it('forwards a restricted key’s request whose metadata has a "model" member', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o-mini'] });
    const completion = await h.client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages, metadata: { model: 'router-v2' } });
    expect(completion.model).toBe('gpt-4o-mini');
    await h.client(secret).responses.create({ model: 'gpt-4o-mini', input: 'hi', metadata: { model: 'router-v2' } });
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('checks a nested model at any depth, through the SDK and through arrays deeper than 32 levels', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o-mini', 'gpt-image-1'] });
    const viaSdk = await h
      .client(secret)
      .responses.create({ model: 'gpt-4o-mini', input: 'draw', tools: [{ type: 'image_generation', model: 'dall-e-3' as 'gpt-image-1' }] })
      .catch((error: unknown) => error);
    expect(viaSdk).toMatchObject({ status: 403, code: 'model_not_allowed' });
    let tools: unknown = [{ type: 'image_generation', model: 'dall-e-3' }];
    for (let depth = 0; depth < 40; depth++) tools = [tools];
    const deep = await h.raw('POST', '/v1/responses', json(secret), JSON.stringify({ model: 'gpt-4o-mini', input: 'draw', tools }));
    expect(deep.status).toBe(403);
    expect(codeOf(deep)).toBe('model_not_allowed');
    const session = { model: 'gpt-4o-mini', audio: { input: { transcription: { model: 'whisper-1' } } } };
    const accept = await h.raw('POST', '/v1/realtime/calls/rtc_1/accept', json(secret), JSON.stringify({ type: 'realtime', ...session }));
    expect(codeOf(accept)).toBe('model_not_allowed');
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe('model names compared as a person means them', () => {
  it('refuses padded, control-character and over-long names with 400 invalid_model, wherever they are', async () => {
    const { secret } = h.subkey();
    const client = h.client(secret);
    for (const model of [' gpt-4o', 'gpt-4o ', 'gpt-4o\n', 'gpt-4o\u0000', 'gpt\u0000-4o', 'gpt-4o\u200b', 'x'.repeat(257)]) {
      await expect(client.chat.completions.create({ model, messages }), JSON.stringify(model.slice(0, 12))).rejects.toMatchObject({ status: 400, code: 'invalid_model' });
    }
    const file = await toFile(Buffer.from('abc'), 'a.mp3');
    await expect(client.audio.transcriptions.create({ file, model: 'whisper-1 ' })).rejects.toMatchObject({ status: 400, code: 'invalid_model' });
    await expect(client.models.retrieve(' gpt-4o')).rejects.toMatchObject({ status: 400, code: 'invalid_model' });
    const query = await h.raw('GET', '/v1/chat/completions?model=gpt-4o%00', json(secret));
    expect(codeOf(query)).toBe('invalid_model');
    const nested = await h.raw('POST', '/v1/responses', json(secret), JSON.stringify({ model: 'gpt-4o', input: 'x', tools: [{ type: 'image_generation', model: 'gpt-image-1\t' }] }));
    expect(codeOf(nested)).toBe('invalid_model');
    const notString = await h.raw('POST', '/v1/chat/completions', json(secret), JSON.stringify({ model: ['gpt-4o'], messages }));
    expect(codeOf(notString)).toBe('invalid_model');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('denies every spelling of a denied gpt-4o, but not gpt-4o-mini', async () => {
    const { secret } = h.subkey({ denyModels: ['gpt-4o'] });
    const client = h.client(secret);
    const spellings = ['GPT-4o', 'Gpt-4O', 'openai/gpt-4o', 'azure/openai/gpt-4o', 'gpt-4o:latest', 'openai/gpt-4o:free', 'gpt-4o-2024-08-06', 'gpt-4o-0513', 'gpt-4o-20240806', 'OpenAI/GPT-4o-2024-11-20:Latest'];
    for (const model of spellings) {
      await expect(client.chat.completions.create({ model, messages }), model).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
    }
    // The SDK sends `openai%2Fgpt-4o`, refused as a path (invalid_path); the literal slash reaches the model check.
    const retrieved = await h.raw('GET', '/v1/models/openai/gpt-4o', { authorization: `Bearer ${secret}` });
    expect(retrieved.status).toBe(404);
    expect(codeOf(retrieved)).toBe('model_not_found');
    expect(h.upstream.requests).toHaveLength(0);
    for (const model of ['gpt-4o-mini', 'openai/gpt-4o-mini', 'gpt-4o-mini-2024-07-18']) await client.chat.completions.create({ model, messages });
    expect(h.upstream.requests).toHaveLength(3);
  });

  it('compares allow entries exactly but case-insensitively', async () => {
    const { secret } = h.subkey({ allowModels: ['gpt-4o-mini'] });
    const completion = await h.client(secret).chat.completions.create({ model: 'GPT-4o-Mini', messages });
    expect(completion.model).toBe('GPT-4o-Mini');
    await expect(h.client(secret).chat.completions.create({ model: 'openai/gpt-4o-mini', messages })).rejects.toMatchObject({ status: 403 });
  });

  it('filters /v1/models by the same rule', async () => {
    const ids = ['gpt-4o', 'GPT-4o-2024-08-06', 'openai/gpt-4o', 'gpt-4o:latest', 'gpt-4o-mini', 'whisper-1'];
    h.upstream.respond = (request, response) => {
      if (request.url !== '/v1/models') return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1, owned_by: 'openai' })) }));
    };
    const { secret } = h.subkey({ denyModels: ['GPT-4o'] });
    const list = await h.client(secret).models.list();
    expect(list.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'whisper-1']);
  });
});

describe('usage rows of refused requests', () => {
  it('record the model that was asked for, at most 256 characters', async () => {
    const { id, secret } = h.subkey({ allowModels: ['gpt-4o-mini'] });
    const client = h.client(secret);
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toMatchObject({ code: 'model_not_allowed' });
    await expect(client.chat.completions.create({ model: `${'y'.repeat(5000)} `, messages })).rejects.toMatchObject({ code: 'invalid_model' });
    await expect(client.chat.completions.create({ model: 'openai/gpt-4o', messages, metadata: { a: 'b' } })).rejects.toMatchObject({ code: 'model_not_allowed' });
    const ambiguous = await h.raw('POST', '/v1/chat/completions', json(secret), '{"model":"gpt-4o-mini","model":"gpt-4o","messages":[]}');
    expect(codeOf(ambiguous)).toBe('ambiguous_request');
    const file = await toFile(Buffer.from('abc'), 'a.mp3');
    await expect(client.audio.transcriptions.create({ file, model: 'whisper-1' })).rejects.toMatchObject({ code: 'model_not_allowed' });
    await expect(client.models.retrieve('dall-e-3')).rejects.toMatchObject({ code: 'model_not_found' });
    expect(h.upstream.requests).toHaveLength(0);
    await h.settled();
    const rows = usageRows(h.db).filter((row) => row.subkey_id === id);
    expect(rows.map((row) => [row.refusal, row.model])).toEqual([
      ['model_not_allowed', 'gpt-4o'],
      ['invalid_model', 'y'.repeat(256)],
      ['model_not_allowed', 'openai/gpt-4o'],
      ['ambiguous_request', 'gpt-4o'],
      ['model_not_allowed', 'whisper-1'],
      ['model_not_found', 'dall-e-3'],
    ]);
  });
});
