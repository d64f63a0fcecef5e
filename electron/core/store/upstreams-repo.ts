import type { Upstream } from '../../shared/types';
import type { Database } from './database';
import { isoOrNull, statement } from './statements';

interface UpstreamRow {
  id: string;
  name: string;
  base_url: string;
  key_hint: string;
  created_at: number;
  last_synced_at: number | null;
  pass_through_unknown_endpoints: number;
}

const COLUMNS = 'id, name, base_url, key_hint, created_at, last_synced_at, pass_through_unknown_endpoints';

function toUpstream(row: UpstreamRow): Upstream {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    keyHint: row.key_hint,
    createdAt: new Date(row.created_at).toISOString(),
    lastSyncedAt: isoOrNull(row.last_synced_at),
    passThroughUnknownEndpoints: row.pass_through_unknown_endpoints === 1,
  };
}

export interface NewUpstream {
  id: string;
  name: string;
  baseUrl: string;
  keyCiphertext: Buffer;
  keyHint: string;
  createdAt: number;
  passThroughUnknownEndpoints: boolean;
}

/** Every upstream, oldest first. Never includes the sealed key. */
export function listUpstreams(db: Database): Upstream[] {
  return statement<[], UpstreamRow>(db, `SELECT ${COLUMNS} FROM upstreams ORDER BY created_at, id`).all().map(toUpstream);
}

/** One upstream, or null. */
export function getUpstream(db: Database, id: string): Upstream | null {
  const row = statement<[string], UpstreamRow>(db, `SELECT ${COLUMNS} FROM upstreams WHERE id = ?`).get(id);
  return row ? toUpstream(row) : null;
}

/** What calling the upstream needs: its base URL and sealed key. Only the core reads this. */
export function getUpstreamCredentials(db: Database, id: string): { baseUrl: string; keyCiphertext: Buffer } | null {
  const row = statement<[string], { base_url: string; key_ciphertext: Buffer }>(
    db,
    'SELECT base_url, key_ciphertext FROM upstreams WHERE id = ?',
  ).get(id);
  return row ? { baseUrl: row.base_url, keyCiphertext: row.key_ciphertext } : null;
}

/** Every upstream's name and sealed key (start-up check that the SecretBox can open them). */
export function listUpstreamCiphertexts(db: Database): { name: string; keyCiphertext: Buffer }[] {
  return statement<[], { name: string; key_ciphertext: Buffer }>(db, 'SELECT name, key_ciphertext FROM upstreams ORDER BY created_at, id')
    .all()
    .map((row) => ({ name: row.name, keyCiphertext: row.key_ciphertext }));
}

/** Inserts a new upstream row. */
export function insertUpstream(db: Database, upstream: NewUpstream): void {
  statement(
    db,
    `INSERT INTO upstreams (id, name, base_url, key_ciphertext, key_hint, created_at, pass_through_unknown_endpoints)
     VALUES (@id, @name, @baseUrl, @keyCiphertext, @keyHint, @createdAt, @passThrough)`,
  ).run({ ...upstream, passThrough: upstream.passThroughUnknownEndpoints ? 1 : 0 });
}

export interface UpstreamChanges {
  name?: string | undefined;
  baseUrl?: string | undefined;
  keyCiphertext?: Buffer | undefined;
  keyHint?: string | undefined;
  passThroughUnknownEndpoints?: boolean | undefined;
}

/** Changes the given fields (none of them nullable); answers whether the row exists. */
export function updateUpstream(db: Database, id: string, changes: UpstreamChanges): boolean {
  const result = statement(
    db,
    `UPDATE upstreams SET
       name = COALESCE(@name, name),
       base_url = COALESCE(@baseUrl, base_url),
       key_ciphertext = COALESCE(@keyCiphertext, key_ciphertext),
       key_hint = COALESCE(@keyHint, key_hint),
       pass_through_unknown_endpoints = COALESCE(@passThrough, pass_through_unknown_endpoints)
     WHERE id = @id`,
  ).run({
    id,
    name: changes.name ?? null,
    baseUrl: changes.baseUrl ?? null,
    keyCiphertext: changes.keyCiphertext ?? null,
    keyHint: changes.keyHint ?? null,
    passThrough: changes.passThroughUnknownEndpoints === undefined ? null : changes.passThroughUnknownEndpoints ? 1 : 0,
  });
  return result.changes > 0;
}

/** Records when the upstream's model list was last synced. */
export function setUpstreamSyncedAt(db: Database, id: string, at: number): void {
  statement(db, 'UPDATE upstreams SET last_synced_at = ? WHERE id = ?').run(at, id);
}

/** Deletes the upstream (its models cascade); answers whether it existed. */
export function deleteUpstream(db: Database, id: string): boolean {
  return statement(db, 'DELETE FROM upstreams WHERE id = ?').run(id).changes > 0;
}
