import type { PushEvent, PushEvents } from '../shared/contract';

type Listener<E extends PushEvent> = (payload: PushEvents[E]) => void;

/** Typed push events (`proxy:changed`, `usage:changed`); `on` answers its unsubscribe function. */
export interface EventHub {
  on<E extends PushEvent>(event: E, listener: Listener<E>): () => void;
  emit<E extends PushEvent>(event: E, payload: PushEvents[E]): void;
}

/** Creates an event hub; a throwing listener cannot stop the others. */
export function createEventHub(onListenerError: (error: unknown) => void = () => {}): EventHub {
  const listeners = new Map<PushEvent, Set<Listener<PushEvent>>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener<PushEvent>);
      return () => set.delete(listener as Listener<PushEvent>);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}

/**
 * Coalesces `usage:changed` to at most one event per `intervalMs` (the proxy may log thousands of requests a second).
 * The payload names the sub-key when only one changed in the window, else null ("several: refresh everything").
 */
export function createUsageThrottle(emit: (payload: { subkeyId: string | null }) => void, intervalMs = 250) {
  let timer: NodeJS.Timeout | null = null;
  let pending = false;
  let pendingId: string | null | undefined;
  let lastEmit = -Infinity;

  function fire(): void {
    timer = null;
    if (!pending) return;
    const subkeyId = pendingId ?? null;
    pending = false;
    pendingId = undefined;
    lastEmit = Date.now();
    emit({ subkeyId });
  }

  return {
    notify(subkeyId: string | null): void {
      pendingId = !pending ? subkeyId : pendingId === subkeyId ? pendingId : null;
      pending = true;
      if (timer) return;
      const wait = Math.max(0, lastEmit + intervalMs - Date.now());
      timer = setTimeout(fire, wait);
      timer.unref();
    },
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = false;
    },
  };
}
