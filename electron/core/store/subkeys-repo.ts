import { parsePermissions, type Permissions } from '../../shared/permissions';
import type { Subkey, SubkeyStatus } from '../../shared/types';
import type { Database } from './database';
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
  enabled: number;
  last_used_at: number | null;
  permissions: string;
}

const COLUMNS =
  'id, name, upstream_id, hint, created_at, expires_at, remaining_requests, allow_models, deny_models, enabled, last_used_at, permissions';

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

function toSubkey(row: SubkeyRow, now: number): Subkey {
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
    .map((row) => toSubkey(row, now));
}

/** One sub-key, or null. */
export function getSubkey(db: Database, id: string, now = Date.now()): Subkey | null {
  const row = statement<[string], SubkeyRow>(db, `SELECT ${COLUMNS} FROM subkeys WHERE id = ?`).get(id);
  return row ? toSubkey(row, now) : null;
}

/** The fields a caller may set; times in ms. */
export interface SubkeySettings {
  name: string;
  expiresAt: number | null;
  remainingRequests: number | null;
  allowModels: readonly string[];
  denyModels: readonly string[];
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
                          allow_models, deny_models, enabled, permissions)
     VALUES (@id, @name, @upstreamId, @secretHash, @hint, @createdAt, @expiresAt, @remainingRequests,
             @allowModels, @denyModels, @enabled, @permissions)`,
  ).run({ ...key, ...settingsParams(key) });
}

function settingsParams(settings: SubkeySettings) {
  return {
    name: settings.name,
    expiresAt: settings.expiresAt,
    remainingRequests: settings.remainingRequests,
    allowModels: JSON.stringify(settings.allowModels),
    denyModels: JSON.stringify(settings.denyModels),
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
         allow_models = @allowModels, deny_models = @denyModels, enabled = @enabled,
         permissions = @permissions
       WHERE id = @id`,
    ).run({ id, ...settingsParams(settings) }).changes > 0
  );
}

/** Replaces the secret's hash and hint (rotation); answers whether the sub-key exists. */
export function setSubkeySecret(db: Database, id: string, secretHash: string, hint: string): boolean {
  return statement(db, 'UPDATE subkeys SET secret_hash = ?, hint = ? WHERE id = ?').run(secretHash, hint, id).changes > 0;
}

/** Deletes a sub-key (usage rows keep their history with subkey_id NULL); answers whether it existed. */
export function deleteSubkey(db: Database, id: string): boolean {
  return statement(db, 'DELETE FROM subkeys WHERE id = ?').run(id).changes > 0;
}

/** How many sub-keys use the upstream. */
export function countSubkeysOfUpstream(db: Database, upstreamId: string): number {
  return statement<[string], { n: number }>(db, 'SELECT count(*) AS n FROM subkeys WHERE upstream_id = ?').get(upstreamId)!.n;
}
