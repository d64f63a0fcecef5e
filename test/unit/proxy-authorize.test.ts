import { describe, expect, it } from 'vitest';
import { authorize, type ModelClaims } from '../../electron/core/proxy/authorize';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import type { SubkeyState } from '../../electron/core/proxy/key-cache';
import { ProxyError } from '../../electron/core/proxy/proxy-error';

const table = new EndpointTable();

function subkey(allowModels: string[] = [], denyModels: string[] = []): SubkeyState {
  return { id: 'k', hash: 'h', upstreamId: 'u', enabled: true, expiresAt: null, remaining: null, policy: { allowModels, denyModels }, restricted: allowModels.length + denyModels.length > 0, quotaEpoch: 0 };
}

function claims(method: string, path: string, rest: Partial<ModelClaims> = {}): ModelClaims {
  return { method, endpoint: table.match(method, path), bodyKind: 'none', json: undefined, formModel: null, queryModel: null, ...rest };
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
});
