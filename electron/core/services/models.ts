import type { ChannelParsed } from '../../shared/contract';
import type { Model } from '../../shared/types';
import type { SecretBox } from '../secrets/secret-box';
import type { Database } from '../store/database';
import { listModels, replaceModels } from '../store/models-repo';
import { getUpstream, setUpstreamSyncedAt } from '../store/upstreams-repo';
import { fetchUpstreamModels, MODELS_TIMEOUT_MS } from './upstream-client';
import { upstreamNotFound, upstreamTarget } from './upstreams';
import { noWriteHooks, withWriteHooks, type WriteHooks } from './write-hooks';

export interface ModelsDeps {
  db: Database;
  secrets: SecretBox;
  hooks?: WriteHooks;
  upstreamTimeoutMs?: number;
  now?: () => number;
}

/** models:* — the list comes from the upstream's `GET /v1/models`; policies name models, so a re-sync changes no policy. */
export function createModelsService(deps: ModelsDeps) {
  const { db, secrets } = deps;
  const hooks = deps.hooks ?? noWriteHooks;
  const now = deps.now ?? Date.now;

  return {
    list(input: ChannelParsed<'models:list'>): Model[] {
      if (!getUpstream(db, input.upstreamId)) throw upstreamNotFound(input.upstreamId);
      return listModels(db, input.upstreamId);
    },

    async sync(input: ChannelParsed<'models:sync'>): Promise<Model[]> {
      const target = upstreamTarget(db, secrets, input.upstreamId);
      const models = await fetchUpstreamModels(target, deps.upstreamTimeoutMs ?? MODELS_TIMEOUT_MS);
      const syncedAt = now();
      withWriteHooks(hooks, () =>
        db
          .transaction(() => {
            // The upstream may have been removed while we were waiting for its answer.
            if (!getUpstream(db, input.upstreamId)) throw upstreamNotFound(input.upstreamId);
            replaceModels(db, input.upstreamId, models, syncedAt);
            setUpstreamSyncedAt(db, input.upstreamId, syncedAt);
          })
          .immediate(),
      );
      return listModels(db, input.upstreamId);
    },
  };
}

export type ModelsService = ReturnType<typeof createModelsService>;
