import type { Model } from '../../shared/types';
import type { Database } from './database';
import { statement } from './statements';

interface ModelRow {
  id: string;
  upstream_id: string;
  owned_by: string | null;
  synced_at: number;
}

function toModel(row: ModelRow): Model {
  return { id: row.id, upstreamId: row.upstream_id, ownedBy: row.owned_by, syncedAt: new Date(row.synced_at).toISOString() };
}

export interface ModelListing {
  id: string;
  ownedBy: string | null;
}

/** The upstream's models, sorted by id. */
export function listModels(db: Database, upstreamId: string): Model[] {
  return statement<[string], ModelRow>(
    db,
    'SELECT id, upstream_id, owned_by, synced_at FROM models WHERE upstream_id = ? ORDER BY id',
  )
    .all(upstreamId)
    .map(toModel);
}

/** Replaces the upstream's models with `models`. Run it inside a transaction: it deletes, then inserts. */
export function replaceModels(db: Database, upstreamId: string, models: readonly ModelListing[], syncedAt: number): void {
  statement(db, 'DELETE FROM models WHERE upstream_id = ?').run(upstreamId);
  const insert = statement(
    db,
    'INSERT OR REPLACE INTO models (upstream_id, id, owned_by, synced_at) VALUES (?, ?, ?, ?)',
  );
  for (const model of models) insert.run(upstreamId, model.id, model.ownedBy, syncedAt);
}
