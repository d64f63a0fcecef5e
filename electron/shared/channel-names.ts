import type { Channel, PushEvent } from './contract';

/**
 * The contract's channel names as plain strings, for the preload: it must bundle nothing but `electron`,
 * and `contract.ts` pulls in zod. `test/unit/main-channel-names.test.ts` keeps both lists equal.
 */
export const channelNames = [
  'app:info',
  'upstreams:list',
  'upstreams:add',
  'upstreams:update',
  'upstreams:remove',
  'upstreams:test',
  'models:sync',
  'models:list',
  'subkeys:list',
  'subkeys:create',
  'subkeys:update',
  'subkeys:rotate',
  'subkeys:remove',
  'usage:list',
  'usage:daily',
  'usage:refusals',
  'usage:storage',
  'proxy:status',
  'proxy:start',
  'proxy:stop',
  'proxy:configure',
  'prices:list',
  'prices:set',
  'prices:remove',
  'prices:update',
  'usage:export',
  'usage:models',
  'alerts:list',
] as const satisfies readonly Channel[];

/** Push events main sends to the renderer (see `PushEvents` in the contract). */
export const pushEventNames = ['proxy:changed', 'usage:changed', 'budget:threshold'] as const satisfies readonly PushEvent[];

/** The IPC channel a push event travels on: its own namespace, so it can never collide with a contract channel. */
export function pushChannelOf(event: PushEvent): `keygate-push:${PushEvent}` {
  return `keygate-push:${event}`;
}
