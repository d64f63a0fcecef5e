import type { BudgetWindow } from '../../shared/types';

/** A window's bounds in ms since the epoch; `end` is null for `total`, which never resets. */
export interface WindowBounds {
  start: number;
  end: number | null;
}

/**
 * The time zones budgets count in: the current one, and the one before it with when it was replaced, because a change
 * applies from the next window (the window running at the change keeps the bounds it started with).
 */
export interface BudgetZones {
  zone: string;
  previous: { zone: string; changedAt: number } | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The wall-clock reading of `instant` in `zone`. */
export function localTime(instant: number, zone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** The local calendar date of `instant` in `zone`, as a comparable number (days since the epoch). */
function localDay(instant: number, zone: string): number {
  const local = localTime(instant, zone);
  return Date.UTC(local.year, local.month - 1, local.day) / 86_400_000;
}

/**
 * The first instant of the local day `year-month-day` in `zone`: its midnight, or where a DST jump skips midnight,
 * the first instant that exists on that day. A binary search for the first instant whose local date is that day
 * (local dates only move forward, even when clocks go back), so no offset arithmetic can miss a transition. Date.UTC
 * normalises overflow, so `day` may run past the month's end and `month` past December.
 */
export function startOfLocalDay(year: number, month: number, day: number, zone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const target = wall / 86_400_000;
  // UTC offsets lie within −12 h … +14 h: the day starts between these two instants.
  let low = wall - 15 * 3_600_000;
  let high = wall + 13 * 3_600_000;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (localDay(middle, zone) >= target) high = middle;
    else low = middle;
  }
  return high;
}

/** The bounds of the `window` containing `now`, counted in `zone`: midnight, Monday 00:00, the 1st. */
export function zoneWindow(window: BudgetWindow, now: number, zone: string): WindowBounds {
  if (window === 'total') return { start: 0, end: null };
  const local = localTime(now, zone);
  if (window === 'day') {
    return { start: startOfLocalDay(local.year, local.month, local.day, zone), end: startOfLocalDay(local.year, local.month, local.day + 1, zone) };
  }
  if (window === 'week') {
    const monday = local.day - local.weekday;
    return { start: startOfLocalDay(local.year, local.month, monday, zone), end: startOfLocalDay(local.year, local.month, monday + 7, zone) };
  }
  return { start: startOfLocalDay(local.year, local.month, 1, zone), end: startOfLocalDay(local.year, local.month + 1, 1, zone) };
}

/**
 * The bounds of the `window` containing `now`, honouring a time-zone change: the window that was running when the
 * zone changed runs to its end in the old zone; the next one starts there and ends at the new zone's boundary.
 */
export function budgetWindow(window: BudgetWindow, now: number, zones: BudgetZones): WindowBounds {
  if (window === 'total' || zones.previous === null) return zoneWindow(window, now, zones.zone);
  const old = zoneWindow(window, zones.previous.changedAt, zones.previous.zone);
  if (old.end !== null && now >= old.start && now < old.end) return old;
  const current = zoneWindow(window, now, zones.zone);
  if (old.end !== null && current.start < old.end && now >= old.end) return { start: old.end, end: current.end };
  return current;
}

/** The time zone this machine uses, the default for budgets. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
