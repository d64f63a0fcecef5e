import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { ChannelParsed } from '../../shared/contract';
import type { ConnectionTest, Upstream } from '../../shared/types';
import type { SecretBox } from '../secrets/secret-box';
import { secretHint } from '../secrets/subkey-secret';
import type { Database } from '../store/database';
import { countSubkeysOfUpstream, deleteSubkeysOfUpstream, moveSubkeysToUpstream } from '../store/subkeys-repo';
import {
  deleteUpstream,
  getUpstream,
  getUpstreamCredentials,
  insertUpstream,
  listUpstreamCiphertexts,
  listUpstreams,
  updateUpstream,
} from '../store/upstreams-repo';
import { fetchUpstreamModels, MODELS_TIMEOUT_MS, type UpstreamTarget } from './upstream-client';
import { noWriteHooks, withWriteHooks, type WriteHooks } from './write-hooks';

export interface UpstreamsDeps {
  db: Database;
  secrets: SecretBox;
  hooks?: WriteHooks;
  /** How long `test` and models sync wait for the upstream. */
  upstreamTimeoutMs?: number;
  now?: () => number;
}

/** Upstream not found, as every service says it. */
export function upstreamNotFound(id: string): AppError {
  const shown = id.slice(0, 100);
  return new AppError('NOT_FOUND', `No upstream with id ${shown}.`, undefined, { reason: 'upstream_not_found', params: { id: shown } });
}

/** Reads an upstream's base URL and opens its key, for calling it. Only the core ever holds the plain key. */
export function upstreamTarget(db: Database, secrets: SecretBox, id: string): UpstreamTarget {
  const upstream = getUpstream(db, id);
  const credentials = getUpstreamCredentials(db, id);
  if (!upstream || !credentials) throw upstreamNotFound(id);
  let apiKey: string;
  try {
    apiKey = secrets.open(credentials.keyCiphertext);
  } catch (error) {
    const detail = (error as Error).message;
    throw new AppError('INTERNAL', `The key of upstream "${upstream.name}" cannot be opened: ${detail} Enter the key again.`, undefined, {
      reason: 'upstream_key_unopenable',
      params: { name: upstream.name, detail },
    });
  }
  return { name: upstream.name, baseUrl: credentials.baseUrl, apiKey };
}

/** Names of upstreams whose key `secrets` cannot open (another master key, or sealed by the OS keychain). */
export function upstreamsWithUnopenableKeys(db: Database, secrets: SecretBox): string[] {
  return listUpstreamCiphertexts(db)
    .filter(({ keyCiphertext }) => {
      try {
        secrets.open(keyCiphertext);
        return false;
      } catch {
        return true;
      }
    })
    .map(({ name }) => name);
}

/** upstreams:* — the real keys are sealed with the SecretBox and never leave this service. */
export function createUpstreamsService(deps: UpstreamsDeps) {
  const { db, secrets } = deps;
  const hooks = deps.hooks ?? noWriteHooks;
  const now = deps.now ?? Date.now;

  return {
    list(): Upstream[] {
      return listUpstreams(db);
    },

    add(input: ChannelParsed<'upstreams:add'>): Upstream {
      const id = randomUUID();
      const keyCiphertext = secrets.seal(input.apiKey);
      withWriteHooks(hooks, () =>
        insertUpstream(db, {
          id,
          name: input.name,
          baseUrl: input.baseUrl,
          keyCiphertext,
          keyHint: secretHint(input.apiKey),
          createdAt: now(),
          passThroughUnknownEndpoints: input.passThroughUnknownEndpoints,
        }),
      );
      return getUpstream(db, id)!;
    },

    update(input: ChannelParsed<'upstreams:update'>): Upstream {
      const keyChanges = input.apiKey === undefined ? {} : { keyCiphertext: secrets.seal(input.apiKey), keyHint: secretHint(input.apiKey) };
      const found = withWriteHooks(hooks, () =>
        updateUpstream(db, input.id, {
          name: input.name,
          baseUrl: input.baseUrl,
          passThroughUnknownEndpoints: input.passThroughUnknownEndpoints,
          ...keyChanges,
        }),
      );
      if (!found) throw upstreamNotFound(input.id);
      return getUpstream(db, input.id)!;
    },

    /**
     * Removes the upstream and, as asked, deletes its sub-keys or moves them to another upstream, all in one
     * transaction; refuses (CONFLICT) when it has sub-keys and no choice was made. The proxy re-reads every key.
     */
    remove(input: ChannelParsed<'upstreams:remove'>): { id: string } {
      withWriteHooks(hooks, () =>
        db
          .transaction(() => {
            if (!getUpstream(db, input.id)) throw upstreamNotFound(input.id);
            const moveTo = typeof input.subkeys === 'object' ? input.subkeys.moveTo : null;
            if (moveTo !== null) checkMoveTarget(db, input.id, moveTo);
            const subkeys = countSubkeysOfUpstream(db, input.id);
            if (subkeys > 0 && input.subkeys === undefined) {
              throw new AppError(
                'CONFLICT',
                `This upstream still has ${subkeys} sub-key${subkeys === 1 ? '' : 's'}. Remove ${subkeys === 1 ? 'it' : 'them'} first.`,
                undefined,
                { reason: 'upstream_has_subkeys', params: { count: subkeys } },
              );
            }
            if (moveTo !== null) moveSubkeysToUpstream(db, input.id, moveTo);
            else if (input.subkeys === 'remove') deleteSubkeysOfUpstream(db, input.id);
            deleteUpstream(db, input.id);
          })
          .immediate(),
      );
      return { id: input.id };
    },

    async test(input: ChannelParsed<'upstreams:test'>): Promise<ConnectionTest> {
      const target = upstreamTarget(db, secrets, input.id);
      const started = performance.now();
      try {
        const models = await fetchUpstreamModels(target, deps.upstreamTimeoutMs ?? MODELS_TIMEOUT_MS);
        return { ok: true, modelCount: models.length, latencyMs: elapsed(started), message: null };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { ok: false, modelCount: null, latencyMs: elapsed(started), message: error.message, ...detailOf(error) };
      }
    },
  };
}

/** The upstream sub-keys move to must exist and be another one. */
function checkMoveTarget(db: Database, removedId: string, moveTo: string): void {
  const problem = moveTo === removedId ? 'Move the sub-keys to another upstream' : getUpstream(db, moveTo) ? null : 'Choose an existing upstream to move the sub-keys to';
  if (problem) throw new AppError('INVALID_INPUT', problem, [{ path: ['subkeys', 'moveTo'], message: problem }]);
}

function detailOf(error: AppError): Pick<ConnectionTest, 'reason' | 'params'> {
  if (!error.detail) return {};
  return { reason: error.detail.reason, ...(error.detail.params && { params: error.detail.params }) };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

export type UpstreamsService = ReturnType<typeof createUpstreamsService>;
