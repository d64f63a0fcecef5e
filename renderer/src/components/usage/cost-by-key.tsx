import { Paper, Table, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { UsageDay } from '../../../../electron/shared/types';
import { formatNumber } from '../../lib/format';
import { formatCost } from '../../lib/format-cost';
import { costByKey } from '../../lib/usage-cost';
import { useKeygate } from '../../store/store';
import { USAGE_CHART_DAYS } from '../../store/usage-slice';

/** What each sub-key cost over the chart's days (from the per-day totals), dearest first, with the total. */
export function CostByKey() {
  const { t, i18n } = useTranslation();
  const daily = useKeygate((state) => state.usageDaily);
  const subkeys = useKeygate((state) => state.subkeys);
  const { keys, total } = useMemo(() => {
    const names = new Map(subkeys.map((subkey) => [subkey.id, subkey.name]));
    const nameOf = (entry: UsageDay) =>
      entry.subkeyDeleted
        ? t('usage.deletedKey', { name: entry.subkeyName })
        : entry.subkeyId
          ? (names.get(entry.subkeyId) ?? entry.subkeyName ?? t('usage.deleted'))
          : t('usage.unknownKey');
    return costByKey(daily, nameOf);
  }, [daily, subkeys, t]);
  if (keys.length === 0) return null;
  const number = (value: number) => formatNumber(value, i18n.language);
  return (
    <Paper withBorder radius="md" p="sm" mb="md">
      <Text size="sm" fw={600} mb="xs" id="cost-by-key-title">
        {t('cost.byKeyTitle', { days: USAGE_CHART_DAYS })}
      </Text>
      <Table verticalSpacing={4} fz="sm" data-testid="cost-by-key" aria-labelledby="cost-by-key-title">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('usage.key')}</Table.Th>
            <Table.Th ta="right">{t('cost.requests')}</Table.Th>
            <Table.Th ta="right">{t('cost.tokens')}</Table.Th>
            <Table.Th ta="right">{t('cost.column')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((row) => (
            <Table.Tr key={row.key} data-cost-key={row.label}>
              <Table.Td>{row.label}</Table.Td>
              <Table.Td ta="right" ff="monospace">
                {number(row.requests)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {number(row.totalTokens)}
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {formatCost(row.costUsd, i18n.language)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr data-cost-key="">
            <Table.Th>{t('cost.total')}</Table.Th>
            <Table.Th ta="right" ff="monospace">
              {number(total.requests)}
            </Table.Th>
            <Table.Th ta="right" ff="monospace">
              {number(total.totalTokens)}
            </Table.Th>
            <Table.Th ta="right" ff="monospace" data-testid="cost-total">
              {formatCost(total.costUsd, i18n.language)}
            </Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
      {total.unpricedRequests > 0 && (
        <Text size="xs" c="dimmed" mt="xs" data-testid="cost-unpriced">
          {t('cost.unpricedRequests', { count: total.unpricedRequests })}
        </Text>
      )}
    </Paper>
  );
}
