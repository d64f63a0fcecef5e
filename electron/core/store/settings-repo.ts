import type { Database } from './database';
import { statement } from './statements';

/** Well-known keys of the settings table. */
export const SETTING_KEYS = {
  proxyHost: 'proxy.host',
  proxyPort: 'proxy.port',
  proxyAutoStart: 'proxy.autoStart',
  adminTokenHash: 'admin.tokenHash',
  budgetTimeZone: 'budgets.timeZone',
  /** `{ zone, changedAt }`: the zone before the last change, which the window running at the change keeps. */
  budgetPreviousTimeZone: 'budgets.previousTimeZone',
  defaultOutputTokens: 'budgets.defaultOutputTokens',
  /** The time zone the `usage_daily` roll-up's days are keyed in (unset: UTC). */
  usageDailyTimeZone: 'usage.dailyTimeZone',
  /** Days the request log keeps its rows (usage-retention.ts). */
  usageRetentionDays: 'usage.retentionDays',
} as const;

/** A setting's JSON value, or undefined when unset (or unreadable: treated as unset, never a crash). */
export function readSetting(db: Database, key: string): unknown {
  const value = statement<[string], string>(db, 'SELECT value FROM settings WHERE key = ?').pluck().get(key);
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** Stores a JSON value under `key`. */
export function writeSetting(db: Database, key: string, value: unknown): void {
  statement(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
  settingsChanged(db);
}

/** Removes a setting. */
export function deleteSetting(db: Database, key: string): void {
  statement(db, 'DELETE FROM settings WHERE key = ?').run(key);
  settingsChanged(db);
}

const versions = new WeakMap<Database, number>();

/**
 * How often settings were written (through this module) on `db`: a reader on the proxy's hot path keeps its parsed
 * setting until this changes, instead of a SELECT per request.
 */
export function settingsVersion(db: Database): number {
  return versions.get(db) ?? 0;
}

function settingsChanged(db: Database): void {
  versions.set(db, settingsVersion(db) + 1);
}
