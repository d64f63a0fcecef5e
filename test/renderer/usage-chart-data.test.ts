import { describe, expect, it } from 'vitest';
import { INTERRUPTED_SERIES, lastDays, usageChartData } from '../../renderer/src/lib/usage-chart-data';

const NOW = Date.parse('2026-11-26T15:00:00Z');

describe('usage chart data', () => {
  it('covers the last N UTC days, oldest first, ending today', () => {
    expect(lastDays(3, NOW)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26']);
  });

  it('has one row per day (zeros where nothing happened) and one series per sub-key, for the chosen metric', () => {
    const daily = [
      { day: '2026-11-26', subkeyId: 'a', requests: 3, interrupted: 0, totalTokens: 54 },
      { day: '2026-11-24', subkeyId: 'b', requests: 1, interrupted: 0, totalTokens: 18 },
      { day: '2026-11-26', subkeyId: null, requests: 2, interrupted: 0, totalTokens: 0 },
    ];
    const names: Record<string, string> = { a: 'alice', b: 'bob' };
    const requests = usageChartData(daily, 'requests', 3, (id) => (id ? names[id]! : 'unknown key'), NOW);
    expect(requests.series).toEqual([
      { name: 'a', label: 'alice' },
      { name: 'b', label: 'bob' },
      { name: 'unknown', label: 'unknown key' },
    ]);
    expect(requests.rows).toEqual([
      { day: '11-24', a: 0, b: 1, unknown: 0 },
      { day: '11-25', a: 0, b: 0, unknown: 0 },
      { day: '11-26', a: 3, b: 0, unknown: 2 },
    ]);
    expect(usageChartData(daily, 'totalTokens', 3, () => '', NOW).rows[2]).toEqual({ day: '11-26', a: 54, b: 0, unknown: 0 });
  });

  it('stacks interrupted requests (charged, answer unknown) as a series of their own when counting requests', () => {
    const daily = [
      { day: '2026-11-26', subkeyId: 'a', requests: 3, interrupted: 1, totalTokens: 36 },
      { day: '2026-11-25', subkeyId: 'b', requests: 2, interrupted: 2, totalTokens: 0 },
    ];
    const requests = usageChartData(daily, 'requests', 2, (id) => id ?? '?', NOW, 'Interrupted (charged)');
    expect(requests.series).toEqual([
      { name: 'a', label: 'a' },
      { name: 'b', label: 'b' },
      { name: INTERRUPTED_SERIES, label: 'Interrupted (charged)' },
    ]);
    expect(requests.rows).toEqual([
      { day: '11-25', a: 0, b: 0, [INTERRUPTED_SERIES]: 2 },
      { day: '11-26', a: 2, b: 0, [INTERRUPTED_SERIES]: 1 },
    ]);
    const tokens = usageChartData(daily, 'totalTokens', 2, (id) => id ?? '?', NOW);
    expect(tokens.series.map((series) => series.name)).toEqual(['a', 'b']);
    expect(tokens.rows[1]).toEqual({ day: '11-26', a: 36, b: 0 });
  });
});
