import { describe, expect, it } from 'vitest';
import type { UsageDay } from '../../electron/shared/types';
import { INTERRUPTED_SERIES, lastDays, usageChartData } from '../../renderer/src/lib/usage-chart-data';

const NOW = Date.parse('2026-11-26T15:00:00Z');

function day(overrides: Partial<UsageDay> & Pick<UsageDay, 'day' | 'subkeyId'>): UsageDay {
  return { subkeyName: null, subkeyDeleted: false, requests: 0, interrupted: 0, refused: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0, ...overrides };
}

describe('usage chart data', () => {
  it('covers the last N UTC days, oldest first, ending today', () => {
    expect(lastDays(3, NOW)).toEqual(['2026-11-24', '2026-11-25', '2026-11-26']);
  });

  it('has one row per day (zeros where nothing happened) and one series per sub-key, for the chosen metric', () => {
    const daily = [
      day({ day: '2026-11-26', subkeyId: 'a', requests: 3, totalTokens: 54 }),
      day({ day: '2026-11-24', subkeyId: 'b', requests: 1, totalTokens: 18 }),
      day({ day: '2026-11-26', subkeyId: null, requests: 2, totalTokens: 0 }),
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
      day({ day: '2026-11-26', subkeyId: 'a', requests: 3, interrupted: 1, totalTokens: 36 }),
      day({ day: '2026-11-25', subkeyId: 'b', requests: 2, interrupted: 2, totalTokens: 0 }),
    ];
    const requests = usageChartData(daily, 'requests', 2, (id) => id ?? '?', NOW, { interrupted: 'Interrupted (charged)' });
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

  it('counts refused requests as their own series, so the chart adds up to the request log', () => {
    const daily = [
      day({ day: '2026-11-26', subkeyId: 'a', requests: 3, refused: 2, totalTokens: 54 }),
      day({ day: '2026-11-26', subkeyId: null, requests: 0, refused: 4 }),
      day({ day: '2026-11-25', subkeyId: 'b', requests: 1, refused: 0, totalTokens: 18 }),
    ];
    const names: Record<string, string> = { a: 'alice', b: 'bob' };
    const requests = usageChartData(daily, 'requests', 2, (id) => (id ? names[id]! : 'unknown key'), NOW, { refused: 'Refused' });
    expect(requests.series).toEqual([
      { name: 'a', label: 'alice' },
      { name: 'b', label: 'bob' },
      { name: 'refused', label: 'Refused' },
    ]);
    expect(requests.rows).toEqual([
      { day: '11-25', a: 0, b: 1, refused: 0 },
      { day: '11-26', a: 3, b: 0, refused: 6 },
    ]);
    const total = (row: Record<string, string | number>) => Object.values(row).reduce<number>((sum, value) => sum + (typeof value === 'number' ? value : 0), 0);
    expect(requests.rows.map(total).reduce((sum, value) => sum + value, 0)).toBe(3 + 2 + 4 + 1);
    expect(usageChartData(daily, 'totalTokens', 2, () => '', NOW, { refused: 'Refused' }).series.map((series) => series.name)).toEqual(['a', 'b']);
  });

  it('gives a deleted sub-key its own series under the name it had, apart from unknown keys', () => {
    const daily = [
      day({ day: '2026-11-26', subkeyId: null, subkeyName: 'old.bot', subkeyDeleted: true, requests: 2 }),
      day({ day: '2026-11-26', subkeyId: null, requests: 1 }),
    ];
    const data = usageChartData(daily, 'requests', 1, (id, entry) => (entry.subkeyDeleted ? `${entry.subkeyName} (deleted)` : 'unknown key'), NOW);
    expect(data.series).toEqual([
      { name: 'deleted-0', label: 'old.bot (deleted)' },
      { name: 'unknown', label: 'unknown key' },
    ]);
    expect(data.rows).toEqual([{ day: '11-26', 'deleted-0': 2, unknown: 1 }]);
  });

  it('stacks the cost of each sub-key per day, without the interrupted or refused series', () => {
    const daily = [
      day({ day: '2026-11-26', subkeyId: 'a', requests: 3, interrupted: 1, refused: 2, costUsd: 0.0125, unpricedRequests: 1 }),
      day({ day: '2026-11-25', subkeyId: 'b', requests: 1, costUsd: 0.5 }),
    ];
    const data = usageChartData(daily, 'costUsd', 2, (id) => id!, NOW, { interrupted: 'Interrupted', refused: 'Refused' });
    expect(data.series.map((series) => series.name)).toEqual(['a', 'b']);
    expect(data.rows).toEqual([
      { day: '11-25', a: 0, b: 0.5 },
      { day: '11-26', a: 0.0125, b: 0 },
    ]);
  });

  it("ends at the latest local day the totals hold, when the settings' zone is ahead of UTC", () => {
    // 23:30 UTC on the 26th is already the 27th in Asia/Shanghai, where the roll-up counted this request.
    const lateUtc = Date.parse('2026-11-26T23:30:00Z');
    const data = usageChartData([day({ day: '2026-11-27', subkeyId: 'a', requests: 1 })], 'requests', 2, () => 'alice', lateUtc);
    expect(data.rows).toEqual([
      { day: '11-26', a: 0 },
      { day: '11-27', a: 1 },
    ]);
  });
});
