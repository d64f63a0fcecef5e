import { localTime, startOfLocalDay } from '../budgets/windows';
import type { Database } from './database';
import { readSetting, SETTING_KEYS, writeSetting } from './settings-repo';

const DAY_MS = 86_400_000;
/** Every UTC offset in use today, and every daylight-saving jump, is a whole number of quarter hours. */
const QUARTER_HOUR_MS = 900_000;
const MAX_CACHED = 100_000;
const cache = new Map<string, Map<number, number>>();

/**
 * The local calendar date of `at` in `zone`, as the instant its UTC midnight would be (e.g. 2026-03-29 in
 * Europe/Berlin → Date.UTC(2026, 2, 29)): a day key that sorts, steps by DAY_MS, and reads back with a UTC format,
 * whatever the zone. Cached per quarter hour, so the write batcher pays for Intl once per quarter hour, not per row.
 */
export function localDayKey(at: number, zone: string): number {
  let days = cache.get(zone);
  if (!days) {
    days = new Map();
    cache.set(zone, days);
  }
  const quarter = Math.floor(at / QUARTER_HOUR_MS);
  let key = days.get(quarter);
  if (key === undefined) {
    const local = localTime(quarter * QUARTER_HOUR_MS, zone);
    key = Date.UTC(local.year, local.month - 1, local.day);
    if (days.size >= MAX_CACHED) days.clear();
    days.set(quarter, key);
  }
  return key;
}

/** The first instant of the local day `key` (a localDayKey) in `zone`. */
export function localDayStart(key: number, zone: string): number {
  const date = new Date(key);
  return startOfLocalDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), zone);
}

/** The day key `days - 1` days before the local day of `now`: the first day of the last `days` days. */
export function localWindowStart(now: number, days: number, zone: string): number {
  return localDayKey(now, zone) - (days - 1) * DAY_MS;
}

/** Lets SQL group the log by local day: `local_day(at, zone)` is localDayKey. */
export function registerLocalDay(db: Database): void {
  db.function('local_day', { deterministic: true }, (at: unknown, zone: unknown) => localDayKey(Number(at), String(zone)));
}

/**
 * The zone `usage_daily`'s days are keyed in. The roll-up was built in UTC days before zones applied to it, so an
 * unset value means UTC; the write batcher moves it to the settings' zone (rekeying the retained log's days).
 */
export function readRollupZone(db: Database): string {
  const zone = readSetting(db, SETTING_KEYS.usageDailyTimeZone);
  return typeof zone === 'string' ? zone : 'UTC';
}

/** Records the zone the roll-up's days are now keyed in. */
export function writeRollupZone(db: Database, zone: string): void {
  writeSetting(db, SETTING_KEYS.usageDailyTimeZone, zone);
}
