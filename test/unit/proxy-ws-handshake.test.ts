import { describe, expect, it } from 'vitest';
import { errorEvent, peekEventType, readClientEvent } from '../../electron/core/proxy/ws-events';
import { proxyErrors } from '../../electron/core/proxy/proxy-error';
import { checkHandshake, isAllowedOrigin, splitProtocols, upstreamSocketHeaders, upstreamSocketUrl } from '../../electron/core/proxy/ws-handshake';

describe('splitProtocols', () => {
  it('takes the sub-key out of the browser subprotocol and drops account selectors', () => {
    expect(splitProtocols('realtime, openai-insecure-api-key.sk-kg-abc, openai-beta.realtime-v1, openai-project.proj_1')).toEqual({
      secret: 'sk-kg-abc',
      forwarded: ['realtime', 'openai-beta.realtime-v1'],
      offered: ['realtime', 'openai-insecure-api-key.sk-kg-abc', 'openai-beta.realtime-v1', 'openai-project.proj_1'],
    });
    expect(splitProtocols(undefined)).toEqual({ secret: null, forwarded: [], offered: [] });
  });

  it('refuses two different keys', () => {
    expect(() => splitProtocols('openai-insecure-api-key.one, openai-insecure-api-key.two')).toThrow(expect.objectContaining({ status: 401 }));
  });

  it('refuses a protocol offered twice or one that is not a token (the upstream library would throw on it)', () => {
    for (const header of ['realtime, realtime', 'real time', 'realtime, a"b', 'x/y']) {
      expect(() => splitProtocols(header)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_websocket_handshake' }));
    }
  });
});

describe('isAllowedOrigin', () => {
  it('allows no Origin, loopback origins, the origin the request was addressed to and the app', () => {
    for (const origin of [undefined, 'http://localhost:5173', 'https://127.0.0.2', 'http://[::1]:3000', 'app://keygate']) expect(isAllowedOrigin(origin, '127.0.0.1:8080')).toBe(true);
    expect(isAllowedOrigin('http://keygate.lan:8080', 'keygate.lan:8080')).toBe(true);
  });

  it('refuses other sites, null and non-web schemes', () => {
    for (const origin of ['https://evil.example', 'null', 'file://', 'chrome-extension://abc', 'http://localhost.evil.example', 'http://keygate.lan:9090']) {
      expect(isAllowedOrigin(origin, 'keygate.lan:8080')).toBe(false);
    }
  });
});

describe('the upstream handshake', () => {
  it('maps http(s) to ws(s) under the base path', () => {
    expect(upstreamSocketUrl('https://api.openai.com', '', '/v1/realtime', 'model=gpt-4o')).toBe('wss://api.openai.com/v1/realtime?model=gpt-4o');
    expect(upstreamSocketUrl('http://127.0.0.1:1234', '/api', '/v1/responses', '')).toBe('ws://127.0.0.1:1234/api/v1/responses');
  });

  it('sends the real key and none of the client credentials or handshake headers', () => {
    const headers = upstreamSocketHeaders(
      ['Host', 'x', 'Authorization', 'Bearer sk-kg-sub', 'X-Api-Key', 'sk-kg-sub', 'Sec-WebSocket-Key', 'k', 'Sec-WebSocket-Protocol', 'openai-insecure-api-key.sk-kg-sub', 'Origin', 'http://localhost', 'OpenAI-Beta', 'realtime=v1', 'Upgrade', 'websocket', 'Connection', 'Upgrade'],
      'Bearer sk-real',
    );
    expect(headers).toEqual({ 'openai-beta': 'realtime=v1', authorization: 'Bearer sk-real' });
  });

  it('checks the handshake before anything is opened upstream', () => {
    const good = { 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    expect(() => checkHandshake('GET', good)).not.toThrow();
    expect(() => checkHandshake('POST', good)).toThrow(/GET/);
    expect(() => checkHandshake('GET', { ...good, 'sec-websocket-version': '8' })).toThrow(/13/);
    expect(() => checkHandshake('GET', { ...good, 'sec-websocket-key': 'short' })).toThrow(/Key/);
  });
});

describe('events', () => {
  it('reads JSON object text frames with a type, and refuses everything else', () => {
    expect(readClientEvent(Buffer.from('{"type":"response.create","event_id":"e1"}'), false)).toMatchObject({ type: 'response.create', eventId: 'e1', value: { type: 'response.create', event_id: 'e1' } });
    for (const [data, binary] of [['{"type":"x"}', true], ['nope', false], ['[]', false], ['{"type":1}', false], ['null', false]] as const) {
      expect(() => readClientEvent(Buffer.from(data), binary)).toThrow(expect.objectContaining({ code: 'invalid_event' }));
    }
  });

  it("writes refusals in the Realtime error event's shape", () => {
    const event = JSON.parse(errorEvent(proxyErrors.modelForbidden('o3'), 'evt_1')) as Record<string, unknown>;
    expect(event).toEqual({
      type: 'error',
      event_id: expect.stringMatching(/^event_kg_/),
      status: 403,
      error: { type: 'permission_error', code: 'model_not_allowed', message: 'This sub-key may not use the model "o3".', param: 'model', event_id: 'evt_1' },
    });
  });

  it('peeks a server event type only when it is the first member', () => {
    expect(peekEventType(Buffer.from('{"type":"response.output_audio.delta","delta":"AAAA"}'))).toBe('response.output_audio.delta');
    expect(peekEventType(Buffer.from('{"event_id":"e","type":"response.done"}'))).toBeNull();
    expect(peekEventType(Buffer.from('{"type":"a\\"b"}'))).toBeNull();
  });
});
