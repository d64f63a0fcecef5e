import { ActionIcon, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconPencil, IconPlugConnected, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionTest, Upstream } from '../../../../electron/shared/types';
import { ApiError, errorMessage } from '../../api/api-error';
import { localizeError, type CoreMessage } from '../../i18n/error-messages';
import { ago, formatDateTime } from '../../lib/format';
import { useKeygate, useKeygateStore } from '../../store/store';

/** One upstream: name, base URL, key hint, last sync, and a connection test whose result shows in place. */
export function UpstreamRow({ upstream }: { upstream: Upstream }) {
  const { t } = useTranslation();
  const store = useKeygateStore();
  const openModal = useKeygate((state) => state.openModal);
  const [testing, setTesting] = useState(false);
  // A failure is kept as the core said it and worded at render, so it follows a language switch.
  const [result, setResult] = useState<ConnectionTest | (CoreMessage & { ok: false }) | null>(null);

  async function test() {
    setTesting(true);
    setResult(null);
    try {
      setResult(await store.getState().testUpstream(upstream.id));
    } catch (error) {
      setResult(error instanceof ApiError ? { ok: false, message: error.message, reason: error.reason, params: error.params } : { ok: false, message: errorMessage(error) });
    } finally {
      setTesting(false);
    }
  }

  return (
    <Table.Tr data-upstream={upstream.name}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {upstream.name}
        </Text>
        <Text size="xs" c="dimmed" ff="monospace">
          {upstream.baseUrl}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
          {upstream.keyHint}
        </Text>
      </Table.Td>
      <Table.Td>
        {upstream.lastSyncedAt ? (
          <Tooltip label={formatDateTime(upstream.lastSyncedAt)}>
            <Text size="sm">{ago(upstream.lastSyncedAt)}</Text>
          </Tooltip>
        ) : (
          <Text size="sm" c="dimmed">
            {t('upstreams.notSynced')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {/* The result goes under the button: beside it, a long message squeezed the button until its label was cut. */}
        <Stack gap={4} align="flex-start">
          <Button size="compact-sm" variant="default" leftSection={<IconPlugConnected size={14} />} loading={testing} onClick={test} style={{ flexShrink: 0 }}>
            {t('upstreams.test')}
          </Button>
          {result && (
            <Text size="xs" c={result.ok ? 'teal' : 'red'} role="status" data-testid="connection-result" style={{ overflowWrap: 'anywhere' }}>
              {result.ok && 'latencyMs' in result
                ? t('upstreams.testOk', { latency: Math.round(result.latencyMs), count: result.modelCount ?? 0 })
                : t('upstreams.testFailed', { message: localizeError({ message: result.message ?? '', reason: result.reason, params: result.params }) })}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td w={80}>
        <Group gap={2} wrap="nowrap" justify="flex-end">
          <ActionIcon variant="subtle" color="gray" aria-label={`${t('common.edit')} ${upstream.name}`} onClick={() => openModal({ kind: 'upstream-edit', upstreamId: upstream.id })}>
            <IconPencil size={16} />
          </ActionIcon>
          <ActionIcon variant="subtle" color="red" aria-label={`${t('upstreams.remove')} ${upstream.name}`} onClick={() => openModal({ kind: 'upstream-remove', upstreamId: upstream.id })}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
