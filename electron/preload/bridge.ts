import type { Channel, KeygateBridge, PushEvent, PushEvents } from '../shared/contract';
import type { Result } from '../shared/errors';
import { channelNames, pushChannelOf, pushEventNames } from '../shared/channel-names';

/** Sends one contract channel's input to main and answers its Result (`ipcRenderer.invoke`). */
export type Invoke = (channel: Channel, input: unknown) => Promise<Result<unknown>>;

/** Listens on an IPC channel (`ipcRenderer.on` / `removeListener`), handing the listener the payload only. */
export interface Subscribe {
  (ipcChannel: string, listener: (payload: unknown) => void): () => void;
}

/**
 * Builds `window.keygate`: one named method per contract channel, each bound to its own channel (the page can
 * never choose a channel or reach `ipcRenderer`), and `on(event, listener)` for push events, returning its
 * unsubscribe function. Input is passed through untouched: main validates it with the channel's schema.
 */
export function createBridge(invoke: Invoke, subscribe: Subscribe): KeygateBridge {
  const bridge: Record<string, unknown> = {};
  for (const channel of channelNames) {
    bridge[channel] = (input?: unknown) => invoke(channel, input ?? {});
  }
  bridge.on = <E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): (() => void) => {
    if (!(pushEventNames as readonly string[]).includes(event)) throw new Error(`Unknown Keygate event: ${String(event)}`);
    if (typeof listener !== 'function') throw new Error('A Keygate event listener must be a function.');
    return subscribe(pushChannelOf(event), (payload) => listener(payload as PushEvents[E]));
  };
  return Object.freeze(bridge) as KeygateBridge;
}
