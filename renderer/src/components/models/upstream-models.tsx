import { Badge, Button, Group, Paper, ScrollArea, Stack, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Model, Upstream } from '../../../../electron/shared/types';
import { errorMessage } from '../../api/api-error';
import { ago, formatDateTime } from '../../lib/format';
import { useKeygate } from '../../store/store';

const EMPTY: Model[] = [];

/** One upstream's models: sync button with progress, last-synced time, and the list filtered by `query`. */
export function UpstreamModels({ upstream, query }: { upstream: Upstream; query: string }) {
  const { t } = useTranslation();
  const models = useKeygate((state) => state.models[upstream.id] ?? EMPTY);
  const syncing = useKeygate((state) => state.syncing[upstream.id] ?? false);
  const syncModels = useKeygate((state) => state.syncModels);
  const needle = query.trim().toLowerCase();
  const shown = needle ? models.filter((model) => model.id.toLowerCase().includes(needle)) : models;

  async function sync() {
    try {
      const list = await syncModels(upstream.id);
      notifications.show({ message: `${upstream.name}: ${t('models.synced', { count: list.length })}` });
    } catch (error) {
      notifications.show({ color: 'red', title: upstream.name, message: errorMessage(error) });
    }
  }

  return (
    <Paper withBorder radius="md" p="sm" data-upstream-models={upstream.name}>
      <Group justify="space-between" mb={models.length > 0 ? 'xs' : 0}>
        <Stack gap={0}>
          <Group gap="xs">
            <Text fw={600} size="sm">
              {upstream.name}
            </Text>
            <Badge variant="default" size="sm" radius="sm" data-testid="model-count">
              {t('models.count', { count: models.length })}
            </Badge>
          </Group>
          {upstream.lastSyncedAt ? (
            <Tooltip label={formatDateTime(upstream.lastSyncedAt)}>
              <Text size="xs" c="dimmed">
                {t('models.lastSynced', { when: ago(upstream.lastSyncedAt) })}
              </Text>
            </Tooltip>
          ) : (
            <Text size="xs" c="dimmed">
              {t('models.neverSynced')}
            </Text>
          )}
        </Stack>
        <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={syncing} onClick={sync} aria-label={`${t('models.sync')} ${upstream.name}`}>
          {syncing ? t('models.syncing') : t('models.sync')}
        </Button>
      </Group>
      {models.length === 0 ? (
        <Text size="sm" c="dimmed" mt="xs">
          {t('models.emptyModels')}
        </Text>
      ) : shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('models.noMatch', { query })}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={320}>
          <Table verticalSpacing={4} fz="sm">
            <Table.Tbody>
              {shown.map((model) => (
                <Table.Tr key={model.id}>
                  <Table.Td ff="monospace">{model.id}</Table.Td>
                  <Table.Td c="dimmed" ta="right">
                    {model.ownedBy ?? ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
