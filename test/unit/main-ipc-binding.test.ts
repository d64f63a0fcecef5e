import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';
import type { PushEvent, PushEvents } from '../../electron/shared/contract';
import { channels } from '../../electron/shared/contract';

const ipcMain = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, input: unknown) => Promise<unknown>>(),
  handle(channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
}));

vi.mock('electron', () => ({ ipcMain }));

const { bindIpc, forwardPushEvents } = await import('../../electron/main/ipc');

const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe('bindIpc', () => {
  beforeEach(() => ipcMain.handlers.clear());

  it('binds exactly one handler per contract channel, each dispatching its own channel', async () => {
    const dispatch = vi.fn(async (channel: string) => ({ ok: true as const, data: channel }));
    const unbind = bindIpc({ dispatch, devServerUrl: null, log });
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channels].sort());
    for (const channel of channels) {
      const result = await ipcMain.handlers.get(channel)!({ senderFrame: { url: 'app://keygate/index.html', parent: null } }, { x: 1 });
      expect(result).toEqual({ ok: true, data: channel });
    }
    expect(dispatch).toHaveBeenCalledTimes(channels.length);
    unbind();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('checks the sender on every channel', async () => {
    const dispatch = vi.fn();
    bindIpc({ dispatch, devServerUrl: null, log });
    for (const channel of channels) {
      const result = await ipcMain.handlers.get(channel)!({ senderFrame: { url: 'https://evil.example/', parent: null } }, {});
      expect(result, channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(dispatch).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledWith('refused IPC proxy:start from https://evil.example/');
  });
});

describe('forwardPushEvents', () => {
  function hub() {
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    return {
      on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void) {
        const set = listeners.get(event) ?? new Set();
        set.add(listener as (payload: unknown) => void);
        listeners.set(event, set);
        return () => set.delete(listener as (payload: unknown) => void);
      },
      emit(event: PushEvent, payload: unknown) {
        for (const listener of listeners.get(event) ?? []) listener(payload);
      },
    };
  }

  function contents(destroyed = false) {
    return { send: vi.fn(), isDestroyed: () => destroyed } as unknown as WebContents & { send: ReturnType<typeof vi.fn> };
  }

  it('sends each push event on its dedicated channel to the live windows, until unsubscribed', () => {
    const source = hub();
    const live = contents();
    const gone = contents(true);
    const unsubscribe = forwardPushEvents(source, () => [live, gone]);
    const status = { running: false, url: 'http://127.0.0.1:8080/v1', host: '127.0.0.1', port: 8080, autoStart: true, error: 'Port 8080 is already in use' };
    source.emit('proxy:changed', status);
    source.emit('usage:changed', { subkeyId: 'sk_1' });
    expect(live.send.mock.calls).toEqual([
      ['keygate-push:proxy:changed', status],
      ['keygate-push:usage:changed', { subkeyId: 'sk_1' }],
    ]);
    expect(gone.send).not.toHaveBeenCalled();
    unsubscribe();
    source.emit('usage:changed', { subkeyId: null });
    expect(live.send).toHaveBeenCalledTimes(2);
  });
});
