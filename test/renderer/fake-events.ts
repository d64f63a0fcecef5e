import type { PushEvent, PushEvents } from '../../electron/shared/contract';

/**
 * A push source like the real clients': `on` returns its unsubscribe, `emit` plays main's part, `count` tells how many
 * listeners are still subscribed (to prove a store unsubscribes).
 */
export function fakeEvents() {
  const listeners = new Map<PushEvent, Set<(payload: never) => void>>();
  return {
    on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => void set.delete(listener as (payload: never) => void);
    },
    emit<E extends PushEvent>(event: E, payload: PushEvents[E]) {
      for (const listener of listeners.get(event) ?? []) (listener as (value: PushEvents[E]) => void)(payload);
    },
    count: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
  };
}
