import type { PushEvent, PushEvents, UsageChanged } from '../shared/contract';
import type { Subkey, UsageEntry } from '../shared/types';

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

/** The most usage rows and sub-keys one push carries; beyond that it says "re-read" by leaving them out. */
export const PUSH_MAX_ENTRIES = 200;
export const PUSH_MAX_SUBKEYS = 100;

/**
 * Coalesces `usage:changed` to at most one event per `intervalMs` (the proxy may log thousands of requests a second).
 * The payload names the sub-key when only one changed in the window, else null ("several"). With `readSubkeys` it
 * also carries the changed sub-keys' current state, and the rows given to `rows` in the window (newest first), so a
 * window can patch instead of re-reading; either is left out when the window saw more than a push should carry.
 */
export function createUsageThrottle(
  emit: (payload: UsageChanged) => void,
  intervalMs = 250,
  readSubkeys?: (ids: readonly string[]) => Subkey[],
) {
  let timer: NodeJS.Timeout | null = null;
  let pending = false;
  let pendingId: string | null | undefined;
  let lastEmit = -Infinity;
  const touched = new Set<string>();
  let entries: UsageEntry[] | null = [];
  let entriesGiven = false;

  function fire(): void {
    timer = null;
    if (!pending) return;
    const payload: UsageChanged = { subkeyId: pendingId ?? null };
    const subkeys = readSubkeys && touched.size <= PUSH_MAX_SUBKEYS ? readSubkeys([...touched]) : undefined;
    if (subkeys) payload.subkeys = subkeys;
    // With readSubkeys the proxy reports every finished row through `rows`: none given means none finished. Their
    // sub-keys' names come from the sub-keys read here (each row's key was touched), so without those they stay out.
    if (!readSubkeys && entriesGiven && entries !== null) payload.entries = entries.reverse();
    if (subkeys && entries !== null) payload.entries = withNames(entries.reverse(), subkeys);
    pending = false;
    pendingId = undefined;
    touched.clear();
    entries = [];
    entriesGiven = false;
    lastEmit = Date.now();
    emit(payload);
  }

  function schedule(): void {
    pending = true;
    if (timer) return;
    const wait = Math.max(0, lastEmit + intervalMs - Date.now());
    timer = setTimeout(fire, wait);
    timer.unref();
  }

  return {
    notify(subkeyId: string | null): void {
      pendingId = !pending ? subkeyId : pendingId === subkeyId ? pendingId : null;
      if (subkeyId !== null && touched.size <= PUSH_MAX_SUBKEYS) touched.add(subkeyId);
      schedule();
    },
    /** Usage rows just written or finished, oldest first; they go out with the next push. */
    rows(written: readonly UsageEntry[]): void {
      entriesGiven = true;
      if (entries === null) return;
      if (entries.length + written.length > PUSH_MAX_ENTRIES) entries = null;
      else entries.push(...written);
    },
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = false;
    },
  };
}

/** Rows as the log answers them: each with its sub-key's current name (a key deleted since has none yet). */
function withNames(entries: UsageEntry[], subkeys: readonly Subkey[]): UsageEntry[] {
  const names = new Map(subkeys.map((subkey) => [subkey.id, subkey.name]));
  return entries.map((entry) => (entry.subkeyId === null ? entry : { ...entry, subkeyName: names.get(entry.subkeyId) ?? null }));
}
