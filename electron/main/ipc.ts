import { ipcMain, type WebContents } from 'electron';
import type { Dispatch } from '../core/dispatch';
import type { Logger } from '../core/logger';
import { channels, type PushEvent, type PushEvents } from '../shared/contract';
import { pushChannelOf, pushEventNames } from '../shared/channel-names';
import { createIpcHandler, createSenderCheck } from './ipc-handler';

/** The core's push-event source (`Core.events`). */
export interface PushEventSource {
  on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): () => void;
}

export interface IpcBindingOptions {
  dispatch: Dispatch;
  devServerUrl: string | null;
  log: Logger;
}

/**
 * Binds every contract channel, from the one list, to `ipcMain.handle` through the checked handler. The only
 * place that touches `ipcMain` (a lint rule forbids it elsewhere). Returns a function that unbinds them all.
 */
export function bindIpc({ dispatch, devServerUrl, log }: IpcBindingOptions): () => void {
  const isTrustedSender = createSenderCheck(devServerUrl);
  const onRefused = (channel: string, url: string | null) => log.warn(`refused IPC ${channel} from ${url === null ? 'a destroyed frame' : url.slice(0, 200)}`);
  for (const channel of channels) {
    ipcMain.handle(channel, createIpcHandler(channel, { dispatch, isTrustedSender, onRefused }));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/**
 * Forwards the core's push events to the window(s) on their dedicated channels (`keygate-push:<event>`).
 * `targets` is read on every event, so a recreated window receives them too. Returns the unsubscribe function.
 */
export function forwardPushEvents(source: PushEventSource, targets: () => WebContents[]): () => void {
  const unsubscribers = pushEventNames.map((event) =>
    source.on(event, (payload) => {
      for (const contents of targets()) {
        if (!contents.isDestroyed()) contents.send(pushChannelOf(event), payload);
      }
    }),
  );
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
