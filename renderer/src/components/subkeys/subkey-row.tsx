import { Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Subkey } from '../../../../electron/shared/types';
import { ago, formatDateTime, formatNumber, fromNow } from '../../lib/format';
import { statusAt } from '../../lib/subkey-list';
import { StatusChip } from '../common/status-chip';
import { SubkeyActions } from './subkey-actions';
import { permissionsSummary } from './permissions-picker';

function policyText(subkey: Subkey, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (subkey.allowModels.length > 0) return t('subkeys.policyOnly', { models: subkey.allowModels.join(', ') });
  if (subkey.denyModels.length > 0) return t('subkeys.policyExcept', { models: subkey.denyModels.join(', ') });
  return t('subkeys.policyAll');
}

/** One sub-key in the list. */
export function SubkeyRow({ subkey, upstreamName, now }: { subkey: Subkey; upstreamName: string; now: number }) {
  const { t, i18n } = useTranslation();
  return (
    <Table.Tr data-subkey={subkey.name}>
      <Table.Td>
        <Stack gap={0}>
          <Text size="sm" fw={500}>
            {subkey.name}
          </Text>
          <Group gap={6} wrap="nowrap">
            <Text size="xs" c="dimmed" ff="monospace">
              {subkey.hint}
            </Text>
            <Text size="xs" c="dimmed" truncate maw={220} title={policyText(subkey, t)}>
              · {policyText(subkey, t)}
            </Text>
            <Text size="xs" c="dimmed" truncate maw={260} title={permissionsSummary(subkey.permissions, t)} data-testid="permissions-summary">
              · {permissionsSummary(subkey.permissions, t)}
            </Text>
          </Group>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{upstreamName}</Text>
      </Table.Td>
      <Table.Td>
        <StatusChip status={statusAt(subkey, now)} />
      </Table.Td>
      <Table.Td data-testid="remaining" ta="right">
        <Text size="sm" ff="monospace">
          {subkey.remainingRequests === null ? t('common.unlimited') : formatNumber(subkey.remainingRequests, i18n.language)}
        </Text>
      </Table.Td>
      <Table.Td>
        {subkey.expiresAt ? (
          <Tooltip label={formatDateTime(subkey.expiresAt)} withArrow>
            <Text size="sm" c={Date.parse(subkey.expiresAt) <= now ? 'orange' : undefined}>
              {fromNow(subkey.expiresAt, now)}
            </Text>
          </Tooltip>
        ) : (
          <Text size="sm" c="dimmed">
            {t('common.never')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {subkey.lastUsedAt ? (
          <Tooltip label={formatDateTime(subkey.lastUsedAt)} withArrow>
            <Text size="sm">{ago(subkey.lastUsedAt, now)}</Text>
          </Tooltip>
        ) : (
          <Text size="sm" c="dimmed">
            {t('subkeys.neverUsed')}
          </Text>
        )}
      </Table.Td>
      <Table.Td w={40}>
        <SubkeyActions subkey={subkey} />
      </Table.Td>
    </Table.Tr>
  );
}
