import type { z } from 'zod';
import {
  EmptySchema,
  IdInputSchema,
  PriceRemoveSchema,
  PriceSetSchema,
  ProxyConfigureSchema,
  SubkeyCreateSchema,
  SubkeyUpdateSchema,
  UpstreamAddSchema,
  UpstreamIdInputSchema,
  UpstreamRemoveSchema,
  UpstreamUpdateSchema,
  UsageDailySchema,
  SubkeyListSchema,
  UsageListSchema,
  UsageExportSchema,
} from './schemas';
import type { Result } from './errors';
import type {
  AppInfo,
  BudgetThreshold,
  ConnectionTest,
  IssuedSubkey,
  Model,
  PriceList,
  ProxyStatus,
  RefusalCount,
  StorageInfo,
  Subkey,
  Upstream,
  UsageDay,
  UsageEntry,
  UsageExport,
  UsageModel,
} from './types';

/** Marks a channel's output type; the value itself is never read. */
function returns<T>(): T {
  return undefined as T;
}

/**
 * The one list of operations. IPC (main + preload), the admin HTTP API (`POST /admin/api/<namespace>/<verb>`)
 * and the renderer's client all derive from it, so they cannot drift. Extend it; never rename a channel or field.
 */
export const contract = {
  'app:info': { input: EmptySchema, output: returns<AppInfo>() },

  'upstreams:list': { input: EmptySchema, output: returns<Upstream[]>() },
  'upstreams:add': { input: UpstreamAddSchema, output: returns<Upstream>() },
  'upstreams:update': { input: UpstreamUpdateSchema, output: returns<Upstream>() },
  'upstreams:remove': { input: UpstreamRemoveSchema, output: returns<{ id: string }>() },
  'upstreams:test': { input: IdInputSchema, output: returns<ConnectionTest>() },

  'models:sync': { input: UpstreamIdInputSchema, output: returns<Model[]>() },
  'models:list': { input: UpstreamIdInputSchema, output: returns<Model[]>() },

  'subkeys:list': { input: SubkeyListSchema, output: returns<Subkey[]>() },
  'subkeys:create': { input: SubkeyCreateSchema, output: returns<IssuedSubkey>() },
  'subkeys:update': { input: SubkeyUpdateSchema, output: returns<Subkey>() },
  'subkeys:rotate': { input: IdInputSchema, output: returns<IssuedSubkey>() },
  'subkeys:remove': { input: IdInputSchema, output: returns<{ id: string }>() },

  'usage:list': { input: UsageListSchema, output: returns<UsageEntry[]>() },
  'usage:daily': { input: UsageDailySchema, output: returns<UsageDay[]>() },
  'usage:refusals': { input: EmptySchema, output: returns<RefusalCount[]>() },
  'usage:storage': { input: EmptySchema, output: returns<StorageInfo>() },

  'proxy:status': { input: EmptySchema, output: returns<ProxyStatus>() },
  'proxy:start': { input: EmptySchema, output: returns<ProxyStatus>() },
  'proxy:stop': { input: EmptySchema, output: returns<ProxyStatus>() },
  'proxy:configure': { input: ProxyConfigureSchema, output: returns<ProxyStatus>() },

  'prices:list': { input: EmptySchema, output: returns<PriceList>() },
  'prices:set': { input: PriceSetSchema, output: returns<PriceList>() },
  'prices:remove': { input: PriceRemoveSchema, output: returns<PriceList>() },
  'prices:update': { input: EmptySchema, output: returns<PriceList>() },

  'usage:export': { input: UsageExportSchema, output: returns<UsageExport>() },
  'usage:models': { input: UsageDailySchema, output: returns<UsageModel[]>() },

  'alerts:list': { input: EmptySchema, output: returns<BudgetThreshold[]>() },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
/** What a caller sends (before defaults and transforms). */
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
/** What a service receives (after validation and transforms). */
export type ChannelParsed<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = Contract[C]['output'];

export const channels = Object.keys(contract) as Channel[];

export function isChannel(value: string): value is Channel {
  return Object.hasOwn(contract, value);
}

/** `subkeys:create` ↔ `/admin/api/subkeys/create`. */
export function channelPath(channel: Channel): string {
  const [namespace, verb] = channel.split(':');
  return `/admin/api/${namespace}/${verb}`;
}

/** Services implement one handler per channel; IPC and the admin API call the same ones. */
export type Handlers = { [C in Channel]: (input: ChannelParsed<C>) => ChannelOutput<C> | Promise<ChannelOutput<C>> };

/** The client the renderer uses, whatever the transport (Electron IPC or the admin HTTP API). */
export type KeygateApi = { [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };

/**
 * What a `usage:changed` push carries, so a window patches what it shows instead of re-reading it. `subkeyId` names
 * the one sub-key that changed (null: several, or requests without one). `subkeys`: the current state of each
 * sub-key whose counts changed; `entries`: the usage rows written or finished since the last push, newest first.
 * Either is left out when there was too much to carry: then re-read.
 */
export interface UsageChanged {
  subkeyId: string | null;
  subkeys?: Subkey[];
  entries?: UsageEntry[];
}

/** Events main pushes to the renderer. */
export interface PushEvents {
  'proxy:changed': ProxyStatus;
  /** Something changed that list views show (a request was proxied, a key was spent). */
  'usage:changed': UsageChanged;
  /** A key reached 80 % or 100 % of a budget, or will expire within 24 h: once per window (or expiry). */
  'budget:threshold': BudgetThreshold;
}
export type PushEvent = keyof PushEvents;
export const pushEvents: PushEvent[] = ['proxy:changed', 'usage:changed', 'budget:threshold'];

/**
 * What the preload exposes as `window.keygate`: one method per channel answering a `Result` (errors cross
 * IPC as data), plus `on()` for push events, which returns its unsubscribe function (fits useEffect cleanup).
 */
export type KeygateBridge = { [C in Channel]: (input: ChannelInput<C>) => Promise<Result<ChannelOutput<C>>> } & {
  on<E extends PushEvent>(event: E, listener: (payload: PushEvents[E]) => void): () => void;
};
