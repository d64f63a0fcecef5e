import type { Model } from '../../../electron/shared/types';
import type { SliceCreator } from './store-types';

export interface ModelsSlice {
  /** Synced models by upstream id. */
  models: Record<string, Model[]>;
  /** Upstream ids whose sync is in flight. */
  syncing: Record<string, boolean>;
  refreshModels: (upstreamId: string) => Promise<void>;
  refreshAllModels: () => Promise<void>;
  syncModels: (upstreamId: string) => Promise<Model[]>;
  forgetModels: (upstreamId: string) => void;
}

/** Models synced from each upstream's `GET /v1/models`. */
export const createModelsSlice: SliceCreator<ModelsSlice> = (api) => (set, get) => ({
  models: {},
  syncing: {},
  async refreshModels(upstreamId) {
    const list = await api['models:list']({ upstreamId });
    set((state) => ({ models: { ...state.models, [upstreamId]: list } }));
  },
  async refreshAllModels() {
    await Promise.all(get().upstreams.map((upstream) => get().refreshModels(upstream.id)));
  },
  async syncModels(upstreamId) {
    set((state) => ({ syncing: { ...state.syncing, [upstreamId]: true } }));
    try {
      const list = await api['models:sync']({ upstreamId });
      set((state) => ({ models: { ...state.models, [upstreamId]: list } }));
      // lastSyncedAt lives on the upstream.
      await get().refreshUpstreams();
      return list;
    } finally {
      set((state) => ({ syncing: { ...state.syncing, [upstreamId]: false } }));
    }
  },
  forgetModels(upstreamId) {
    set((state) => {
      const { [upstreamId]: _gone, ...models } = state.models;
      return { models };
    });
  },
});
