import { Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';
import { CostTable, type CostTableNames, type CostTotal } from './cost-table';

const NAMES: CostTableNames = { testId: 'cost-by-model', title: 'cost.byModelTitle', column: 'cost.model', totalTestId: 'cost-by-model-total', unpricedTestId: 'cost-by-model-unpriced' };

/** What each model cost over the chart's days (usage:models, under the sub-key filter), dearest first, with the total. */
export function CostByModel() {
  const { t } = useTranslation();
  const models = useKeygate((state) => state.usageModels);
  const total = useMemo(
    () =>
      models.reduce<CostTotal>(
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
  const lines = models.map((row) => ({
    ...row,
    id: row.model ?? '',
    data: { 'data-cost-model': row.model ?? '' },
    label: row.model ?? (
      <Text span size="sm" c="dimmed">
        {t('cost.noModel')}
      </Text>
    ),
  }));
  return <CostTable names={NAMES} lines={lines} total={total} />;
}
