import { parsePermissions, type Permissions } from '../../shared/permissions';
import type { Budget, Subkey, SubkeyStatus } from '../../shared/types';
import type { Database } from './database';
import { budgetStatuses, parseStoredBudgets } from './spend-repo';
import { isoOrNull, statement } from './statements';

interface SubkeyRow {
  id: string;
  name: string;
  upstream_id: string;
  hint: string;
  created_at: number;
  expires_at: number | null;
  remaining_requests: number | null;
  allow_models: string;
  deny_models: string;
  budgets: string;
  enabled: number;
  last_used_at: number | null;
  permissions: string;
}

const COLUMNS =
  'id, name, upstream_id, hint, created_at, expires_at, remaining_requests, allow_models, deny_models, budgets, enabled, last_used_at, permissions';

/** A sub-key's status, derived at read time: disabled, then expired, then exhausted, else active. */
export function subkeyStatus(
  key: { enabled: boolean; expiresAt: number | null; remainingRequests: number | null },
  now: number,
): SubkeyStatus {
  if (!key.enabled) return 'disabled';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  if (key.remainingRequests === 0) return 'exhausted';
  return 'active';
}

function parseList(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function toSubkey(row: SubkeyRow, now: number, db: Database): Subkey {
  const enabled = row.enabled === 1;
  return {
    id: row.id,
    name: row.name,
    upstreamId: row.upstream_id,
    hint: row.hint,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: isoOrNull(row.expires_at),
    remainingRequests: row.remaining_requests,
    allowModels: parseList(row.allow_models),
    denyModels: parseList(row.deny_models),
    budgets: budgetStatuses(db, row.id, parseStoredBudgets(row.budgets) ?? [], now),
    enabled,
    permissions: readPermissions(row.permissions),
    status: subkeyStatus({ enabled, expiresAt: row.expires_at, remainingRequests: row.remaining_requests }, now),
    lastUsedAt: isoOrNull(row.last_used_at),
  };
}

/** Stored permissions; an unreadable value reads as a key that may do nothing. */
export function readPermissions(json: string): Permissions {
  try {
    return parsePermissions(JSON.parse(json));
  } catch {
    return parsePermissions(null);
  }
}

/** Every sub-key, oldest first. */
export function listSubkeys(db: Database, now = Date.now()): Subkey[] {
  return statement<[], SubkeyRow>(db, `SELECT ${COLUMNS} FROM subkeys ORDER BY created_at, id`)
    .all()
    .map((row) => toSubkey(row, now, db));
}

/**
 * A page of sub-keys in the same order as listSubkeys: at most `limit`, after the sub-key `cursor` when given.
 * Answers null when `cursor` names no sub-key (it was removed: the caller starts over).
 */
export function pageSubkeys(db: Database, page: { limit: number; cursor?: string | undefined }, now = Date.now()): Subkey[] | null {
  if (page.cursor === undefined) {
    return statement<[number], SubkeyRow>(db, `SELECT ${COLUMNS} FROM subkeys ORDER BY created_at, id LIMIT ?`)
      .all(page.limit)
      .map((row) => toSubkey(row, now, db));
  }
  const after = statement<[string], { created_at: number; id: string }>(db, 'SELECT created_at, id FROM subkeys WHERE id = ?').get(page.cursor);
  if (!after) return null;
  return statement<[number, string, number], SubkeyRow>(
    db,
    `SELECT ${COLUMNS} FROM subkeys WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`,
  )
    .all(after.created_at, after.id, page.limit)
    .map((row) => toSubkey(row, now, db));
}

/** One sub-key, or null. */
export function getSubkey(db: Database, id: string, now = Date.now()): Subkey | null {
  const row = statement<[string], SubkeyRow>(db, `SELECT ${COLUMNS} FROM subkeys WHERE id = ?`).get(id);
  return row ? toSubkey(row, now, db) : null;
}

/** The fields a caller may set; times in ms. */
export interface SubkeySettings {
  name: string;
  expiresAt: number | null;
  remainingRequests: number | null;
  allowModels: readonly string[];
  denyModels: readonly string[];
  budgets: readonly Budget[];
  enabled: boolean;
  permissions: Permissions;
}

export interface NewSubkey extends SubkeySettings {
  id: string;
  upstreamId: string;
  secretHash: string;
  hint: string;
  createdAt: number;
}

/** Inserts a sub-key; only the secret's hash is stored. */
export function insertSubkey(db: Database, key: NewSubkey): void {
  statement(
    db,
    `INSERT INTO subkeys (id, name, upstream_id, secret_hash, hint, created_at, expires_at, remaining_requests,
                          allow_models, deny_models, budgets, enabled, permissions)
     VALUES (@id, @name, @upstreamId, @secretHash, @hint, @createdAt, @expiresAt, @remainingRequests,
             @allowModels, @denyModels, @budgets, @enabled, @permissions)`,
  ).run({ ...key, ...settingsParams(key) });
}

function settingsParams(settings: SubkeySettings) {
  return {
    name: settings.name,
    expiresAt: settings.expiresAt,
    remainingRequests: settings.remainingRequests,
    allowModels: JSON.stringify(settings.allowModels),
    denyModels: JSON.stringify(settings.denyModels),
    budgets: JSON.stringify(settings.budgets.map(({ metric, limit, window }) => ({ metric, limit, window }))),
    enabled: settings.enabled ? 1 : 0,
    permissions: JSON.stringify(settings.permissions),
  };
}

/** The settable fields of one sub-key as stored (ms times), for read-modify-write updates. */
export function getSubkeySettings(db: Database, id: string): SubkeySettings | null {
  const row = statement<[string], SubkeyRow>(db, `SELECT ${COLUMNS} FROM subkeys WHERE id = ?`).get(id);
  if (!row) return null;
  return {
    name: row.name,
    expiresAt: row.expires_at,
    remainingRequests: row.remaining_requests,
    allowModels: parseList(row.allow_models),
    denyModels: parseList(row.deny_models),
    budgets: parseStoredBudgets(row.budgets) ?? [],
    enabled: row.enabled === 1,
    permissions: readPermissions(row.permissions),
  };
}

/** Writes all settable fields of a sub-key; answers whether it exists. */
export function updateSubkeySettings(db: Database, id: string, settings: SubkeySettings): boolean {
  return (
    statement(
      db,
      `UPDATE subkeys SET name = @name, expires_at = @expiresAt, remaining_requests = @remainingRequests,
         allow_models = @allowModels, deny_models = @denyModels, budgets = @budgets, enabled = @enabled,
         permissions = @permissions
       WHERE id = @id`,
    ).run({ id, ...settingsParams(settings) }).changes > 0
  );
}

/** Replaces the secret's hash and hint (rotation); answers whether the sub-key exists. */
export function setSubkeySecret(db: Database, id: string, secretHash: string, hint: string): boolean {
  return statement(db, 'UPDATE subkeys SET secret_hash = ?, hint = ? WHERE id = ?').run(secretHash, hint, id).changes > 0;
}

/**
 * Deletes a sub-key; its usage rows keep their history with subkey_id NULL and the key's name in subkey_name.
 * Answers whether it existed.
 */
export function deleteSubkey(db: Database, id: string): boolean {
  return db.transaction(() => {
    statement(db, 'UPDATE usage SET subkey_name = (SELECT name FROM subkeys WHERE id = @id) WHERE subkey_id = @id').run({ id });
    return statement(db, 'DELETE FROM subkeys WHERE id = ?').run(id).changes > 0;
  })();
}

/** How many sub-keys use the upstream. */
export function countSubkeysOfUpstream(db: Database, upstreamId: string): number {
  return statement<[string], { n: number }>(db, 'SELECT count(*) AS n FROM subkeys WHERE upstream_id = ?').get(upstreamId)!.n;
}

/** Deletes every sub-key of the upstream, their usage rows keeping each one's name (as `deleteSubkey`); answers how many. */
export function deleteSubkeysOfUpstream(db: Database, upstreamId: string): number {
  return db.transaction(() => {
    statement(
      db,
      `UPDATE usage SET subkey_name = (SELECT name FROM subkeys WHERE subkeys.id = usage.subkey_id)
       WHERE subkey_id IN (SELECT id FROM subkeys WHERE upstream_id = ?)`,
    ).run(upstreamId);
    return statement(db, 'DELETE FROM subkeys WHERE upstream_id = ?').run(upstreamId).changes;
  })();
}

/** Points every sub-key of one upstream at another; answers how many moved. */
export function moveSubkeysToUpstream(db: Database, fromUpstreamId: string, toUpstreamId: string): number {
  return statement(db, 'UPDATE subkeys SET upstream_id = ? WHERE upstream_id = ?').run(toUpstreamId, fromUpstreamId).changes;
}
