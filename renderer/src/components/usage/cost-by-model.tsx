import { Paper, Table, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format';
import { formatCost } from '../../lib/format-cost';
import { useKeygate } from '../../store/store';
import { USAGE_CHART_DAYS } from '../../store/usage-slice';

/** What each model cost over the chart's days (usage:models, under the sub-key filter), dearest first, with the total. */
export function CostByModel() {
  const { t, i18n } = useTranslation();
  const models = useKeygate((state) => state.usageModels);
  const total = useMemo(
    () =>
      models.reduce(
        (sum, row) => ({
          requests: sum.requests + row.requests,
          totalTokens: sum.totalTokens + row.totalTokens,
          costUsd: sum.costUsd + row.costUsd,
          unpricedRequests: sum.unpricedRequests + row.unpricedRequests,
        }),
        { requests: 0, totalTokens: 0, costUsd: 0, unpricedRequests: 0 },
      ),
    [models],
  );
  if (models.length === 0) return null;
  const number = (value: number) => formatNumber(value, i18n.language);
  return (
    <Paper withBorder radius="md" p="sm" mb="md">
      <Text size="sm" fw={600} mb="xs" id="cost-by-model-title">
        {t('cost.byModelTitle', { days: USAGE_CHART_DAYS })}
      </Text>
      <Table verticalSpacing={4} fz="sm" data-testid="cost-by-model" aria-labelledby="cost-by-model-title">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('cost.model')}</Table.Th>
            <Table.Th ta="right">{t('cost.requests')}</Table.Th>
            <Table.Th ta="right">{t('cost.tokens')}</Table.Th>
            <Table.Th ta="right">{t('cost.column')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {models.map((row) => (
            <Table.Tr key={row.model ?? ''} data-cost-model={row.model ?? ''}>
              <Table.Td>
                {row.model ?? (
                  <Text span size="sm" c="dimmed">
                    {t('cost.noModel')}
                  </Text>
                )}
              </Table.Td>
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
          <Table.Tr>
            <Table.Th>{t('cost.total')}</Table.Th>
            <Table.Th ta="right" ff="monospace">
              {number(total.requests)}
            </Table.Th>
            <Table.Th ta="right" ff="monospace">
              {number(total.totalTokens)}
            </Table.Th>
            <Table.Th ta="right" ff="monospace" data-testid="cost-by-model-total">
              {formatCost(total.costUsd, i18n.language)}
            </Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
      {total.unpricedRequests > 0 && (
        <Text size="xs" c="dimmed" mt="xs" data-testid="cost-by-model-unpriced">
          {t('cost.unpricedRequests', { count: total.unpricedRequests })}
        </Text>
      )}
    </Paper>
  );
}
