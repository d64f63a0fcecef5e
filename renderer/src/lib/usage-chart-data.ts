import type { UsageDay } from '../../../electron/shared/types';

export interface ChartSeries {
  /** Data key in each row: the sub-key id (or `unknown`). */
  name: string;
  label: string;
}

export interface ChartData {
  rows: Record<string, string | number>[];
  series: ChartSeries[];
}

/** The last `days` UTC days ending today, oldest first, as YYYY-MM-DD. */
export function lastDays(days: number, now: number = Date.now()): string[] {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  return Array.from({ length: days }, (_, index) => new Date(today - (days - 1 - index) * 86_400_000).toISOString().slice(0, 10));
}

/** The series of requests left `interrupted` by a stop of Keygate (charged, answer unknown), apart from the sub-keys'. */
export const INTERRUPTED_SERIES = 'interrupted';

/**
 * One row per day (missing days as zeros, so the axis is continuous), one series per sub-key, for the chosen metric.
 * Counting requests, the interrupted ones are one more series stacked on top, so each bar is every charged request.
 */
export function usageChartData(
  daily: UsageDay[],
  metric: 'requests' | 'totalTokens',
  days: number,
  nameOf: (subkeyId: string | null) => string,
  now: number = Date.now(),
  interruptedLabel = 'interrupted',
): ChartData {
  const keyOf = (subkeyId: string | null) => subkeyId ?? 'unknown';
  const series = [...new Map(daily.map((day) => [keyOf(day.subkeyId), { name: keyOf(day.subkeyId), label: nameOf(day.subkeyId) }])).values()];
  const apart = metric === 'requests' && daily.some((day) => day.interrupted > 0);
  if (apart) series.push({ name: INTERRUPTED_SERIES, label: interruptedLabel });
  const rows = lastDays(days, now).map((day) => {
    const row: Record<string, string | number> = { day: day.slice(5) };
    for (const each of series) row[each.name] = 0;
    for (const entry of daily) {
      if (entry.day !== day) continue;
      const interrupted = apart ? entry.interrupted : 0;
      row[keyOf(entry.subkeyId)] = (row[keyOf(entry.subkeyId)] as number) + entry[metric] - interrupted;
      if (apart) row[INTERRUPTED_SERIES] = (row[INTERRUPTED_SERIES] as number) + interrupted;
    }
    return row;
  });
  return { rows, series };
}
