import type { Database } from '../store/database';
import { readSetting, settingsVersion, SETTING_KEYS, writeSetting } from '../store/settings-repo';
import { isTimeZone, systemTimeZone, type BudgetZones } from './windows';

/** Output tokens reserved for a request that names no output cap, unless the settings say otherwise. */
export const DEFAULT_OUTPUT_TOKENS = 4096;

/** The time zones budgets count in (settings, else the system's), with the zone replaced last and when. */
export function readBudgetZones(db: Database): BudgetZones {
  const zone = readSetting(db, SETTING_KEYS.budgetTimeZone);
  const previous = readSetting(db, SETTING_KEYS.budgetPreviousTimeZone) as { zone?: unknown; changedAt?: unknown } | undefined;
  const valid =
    typeof previous === 'object' && previous !== null && typeof previous.zone === 'string' && isTimeZone(previous.zone) && typeof previous.changedAt === 'number';
  return {
    zone: typeof zone === 'string' && isTimeZone(zone) ? zone : systemTimeZone(),
    previous: valid ? { zone: previous.zone as string, changedAt: previous.changedAt as number } : null,
  };
}

/**
 * Sets the budgets' time zone. The change applies from the next window, so the zone in use until now is kept with
 * the time of the change (the windows running now end where they would have).
 */
export function writeBudgetTimeZone(db: Database, zone: string, now: number): void {
  const current = readBudgetZones(db).zone;
  if (zone === current) return;
  writeSetting(db, SETTING_KEYS.budgetPreviousTimeZone, { zone: current, changedAt: now });
  writeSetting(db, SETTING_KEYS.budgetTimeZone, zone);
}

const outputTokens = new WeakMap<Database, { version: number; value: number }>();

/** Output tokens reserved for a request that names no output cap (read once per change of the settings). */
export function readDefaultOutputTokens(db: Database): number {
  const version = settingsVersion(db);
  const cached = outputTokens.get(db);
  if (cached && cached.version === version) return cached.value;
  const stored = readSetting(db, SETTING_KEYS.defaultOutputTokens);
  const value = Number.isInteger(stored) && (stored as number) > 0 ? (stored as number) : DEFAULT_OUTPUT_TOKENS;
  outputTokens.set(db, { version, value });
  return value;
}
