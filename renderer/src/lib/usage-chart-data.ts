import type { UsageDay } from '../../../electron/shared/types';

export interface ChartSeries {
  /** Data key in each row: the sub-key id, `deleted-N` for a deleted key, `unknown`, `interrupted` or `refused`. */
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

/** What the chart stacks per day: requests, tokens, or cost in US dollars (of the priced requests). */
export type UsageChartMetric = 'requests' | 'totalTokens' | 'costUsd';

/** The series of requests left `interrupted` by a stop of Keygate (charged, answer unknown), apart from the sub-keys'. */
export const INTERRUPTED_SERIES = 'interrupted';

/** The data key of the refused-requests series. */
export const REFUSED_SERIES = 'refused';

/** Labels of the series that are not a sub-key's; a series without a label is not shown apart. */
export interface ApartLabels {
  interrupted?: string;
  refused?: string;
}

/**
 * One row per day (missing days as zeros, so the axis is continuous), one series per sub-key, for the chosen metric.
 * A deleted sub-key has a series of its own under the name it had. Counting requests, the interrupted ones (charged)
 * and the refused ones (which the request log lists too) are series of their own, so each bar is the day's log.
 */
export function usageChartData(
  daily: UsageDay[],
  metric: UsageChartMetric,
  days: number,
  nameOf: (subkeyId: string | null, entry: UsageDay) => string,
  now: number = Date.now(),
  labels: ApartLabels = {},
): ChartData {
  // Deleted keys get index keys: a name may hold a dot, which the chart would read as a path.
  const deleted = [...new Set(daily.filter((entry) => entry.subkeyDeleted).map((entry) => entry.subkeyName))];
  const keyOf = (entry: UsageDay) => entry.subkeyId ?? (entry.subkeyDeleted ? `deleted-${deleted.indexOf(entry.subkeyName)}` : 'unknown');
  const counting = metric === 'requests';
  const withInterrupted = counting && labels.interrupted !== undefined && daily.some((entry) => entry.interrupted > 0);
  const withRefused = counting && labels.refused !== undefined && daily.some((entry) => entry.refused > 0);
  const own = (entry: UsageDay): number => entry[metric] - (withInterrupted ? entry.interrupted : 0);
  // A key with only refused requests that day adds nothing but zeros to its own series.
  const counted = daily.filter((entry) => entry.requests > 0);
  const series = [...new Map(counted.map((entry) => [keyOf(entry), { name: keyOf(entry), label: nameOf(entry.subkeyId, entry) }])).values()];
  if (withInterrupted) series.push({ name: INTERRUPTED_SERIES, label: labels.interrupted! });
  if (withRefused) series.push({ name: REFUSED_SERIES, label: labels.refused! });
  // Days are local to the settings' time zone: ahead of UTC, today there may already be tomorrow here.
  const latest = daily.reduce((last, entry) => Math.max(last, Date.parse(`${entry.day}T00:00:00Z`) || 0), 0);
  const rows = lastDays(days, Math.max(now, latest)).map((day) => {
    const row: Record<string, string | number> = { day: day.slice(5) };
    for (const each of series) row[each.name] = 0;
    for (const entry of daily) {
      if (entry.day !== day) continue;
      if (row[keyOf(entry)] !== undefined) row[keyOf(entry)] = (row[keyOf(entry)] as number) + own(entry);
      if (withInterrupted) row[INTERRUPTED_SERIES] = (row[INTERRUPTED_SERIES] as number) + entry.interrupted;
      if (withRefused) row[REFUSED_SERIES] = (row[REFUSED_SERIES] as number) + entry.refused;
    }
    return row;
  });
  return { rows, series };
}
