import { randomUUID } from 'node:crypto';
import { AppError, fieldError } from '../../shared/errors';
import { unrestrictedPermissions } from '../../shared/permissions';
import type { ChannelParsed } from '../../shared/contract';
import type { IssuedSubkey, Subkey } from '../../shared/types';
import { generateSubkeySecret, hashSubkeySecret, secretHint } from '../secrets/subkey-secret';
import type { Database } from '../store/database';
import {
  deleteSubkey,
  getSubkey,
  getSubkeySettings,
  insertSubkey,
  listSubkeys,
  pageSubkeys,
  setSubkeySecret,
  updateSubkeySettings,
  type SubkeySettings,
} from '../store/subkeys-repo';
import { getUpstream } from '../store/upstreams-repo';
import { noWriteHooks, withWriteHooks, type WriteHooks } from './write-hooks';

export interface SubkeysDeps {
  db: Database;
  hooks?: WriteHooks;
  now?: () => number;
}

/** The page size of `subkeys:list` when a cursor comes without a limit. */
export const SUBKEY_PAGE_LIMIT = 100;

function subkeyNotFound(id: string): AppError {
  const shown = id.slice(0, 100);
  return new AppError('NOT_FOUND', `No sub-key with id ${shown}.`, undefined, { reason: 'subkey_not_found', params: { id: shown } });
}

function msOrNull(iso: string | null | undefined): number | null {
  return iso == null ? null : Date.parse(iso);
}

/** Applies only the fields the caller gave; `null` clears expiry or quota, `undefined` keeps them. */
export function mergeSubkeySettings(current: SubkeySettings, changes: ChannelParsed<'subkeys:update'>): SubkeySettings {
  return {
    name: changes.name ?? current.name,
    expiresAt: changes.expiresAt === undefined ? current.expiresAt : msOrNull(changes.expiresAt),
    remainingRequests: changes.remainingRequests === undefined ? current.remainingRequests : changes.remainingRequests,
    allowModels: changes.allowModels ?? current.allowModels,
    denyModels: changes.denyModels ?? current.denyModels,
    budgets: changes.budgets ?? current.budgets,
    enabled: changes.enabled ?? current.enabled,
    permissions: changes.permissions ?? current.permissions,
  };
}

/** subkeys:* — secrets are shown once; the store keeps only their SHA-256. */
export function createSubkeysService(deps: SubkeysDeps) {
  const { db } = deps;
  const hooks = deps.hooks ?? noWriteHooks;
  const now = deps.now ?? Date.now;

  return {
    /** Every sub-key; or, given `limit` or `cursor`, one page of them (a page shorter than `limit` is the last). */
    list(input: ChannelParsed<'subkeys:list'> = {}): Subkey[] {
      if (input.limit === undefined && input.cursor === undefined) return listSubkeys(db, now());
      const page = pageSubkeys(db, { limit: input.limit ?? SUBKEY_PAGE_LIMIT, cursor: input.cursor }, now());
      if (page === null) throw fieldError('cursor', 'No sub-key with this id (removed?): start again from the first page.');
      return page;
    },

    create(input: ChannelParsed<'subkeys:create'>): IssuedSubkey {
      const id = randomUUID();
      const secret = generateSubkeySecret();
      withWriteHooks(
        hooks,
        () =>
          db
            .transaction(() => {
              if (!getUpstream(db, input.upstreamId)) throw fieldError('upstreamId', 'Choose an existing upstream');
              insertSubkey(db, {
                id,
                upstreamId: input.upstreamId,
                secretHash: hashSubkeySecret(secret),
                hint: secretHint(secret),
                createdAt: now(),
                name: input.name,
                expiresAt: msOrNull(input.expiresAt),
                remainingRequests: input.remainingRequests ?? null,
                allowModels: input.allowModels ?? [],
                denyModels: input.denyModels ?? [],
                budgets: input.budgets ?? [],
                enabled: true,
                permissions: input.permissions ?? unrestrictedPermissions(),
              });
            })
            .immediate(),
        id,
      );
      return { subkey: getSubkey(db, id, now())!, secret };
    },

    update(input: ChannelParsed<'subkeys:update'>): Subkey {
      withWriteHooks(
        hooks,
        () =>
          db
            .transaction(() => {
              const current = getSubkeySettings(db, input.id);
              if (!current) throw subkeyNotFound(input.id);
              updateSubkeySettings(db, input.id, mergeSubkeySettings(current, input));
            })
            .immediate(),
        input.id,
        { quotaReset: input.remainingRequests !== undefined },
      );
      return getSubkey(db, input.id, now())!;
    },

    rotate(input: ChannelParsed<'subkeys:rotate'>): IssuedSubkey {
      const secret = generateSubkeySecret();
      const found = withWriteHooks(hooks, () => setSubkeySecret(db, input.id, hashSubkeySecret(secret), secretHint(secret)), input.id);
      if (!found) throw subkeyNotFound(input.id);
      return { subkey: getSubkey(db, input.id, now())!, secret };
    },

    remove(input: ChannelParsed<'subkeys:remove'>): { id: string } {
      const found = withWriteHooks(hooks, () => deleteSubkey(db, input.id), input.id);
      if (!found) throw subkeyNotFound(input.id);
      return { id: input.id };
    },
  };
}

export type SubkeysService = ReturnType<typeof createSubkeysService>;
