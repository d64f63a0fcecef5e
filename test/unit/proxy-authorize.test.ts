import { describe, expect, it } from 'vitest';
import { authorize, requestedModel, type ModelClaims } from '../../electron/core/proxy/authorize';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import type { SubkeyState } from '../../electron/core/proxy/key-cache';
import { ProxyError } from '../../electron/core/proxy/proxy-error';
import { unrestrictedPermissions } from '../../electron/shared/permissions';

const table = new EndpointTable();

function subkey(allowModels: string[] = [], denyModels: string[] = []): SubkeyState {
  return { id: 'k', hash: 'h', upstreamId: 'u', enabled: true, expiresAt: null, remaining: null, policy: { allowModels, denyModels }, restricted: allowModels.length + denyModels.length > 0, permissions: unrestrictedPermissions(), quotaEpoch: 0, budgets: [] };
}

function claims(method: string, path: string, rest: Partial<ModelClaims> = {}): ModelClaims {
  // The bytes of a JSON body are its value serialised, unless a test hands in its own.
  const jsonBytes = rest.json === undefined ? null : Buffer.from(JSON.stringify(rest.json));
  return { method, endpoint: table.match(method, path), bodyKind: 'none', json: undefined, jsonBytes, formModel: null, queryModel: null, ...rest };
}

/** Claims for a hand-written JSON body, parsed the way the proxy parses it. */
function rawJson(method: string, path: string, text: string): ModelClaims {
  return claims(method, path, { bodyKind: 'json', json: JSON.parse(text), jsonBytes: Buffer.from(text) });
}

function refusal(run: () => unknown): { status: number; code: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof ProxyError) return { status: error.status, code: error.code };
    throw error;
  }
}

describe('authorize', () => {
  it('lets an unrestricted key through and reports the named model', () => {
    expect(authorize(subkey(), claims('POST', '/batches', { bodyKind: 'json', json: {} }))).toBeNull();
    expect(authorize(subkey(), claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: 'x' } }))).toBe('x');
  });

  it('applies allow and deny patterns with deny winning', () => {
    const key = subkey(['gpt-4o*'], ['gpt-4o-audio*']);
    const chat = (model: string) => () => authorize(key, claims('POST', '/chat/completions', { bodyKind: 'json', json: { model } }));
    expect(refusal(chat('gpt-4o-mini'))).toBeNull();
    expect(refusal(chat('gpt-4o-audio-preview'))).toEqual({ status: 403, code: 'model_not_allowed' });
    expect(refusal(chat('o3'))).toEqual({ status: 403, code: 'model_not_allowed' });
  });

  it('refuses when a restricted key names no model where one is needed', () => {
    const key = subkey(['gpt-4o']);
    expect(refusal(() => authorize(key, claims('POST', '/chat/completions', { bodyKind: 'json', json: {} })))).toEqual({ status: 403, code: 'model_required' });
    expect(refusal(() => authorize(key, claims('POST', '/audio/transcriptions', { bodyKind: 'form' })))).toEqual({ status: 403, code: 'model_required' });
    expect(refusal(() => authorize(key, claims('POST', '/chat/completions', { bodyKind: 'raw' })))).toEqual({ status: 403, code: 'model_required' });
    expect(refusal(() => authorize(key, claims('GET', '/files')))).toBeNull();
  });

  it('hides forbidden models behind 404 on /models/{model}', () => {
    expect(refusal(() => authorize(subkey(['gpt-4o']), claims('GET', '/models/dall-e-3')))).toEqual({ status: 404, code: 'model_not_found' });
    expect(authorize(subkey(['gpt-4o']), claims('GET', '/models/gpt-4o'))).toBe('gpt-4o');
  });

  it('checks nested model members and refuses indirect endpoints for restricted keys', () => {
    const key = subkey(['gpt-4o']);
    const nested = { model: 'gpt-4o', tools: [{ type: 'image_generation', model: 'gpt-image-1' }] };
    expect(refusal(() => authorize(key, claims('POST', '/responses', { bodyKind: 'json', json: nested })))).toEqual({ status: 403, code: 'model_not_allowed' });
    expect(refusal(() => authorize(key, claims('POST', '/batches', { bodyKind: 'json', json: {} })))).toEqual({ status: 403, code: 'endpoint_not_allowed' });
  });

  it('reads models only where the spec puts them: metadata.model is not a model', () => {
    const key = subkey(['gpt-4o-mini']);
    const body = { model: 'gpt-4o-mini', input: 'x', metadata: { model: 'router-v2' }, text: { format: { type: 'json_schema', schema: { properties: { model: { type: 'string' } } } } } };
    expect(authorize(key, claims('POST', '/responses', { bodyKind: 'json', json: body }))).toBe('gpt-4o-mini');
    expect(authorize(key, claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: 'gpt-4o-mini', messages: [], metadata: { model: 'x' } } }))).toBe('gpt-4o-mini');
  });

  it('reads every nested place of the endpoint, through arrays at any depth', () => {
    const key = subkey(['gpt-4o', 'gpt-image-1']);
    let tools: unknown = [{ type: 'image_generation', model: 'dall-e-3' }];
    for (let depth = 0; depth < 40; depth++) tools = [tools];
    expect(refusal(() => authorize(key, claims('POST', '/responses', { bodyKind: 'json', json: { model: 'gpt-4o', tools } })))).toEqual({ status: 403, code: 'model_not_allowed' });
    // One object where the spec says a list (and the reverse) is read too.
    expect(refusal(() => authorize(key, claims('POST', '/responses', { bodyKind: 'json', json: { model: 'gpt-4o', tools: { type: 'image_generation', model: 'dall-e-3' } } })))).toEqual({ status: 403, code: 'model_not_allowed' });
    const moderation = { model: 'gpt-4o', messages: [], moderation: { model: 'omni-moderation-latest' } };
    expect(refusal(() => authorize(key, claims('POST', '/chat/completions', { bodyKind: 'json', json: moderation })))).toEqual({ status: 403, code: 'model_not_allowed' });
    const accept = { type: 'realtime', model: 'gpt-4o', audio: { input: { transcription: { model: 'whisper-1' } } } };
    expect(refusal(() => authorize(key, claims('POST', '/realtime/calls/c1/accept', { bodyKind: 'json', json: accept })))).toEqual({ status: 403, code: 'model_not_allowed' });
    const items = { items: [{ type: 'tool_search_output', tools: [{ type: 'image_generation', model: 'dall-e-3' }] }] };
    expect(refusal(() => authorize(key, claims('POST', '/conversations', { bodyKind: 'json', json: items })))).toEqual({ status: 403, code: 'model_not_allowed' });
  });

  it('refuses a model that is not a string with 400 invalid_model, and takes null for absent', () => {
    const open = subkey();
    for (const model of [42, true, ['gpt-4o'], { id: 'gpt-4o' }]) {
      expect(refusal(() => authorize(open, claims('POST', '/chat/completions', { bodyKind: 'json', json: { model } }))), JSON.stringify(model)).toEqual({ status: 400, code: 'invalid_model' });
    }
    expect(refusal(() => authorize(open, claims('POST', '/responses', { bodyKind: 'json', json: { model: 'gpt-4o', tools: [{ type: 'image_generation', model: 7 }] } })))).toEqual({ status: 400, code: 'invalid_model' });
    expect(authorize(open, claims('POST', '/responses', { bodyKind: 'json', json: { model: 'gpt-4o', tools: [{ type: 'image_generation', model: null }] } }))).toBe('gpt-4o');
    expect(refusal(() => authorize(subkey(['gpt-4o']), claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: null } })))).toEqual({ status: 403, code: 'model_required' });
  });

  it('refuses padded, control-character and over-long names wherever they are, for every key', () => {
    const open = subkey();
    const bad = [' gpt-4o', 'gpt-4o\n', 'gpt-4o\u0000', 'x'.repeat(257), ''];
    for (const model of bad) {
      const label = JSON.stringify(model.slice(0, 10));
      expect(refusal(() => authorize(open, claims('POST', '/chat/completions', { bodyKind: 'json', json: { model } }))), label).toEqual({ status: 400, code: 'invalid_model' });
      expect(refusal(() => authorize(open, claims('POST', '/audio/transcriptions', { bodyKind: 'form', formModel: model }))), label).toEqual({ status: 400, code: 'invalid_model' });
      expect(refusal(() => authorize(open, claims('GET', '/chat/completions', { queryModel: model }))), label).toEqual({ status: 400, code: 'invalid_model' });
      expect(refusal(() => authorize(open, claims('POST', '/responses', { bodyKind: 'json', json: { model: 'gpt-4o', tools: [{ type: 'image_generation', model }] } }))), label).toEqual({ status: 400, code: 'invalid_model' });
    }
    expect(refusal(() => authorize(open, claims('GET', '/models/ gpt-4o')))).toEqual({ status: 400, code: 'invalid_model' });
  });

  it('refuses a model member given twice, or spelled so that another reader would take it, as ambiguous', () => {
    const open = subkey();
    const ambiguous = [
      '{"model":"gpt-4o-mini","model":"gpt-4o"}',
      '{"model":"gpt-4o-mini","mod\\u0065l":"gpt-4o"}',
      '{"m\\u006fdel":"gpt-4o","model":"gpt-4o-mini"}',
      '{"model":"gpt-4o-mini","Model":"gpt-4o"}',
      '{"MODEL":"gpt-4o"}',
      '{"model":"gpt-4o-mini","model\\u0000":"gpt-4o"}',
      '{"model":"gpt-4o","input":"x","tools":[{"type":"image_generation","model":"gpt-image-1","model":"dall-e-3"}]}',
      '{"model":"gpt-4o","input":"x","tools":[{"type":"image_generation","model":"gpt-image-1"}],"tools":[]}',
      '{"model":"gpt-4o","input":"x","tools":[{"type":"image_generation","Model":"dall-e-3"}]}',
    ];
    for (const text of ambiguous) {
      const path = text.includes('"tools"') ? '/responses' : '/chat/completions';
      expect(refusal(() => authorize(open, rawJson('POST', path, text))), text).toEqual({ status: 400, code: 'ambiguous_request' });
    }
    // Repeats elsewhere are not ambiguous about the model, and an escape alone is not a repeat.
    for (const text of ['{"model":"gpt-4o","metadata":{"model":"a","model":"b"},"messages":[]}', '{"model":"gpt-4o","messages":[],"user":"a","user":"b"}', '{"model":"gpt-4o","messages":[{"role":"user","content":"\\u0065 model"}]}', '{"model":"gpt-4o","messages":[{"role":"user","content":"model"}]}']) {
      expect(refusal(() => authorize(open, rawJson('POST', '/chat/completions', text))), text).toBeNull();
    }
  });

  it('compares names case-insensitively and denies other spellings of a denied model', () => {
    const key = subkey([], ['gpt-4o']);
    const chat = (model: string) => () => authorize(key, claims('POST', '/chat/completions', { bodyKind: 'json', json: { model } }));
    for (const model of ['GPT-4o', 'openai/gpt-4o', 'gpt-4o:latest', 'gpt-4o-2024-08-06']) expect(refusal(chat(model)), model).toEqual({ status: 403, code: 'model_not_allowed' });
    expect(refusal(chat('gpt-4o-mini'))).toBeNull();
    expect(refusal(() => authorize(subkey(['gpt-4o-mini']), claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: 'GPT-4o-Mini' } })))).toBeNull();
  });

  it('names the requested model for the usage row, at most 256 characters', () => {
    expect(requestedModel(claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: 'gpt-4o' } }))).toBe('gpt-4o');
    expect(requestedModel(claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: 'x'.repeat(5000) } }))).toBe('x'.repeat(256));
    expect(requestedModel(claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: `${'x'.repeat(255)}😀` } }))).toBe('x'.repeat(255));
    expect(requestedModel(claims('POST', '/audio/transcriptions', { bodyKind: 'form', formModel: 'whisper-1' }))).toBe('whisper-1');
    expect(requestedModel(claims('GET', '/models/gpt-4o'))).toBe('gpt-4o');
    expect(requestedModel(claims('POST', '/chat/completions', { bodyKind: 'json', json: { model: 3 } }))).toBeNull();
  });
});
