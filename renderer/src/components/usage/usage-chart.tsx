import { BarChart } from '@mantine/charts';
import { Group, Paper, SegmentedControl, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UsageDay } from '../../../../electron/shared/types';
import { formatCost } from '../../lib/format-cost';
import { INTERRUPTED_SERIES, REFUSED_SERIES, usageChartData, type UsageChartMetric } from '../../lib/usage-chart-data';
import { useNow } from '../../lib/use-now';
import { useKeygate } from '../../store/store';
import { USAGE_CHART_DAYS } from '../../store/usage-slice';

const REFUSED_COLOR = 'gray.5';
const INTERRUPTED_COLOR = 'yellow.6';
const PALETTE = ['indigo.6', 'teal.6', 'grape.5', 'orange.5', 'cyan.6', 'pink.5', 'lime.6', 'yellow.6'];

/**
 * Requests, tokens or cost per day, stacked by sub-key; counting requests, interrupted (charged) and refused ones are
 * series of their own.
 * Shows the Usage screen's totals, or the `daily` given (a key's own page).
 */
export function UsageChart({ daily: given }: { daily?: UsageDay[] } = {}) {
  const { t, i18n } = useTranslation();
  const shown = useKeygate((state) => state.usageDaily);
  const daily = given ?? shown;
  const subkeys = useKeygate((state) => state.subkeys);
  const [metric, setMetric] = useState<UsageChartMetric>('requests');
  const now = useNow();
  const data = useMemo(() => {
    const names = new Map(subkeys.map((subkey) => [subkey.id, subkey.name]));
    const nameOf = (id: string | null, entry: UsageDay) =>
      entry.subkeyDeleted
        ? t('usage.deletedKey', { name: entry.subkeyName })
        : id
          ? (names.get(id) ?? entry.subkeyName ?? t('usage.deleted'))
          : t('usage.unknownKey');
    return usageChartData(daily, metric, USAGE_CHART_DAYS, nameOf, now, { interrupted: t('usage.interruptedSeries'), refused: t('usage.refusedSeries') });
  }, [daily, metric, subkeys, t, now]);

  return (
    <Paper withBorder radius="md" p="sm" mb="md">
      <Group justify="space-between" mb="xs">
        <Text size="sm" fw={600}>
          {t('usage.chartTitle', { days: USAGE_CHART_DAYS })}
        </Text>
        <SegmentedControl
          size="xs"
          value={metric}
          onChange={(value) => setMetric(value as UsageChartMetric)}
          data={[
            { value: 'requests', label: t('usage.requests') },
            { value: 'totalTokens', label: t('usage.tokens') },
            { value: 'costUsd', label: t('cost.metric') },
          ]}
        />
      </Group>
      <BarChart
        h={200}
        data={data.rows}
        dataKey="day"
        type="stacked"
        withLegend={data.series.length > 1}
        legendProps={{ verticalAlign: 'bottom', height: 24 }}
        series={data.series.map((series, index) => ({
          name: series.name,
          label: series.label,
          color: series.name === REFUSED_SERIES ? REFUSED_COLOR : series.name === INTERRUPTED_SERIES ? INTERRUPTED_COLOR : PALETTE[index % PALETTE.length]!,
        }))}
        // Counts are whole numbers: no 0.5-request ticks on a quiet day. Dollars are not.
        yAxisProps={{ allowDecimals: metric === 'costUsd' }}
        valueFormatter={metric === 'costUsd' ? (value) => formatCost(value, i18n.language) : undefined}
        tickLine="none"
        gridAxis="x"
        maxBarWidth={28}
        tooltipAnimationDuration={0}
        data-testid="usage-chart"
      />
    </Paper>
  );
}
