import type { ChannelInput } from '../../../electron/shared/contract';
import type { ConnectionTest, Upstream } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export interface UpstreamsSlice {
  upstreams: Upstream[];
  upstreamsLoaded: boolean;
  /** How often each upstream was saved from this window: a connection test shown for it belongs to one revision. */
  upstreamRevisions: Record<string, number>;
  refreshUpstreams: () => Promise<void>;
  addUpstream: (input: ChannelInput<'upstreams:add'>) => Promise<Upstream>;
  updateUpstream: (input: ChannelInput<'upstreams:update'>) => Promise<Upstream>;
  /** `subkeys`: what happens to the upstream's sub-keys (needed when it has any). */
  removeUpstream: (id: string, subkeys?: ChannelInput<'upstreams:remove'>['subkeys']) => Promise<void>;
  /** Asks the upstream for its models with the stored key; the answer is shown, not stored. */
  testUpstream: (id: string) => Promise<ConnectionTest>;
}

/** Upstream keys: only names, base URLs and hints ever reach the window. */
export const createUpstreamsSlice: SliceCreator<UpstreamsSlice> = (api) => (set, get) => ({
  upstreams: [],
  upstreamsLoaded: false,
  upstreamRevisions: {},
  async refreshUpstreams() {
    const upstreams = await api['upstreams:list']({});
    set({ upstreams, upstreamsLoaded: true });
  },
  async addUpstream(input) {
    const upstream = await api['upstreams:add'](input);
    await get().refreshUpstreams();
    return upstream;
  },
  async updateUpstream(input) {
    const upstream = await api['upstreams:update'](input);
    set((state) => ({ upstreamRevisions: { ...state.upstreamRevisions, [input.id]: (state.upstreamRevisions[input.id] ?? 0) + 1 } }));
    await get().refreshUpstreams();
    return upstream;
  },
  async removeUpstream(id, subkeys) {
    await api['upstreams:remove']({ id, ...(subkeys !== undefined && { subkeys }) });
    get().forgetModels(id);
    await Promise.all([get().refreshUpstreams(), get().refreshSubkeys()]);
  },
  testUpstream(id) {
    return api['upstreams:test']({ id });
  },
});
