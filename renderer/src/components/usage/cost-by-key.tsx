import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { UsageDay } from '../../../../electron/shared/types';
import { costByKey } from '../../lib/usage-cost';
import { useKeygate } from '../../store/store';
import { CostTable, type CostTableNames } from './cost-table';

const NAMES: CostTableNames = { testId: 'cost-by-key', title: 'cost.byKeyTitle', column: 'usage.key', totalTestId: 'cost-total', unpricedTestId: 'cost-unpriced', footData: { 'data-cost-key': '' } };

/** What each sub-key cost over the chart's days (from the per-day totals), dearest first, with the total. */
export function CostByKey() {
  const { t } = useTranslation();
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
  const lines = keys.map((row) => ({ ...row, id: row.key, data: { 'data-cost-key': row.label } }));
  return <CostTable names={NAMES} lines={lines} total={total} />;
}
