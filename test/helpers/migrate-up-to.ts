import type BetterSqlite3 from 'better-sqlite3';
import { migrations } from '../../electron/core/store/migrations';

/**
 * Runs the migrations that come before the one named `name` on a raw database and sets user_version there: the store
 * as a Keygate from before that migration left it, for tests that add rows the old way and then open it to watch the
 * migration carry them. Looked up by name, so no test hard-codes a migration number (the integrator reorders them).
 */
export function migrateUpTo(raw: BetterSqlite3.Database, name: string): void {
  const before = migrations.findIndex((migration) => migration.name === name);
  if (before <= 0) throw new Error(`no migration named ${name} after the first one`);
  for (const migration of migrations.slice(0, before)) migration(raw);
  raw.pragma(`user_version = ${before}`);
}
