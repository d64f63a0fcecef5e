import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, type Dispatch } from '../../electron/core/dispatch';
import type { Handlers } from '../../electron/shared/contract';
import { AppError } from '../../electron/shared/errors';
import { createIpcHandler, createSenderCheck, type InvokeEvent } from '../../electron/main/ipc-handler';

const SECRET = 'sk-proj-REALUPSTREAMKEY0123456789';

const appEvent: InvokeEvent = { senderFrame: { url: 'app://keygate/index.html#/subkeys', parent: null } };

/** Services standing in for the core: enough channels to show each outcome. */
function fakeHandlers() {
  const created: unknown[] = [];
  const handlers = {
    'subkeys:create': (input: unknown) => {
      created.push(input);
      return { subkey: { id: 'sk_1' }, secret: 'sk-kg-shown-once' };
    },
    'subkeys:remove': () => {
      throw new AppError('NOT_FOUND', 'No sub-key with id sk_missing');
    },
    'upstreams:test': () => {
      const error = new Error(`connect ECONNREFUSED while sending Authorization: Bearer ${SECRET}`);
      throw error;
    },
    'proxy:status': () => ({ running: true, url: 'http://127.0.0.1:8080/v1', host: '127.0.0.1', port: 8080, autoStart: true, error: null }),
  } as unknown as Handlers;
  return { handlers, created };
}

function handlerFor(channel: Parameters<typeof createIpcHandler>[0], dispatch: Dispatch, onRefused = vi.fn()) {
  return createIpcHandler(channel, { dispatch, isTrustedSender: createSenderCheck(null), onRefused });
}

describe('createSenderCheck', () => {
  const check = createSenderCheck(null);

  it('trusts the app\'s own main frame', () => {
    expect(check(appEvent)).toBe(true);
  });

  it('refuses sub-frames, foreign origins, destroyed frames and look-alikes', () => {
    expect(check({ senderFrame: { url: 'app://keygate/index.html', parent: { url: 'app://keygate/index.html' } } })).toBe(false);
    expect(check({ senderFrame: null })).toBe(false);
    for (const url of ['https://evil.example/', 'file:///tmp/evil.html', 'app://evil/index.html', 'http://localhost:5173/', 'about:blank', '']) {
      expect(check({ senderFrame: { url, parent: null } }), url).toBe(false);
    }
  });

  it('trusts the dev server only when running from it', () => {
    expect(createSenderCheck('http://localhost:5173')({ senderFrame: { url: 'http://localhost:5173/', parent: null } })).toBe(true);
  });
});

describe('createIpcHandler', () => {
  it('answers a trusted call with the service\'s data', async () => {
    const { handlers } = fakeHandlers();
    const result = await handlerFor('proxy:status', createDispatcher(handlers))(appEvent, {});
    expect(result).toEqual({ ok: true, data: expect.objectContaining({ running: true, url: 'http://127.0.0.1:8080/v1' }) });
  });

  it('refuses a forged sender with FORBIDDEN and never reaches the service', async () => {
    const { handlers, created } = fakeHandlers();
    const dispatch = vi.fn(createDispatcher(handlers));
    const onRefused = vi.fn();
    const forged: InvokeEvent = { senderFrame: { url: 'https://evil.example/keygate', parent: null } };
    const result = await handlerFor('subkeys:create', dispatch, onRefused)(forged, { name: 'x', upstreamId: 'up_1' });
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(dispatch).not.toHaveBeenCalled();
    expect(created).toEqual([]);
    expect(onRefused).toHaveBeenCalledExactlyOnceWith('subkeys:create', 'https://evil.example/keygate');
  });

  it('refuses a call from an iframe inside the app', async () => {
    const { handlers } = fakeHandlers();
    const iframe: InvokeEvent = { senderFrame: { url: 'app://keygate/index.html', parent: {} } };
    const result = await handlerFor('proxy:status', createDispatcher(handlers))(iframe, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('answers bad input with INVALID_INPUT and field issues, storing nothing', async () => {
    const { handlers, created } = fakeHandlers();
    const result = await handlerFor('subkeys:create', createDispatcher(handlers))(appEvent, {
      name: '',
      upstreamId: 'up_1',
      remainingRequests: -1,
      expiresAt: 'yesterday',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    const fields = result.error.issues?.map((issue) => issue.path.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['name', 'remainingRequests', 'expiresAt']));
    expect(result.error.issues?.find((issue) => issue.path[0] === 'remainingRequests')?.message).toBe('Quota cannot be negative');
    expect(created).toEqual([]);
  });

  it('refuses unknown fields and non-object input', async () => {
    const { handlers } = fakeHandlers();
    const handler = handlerFor('proxy:status', createDispatcher(handlers));
    expect(await handler(appEvent, { evil: true })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await handler(appEvent, 'rm -rf /')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('passes a service error through with its code and message', async () => {
    const { handlers } = fakeHandlers();
    const result = await handlerFor('subkeys:remove', createDispatcher(handlers))(appEvent, { id: 'sk_missing' });
    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No sub-key with id sk_missing' } });
  });

  it('turns an unexpected error into INTERNAL, without its message, stack or any secret in it', async () => {
    const { handlers } = fakeHandlers();
    const onUnexpectedError = vi.fn();
    const result = await handlerFor('upstreams:test', createDispatcher(handlers, { onUnexpectedError }))(appEvent, { id: 'up_1' });
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
    const wire = JSON.stringify(result);
    expect(wire).not.toContain(SECRET);
    expect(wire).not.toContain('ECONNREFUSED');
    expect(wire).not.toMatch(/\bat .+:\d+:\d+/);
    expect(onUnexpectedError).toHaveBeenCalledOnce();
  });

  it('never rejects, even if dispatch itself throws', async () => {
    const broken: Dispatch = () => Promise.reject(new Error(`boom ${SECRET}`));
    const result = await handlerFor('proxy:status', broken)(appEvent, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
