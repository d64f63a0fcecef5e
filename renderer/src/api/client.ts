import type { KeygateApi, PushEvent, PushEvents } from '../../../electron/shared/contract';

/** Subscribes to a push event; returns the unsubscribe function (fits useEffect cleanup). */
export type Subscribe = <E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void) => () => void;

/** What the window talks to: the typed API plus push events, over Electron IPC or the admin HTTP API. */
export interface KeygateClient {
  transport: 'ipc' | 'http';
  api: KeygateApi;
  on: Subscribe;
}
