import type { UsageDay } from '../../../electron/shared/types';

export interface ChartSeries {
  /** Data key in each row: the sub-key id, `deleted-N` for a deleted key, `unknown`, or `refused`. */
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

/** The data key of the refused-requests series. */
export const REFUSED_SERIES = 'refused';

/**
 * One row per day (missing days as zeros, so the axis is continuous), one series per sub-key, for the chosen metric.
 * A deleted sub-key has a series of its own under the name it had. Counting requests, refused ones (which the
 * request log lists too) are one more series, given `refusedLabel`.
 */
export function usageChartData(
  daily: UsageDay[],
  metric: 'requests' | 'totalTokens',
  days: number,
  nameOf: (subkeyId: string | null, entry: UsageDay) => string,
  now: number = Date.now(),
  refusedLabel?: string,
): ChartData {
  // Deleted keys get index keys: a name may hold a dot, which the chart would read as a path.
  const deleted = [...new Set(daily.filter((entry) => entry.subkeyDeleted).map((entry) => entry.subkeyName))];
  const keyOf = (entry: UsageDay) => entry.subkeyId ?? (entry.subkeyDeleted ? `deleted-${deleted.indexOf(entry.subkeyName)}` : 'unknown');
  // A key with only refused requests that day adds nothing but zeros to its own series.
  const counted = daily.filter((entry) => entry.requests > 0);
  const series = [...new Map(counted.map((entry) => [keyOf(entry), { name: keyOf(entry), label: nameOf(entry.subkeyId, entry) }])).values()];
  const withRefused = metric === 'requests' && refusedLabel !== undefined && daily.some((entry) => entry.refused > 0);
  if (withRefused) series.push({ name: REFUSED_SERIES, label: refusedLabel });
  const rows = lastDays(days, now).map((day) => {
    const row: Record<string, string | number> = { day: day.slice(5) };
    for (const each of series) row[each.name] = 0;
    for (const entry of daily) {
      if (entry.day !== day) continue;
      if (row[keyOf(entry)] !== undefined) row[keyOf(entry)] = (row[keyOf(entry)] as number) + entry[metric];
      if (withRefused) row[REFUSED_SERIES] = (row[REFUSED_SERIES] as number) + entry.refused;
    }
    return row;
  });
  return { rows, series };
}
