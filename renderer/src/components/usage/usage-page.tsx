import { Button, Center, Group, Select, SimpleGrid } from '@mantine/core';
import { IconChartBar, IconDownload } from '@tabler/icons-react';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/api-error';
import { useKeygate } from '../../store/store';
import { EmptyState } from '../common/empty-state';
import { PageHeader } from '../common/page-header';
import { CostByKey } from './cost-by-key';
import { CostByModel } from './cost-by-model';
import { RefusalsPanel } from './refusals-panel';
import { StoragePanel } from './storage-panel';
import { UsageChart } from './usage-chart';
import { UsageTable } from './usage-table';

/** Recent requests and per-day totals, for all sub-keys or one; with all, the refusals before authentication too. */
export function UsagePage() {
  const { t } = useTranslation();
  const usage = useKeygate((state) => state.usage);
  const subkeys = useKeygate((state) => state.subkeys);
  const subkeyId = useKeygate((state) => state.usageSubkeyId);
  const setUsageSubkey = useKeygate((state) => state.setUsageSubkey);
  const hasMore = useKeygate((state) => state.usageHasMore);
  const loadOlderUsage = useKeygate((state) => state.loadOlderUsage);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const exportUsage = useKeygate((state) => state.exportUsage);
  const [exporting, setExporting] = useState(false);

  async function exportCsv() {
    setExporting(true);
    try {
      const saved = await exportUsage();
      // null: the save dialog was cancelled.
      if (saved.path !== null) notifications.show({ color: 'teal', message: t('cost.exported', { count: saved.rows, path: saved.path }) });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    } finally {
      setExporting(false);
    }
  }

  async function loadOlder() {
    setLoadingOlder(true);
    try {
      await loadOlderUsage();
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    } finally {
      setLoadingOlder(false);
    }
  }
  return (
    <>
      <PageHeader
        title={t('usage.title')}
        subtitle={t('usage.subtitle')}
        action={
          // "All sub-keys" is the empty value, shown as a placeholder, so typing searches the keys instead of
          // appending to that label; clearing goes back to all.
          <Group gap="xs">
            <Select
              size="xs"
              w={200}
              aria-label={t('usage.key')}
              placeholder={t('usage.allKeys')}
              value={subkeyId}
              searchable
              clearable
              clearButtonProps={{ 'aria-label': t('usage.showAllKeys'), 'aria-hidden': false, tabIndex: 0 }}
              nothingFoundMessage={t('usage.noKeyMatch')}
              onChange={(value) => setUsageSubkey(value || null).catch((error) => notifications.show({ color: 'red', message: errorMessage(error) }))}
              data={subkeys.map((subkey) => ({ value: subkey.id, label: subkey.name }))}
            />
            <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={exporting} onClick={exportCsv}>
              {t('cost.export')}
            </Button>
          </Group>
        }
      />
      <UsageChart />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <CostByKey />
        <CostByModel />
      </SimpleGrid>
      {subkeyId === null && <RefusalsPanel />}
      {usage.length === 0 ? <EmptyState icon={<IconChartBar size={22} />} title={t('usage.title')} text={t('usage.empty')} /> : <UsageTable entries={usage} />}
      {hasMore && (
        <Center mt="sm">
          <Button variant="default" size="xs" loading={loadingOlder} onClick={loadOlder}>
            {t('usage.older')}
          </Button>
        </Center>
      )}
      <StoragePanel />
    </>
  );
}
