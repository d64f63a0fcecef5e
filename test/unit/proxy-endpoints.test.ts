import { describe, expect, it } from 'vitest';
import { EndpointTable } from '../../electron/core/proxy/endpoint-table';
import { openAiEndpoints } from '../../electron/core/proxy/openai-endpoints';
import { PERMISSION_GROUPS } from '../../electron/shared/permissions';

const table = new EndpointTable();

describe('endpoint table', () => {
  it('puts every endpoint in one permission group, and only the Admin API in none a key can be given', () => {
    const groups = new Set<string>(PERMISSION_GROUPS);
    for (const endpoint of openAiEndpoints) {
      const label = `${endpoint.method} ${endpoint.path}`;
      const admin = /^\/(organization|projects)\//.test(endpoint.path);
      expect(admin ? endpoint.group === 'admin' : groups.has(endpoint.group), label).toBe(true);
    }
    // Every group a key can be given has endpoints; OpenAI's tags land where its API-keys page puts them.
    for (const group of PERMISSION_GROUPS) expect(openAiEndpoints.some((endpoint) => endpoint.group === group), group).toBe(true);
    expect(table.match('POST', '/threads/t1/runs')?.spec.group).toBe('assistants_threads');
    expect(table.match('POST', '/completions')?.spec.group).toBe('chat_completions');
    expect(table.match('POST', '/responses/input_tokens')?.spec.group).toBe('responses');
    expect(table.match('POST', '/chatkit/sessions')?.spec.group).toBe('chatkit');
    expect(table.match('GET', '/containers/c1/files/f1/content')?.spec.group).toBe('containers');
    expect(table.match('POST', '/realtime/client_secrets')?.spec.group).toBe('realtime');
  });

  it('knows where the model is named on the endpoints that take one', () => {
    expect(table.match('POST', '/chat/completions')?.spec.model).toEqual(['json']);
    expect(table.match('POST', '/audio/transcriptions')?.spec.model).toEqual(['form']);
    expect(table.match('POST', '/images/edits')?.spec.model).toEqual(['form', 'json']);
    expect(table.match('GET', '/chat/completions')?.spec.model).toEqual(['query']);
    expect(table.match('GET', '/files/file-1')?.spec.model).toEqual([]);
  });

  it('takes the model from the path, slashes included', () => {
    expect(table.match('GET', '/models/gpt-4o')?.pathModel).toBe('gpt-4o');
    expect(table.match('GET', '/models/openai/gpt-4o')?.pathModel).toBe('openai/gpt-4o');
    expect(table.match('DELETE', '/models/ft:gpt-4o:acme')?.pathModel).toBe('ft:gpt-4o:acme');
  });

  it('reads canonical paths as they are: no second decoding, no trailing slash, case-sensitive', () => {
    expect(table.match('GET', '/models/a%2541')?.pathModel).toBe('a%2541');
    expect(table.match('GET', '/models/')).toBeNull();
    expect(table.match('GET', '/Batches')).toBeNull();
    expect(table.match('GET', '/batches')?.spec.path).toBe('/batches');
  });

  it('prefers literal segments over placeholders', () => {
    expect(table.match('POST', '/responses/compact')?.spec.path).toBe('/responses/compact');
    expect(table.match('GET', '/responses/resp_1')?.spec.path).toBe('/responses/{response_id}');
  });

  it('marks endpoints that reach models indirectly', () => {
    for (const path of ['/batches', '/realtime/sessions', '/realtime/client_secrets', '/evals/e1/runs']) {
      expect(table.match('POST', path)?.spec.indirect, path).toEqual(expect.any(String));
    }
    expect(table.match('GET', '/batches')?.spec.indirect).toBeUndefined();
  });

  it('answers null for what OpenAI does not have', () => {
    expect(table.match('POST', '/nope')).toBeNull();
    expect(table.match('PATCH', '/chat/completions')).toBeNull();
  });

  it('covers the documented API (one entry per method and path)', () => {
    const keys = openAiEndpoints.map((spec) => `${spec.method} ${spec.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThan(250);
  });
});
