import { BudgetThresholdSchema } from '../../shared/output-schemas';
import type { BudgetThreshold } from '../../shared/types';
import type { Database } from './database';
import { statement } from './statements';

/** What was announced for one slot of a key: which window and limit (or expiry) it was for, and how far it got. */
export interface AlertMark {
  mark: string;
  percent: number;
}

/** The slots a key has announced (`'usd month'`, `'expiry'`, …) with their marks. */
export function readAlertMarks(db: Database, subkeyId: string): Map<string, AlertMark> {
  const rows = statement<[string], { slot: string; mark: string; percent: number }>(
    db,
    'SELECT slot, mark, percent FROM threshold_alerts WHERE subkey_id = ?',
  ).all(subkeyId);
  return new Map(rows.map((row) => [row.slot, { mark: row.mark, percent: row.percent }]));
}

/**
 * Records what a slot announced, and the push it sent (alerts:list answers it), replacing what it announced for an
 * earlier window, limit or expiry. A key deleted meanwhile records nothing (its alerts went with it). Answers whether
 * the key still exists.
 */
export function writeAlertMark(db: Database, subkeyId: string, slot: string, mark: AlertMark, at: number, event?: BudgetThreshold): boolean {
  const sql = `INSERT INTO threshold_alerts (subkey_id, slot, mark, percent, fired_at, event) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM subkeys WHERE id = ?)
               ON CONFLICT (subkey_id, slot) DO UPDATE SET mark = excluded.mark, percent = excluded.percent, fired_at = excluded.fired_at, event = excluded.event`;
  return statement(db, sql).run(subkeyId, slot, mark.mark, mark.percent, at, event ? JSON.stringify(event) : null, subkeyId).changes > 0;
}

/**
 * The pushes kept (the latest per key and slot), newest first, at most `limit`, each under its key's current name.
 * Rows written before the push was kept, or that no longer read as one, are left out.
 */
export function recentAlerts(db: Database, limit: number): BudgetThreshold[] {
  const rows = statement<[number], { event: string; name: string }>(
    db,
    `SELECT a.event, s.name FROM threshold_alerts a JOIN subkeys s ON s.id = a.subkey_id
     WHERE a.event IS NOT NULL ORDER BY a.fired_at DESC, a.subkey_id, a.slot LIMIT ?`,
  ).all(limit);
  const alerts: BudgetThreshold[] = [];
  for (const row of rows) {
    const parsed = BudgetThresholdSchema.safeParse(parseJson(row.event));
    if (parsed.success) alerts.push({ ...parsed.data, subkeyName: row.name });
  }
  return alerts;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A key's name, or null when it is gone. */
export function subkeyNameOf(db: Database, subkeyId: string): string | null {
  return statement<[string], string>(db, 'SELECT name FROM subkeys WHERE id = ?').pluck().get(subkeyId) ?? null;
}

/** An enabled key whose expiry is due to be announced. */
export interface ExpiringKey {
  id: string;
  name: string;
  expiresAt: number;
}

/** Enabled keys expiring in (now, until] that were not yet warned of that expiry, soonest first. */
export function unwarnedExpiries(db: Database, now: number, until: number): ExpiringKey[] {
  const sql = `SELECT s.id, s.name, s.expires_at AS expiresAt FROM subkeys s
               LEFT JOIN threshold_alerts a ON a.subkey_id = s.id AND a.slot = 'expiry'
               WHERE s.enabled = 1 AND s.expires_at > ? AND s.expires_at <= ? AND (a.mark IS NULL OR a.mark != CAST(s.expires_at AS TEXT))
               ORDER BY s.expires_at`;
  return statement<[number, number], ExpiringKey>(db, sql).all(now, until);
}

/** The soonest expiry after `after` of an enabled key, or null. */
export function nextExpiryAfter(db: Database, after: number): number | null {
  return statement<[number], number | null>(db, 'SELECT min(expires_at) FROM subkeys WHERE enabled = 1 AND expires_at > ?').pluck().get(after) ?? null;
}
