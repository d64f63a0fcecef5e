import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ProxyOptions } from '../../electron/core/proxy/types';
import { startProxyHarness, type ProxyHarness } from './proxy-harness';

/** The harness a file's tests share, plus a way to replace it. */
export interface SharedProxyHarness extends ProxyHarness {
  /** Closes the running harness and starts a fresh one with the same options, for a test that spends the proxy. */
  restart(): Promise<void>;
}

/**
 * One harness for the tests of the file (or `describe`) that calls it: started before them, its stand-in upstream reset
 * (records and responder) before each, closed after them. Every proxy test file wrote these three hooks by hand.
 * The handle reads through to the running harness, so tests use it as they would the harness itself; a file's own
 * beforeAll/beforeEach hooks registered after this call run after these (vitest runs before-hooks in order).
 */
export function useProxyHarness(options: Partial<Omit<ProxyOptions, 'db' | 'secrets'>> = {}): SharedProxyHarness {
  let current: ProxyHarness | undefined;
  const live = (): ProxyHarness => {
    if (!current) throw new Error('The proxy harness is used outside its tests: before beforeAll started it or after afterAll closed it.');
    return current;
  };
  beforeAll(async () => {
    current = await startProxyHarness(options);
  });
  afterAll(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  beforeEach(() => live().upstream.reset());
  return {
    get db() { return live().db; },
    get upstream() { return live().upstream; },
    get upstreamId() { return live().upstreamId; },
    get running() { return live().running; },
    subkey: (fixture) => live().subkey(fixture),
    client: (secret) => live().client(secret),
    raw: (method, path, headers, body) => live().raw(method, path, headers, body),
    settled: (waitMs) => live().settled(waitMs),
    close: () => live().close(),
    async restart() {
      const closing = live();
      current = undefined;
      await closing.close();
      current = await startProxyHarness(options);
    },
  };
}
