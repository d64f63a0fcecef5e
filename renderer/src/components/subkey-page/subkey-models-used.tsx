import { Paper, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { UsageEntry } from '../../../../electron/shared/types';
import { formatNumber } from '../../lib/format';
import { modelsUsedMost } from '../../lib/subkey-usage-summary';

/** The models a key's latest requests went to, most used first. */
export function SubkeyModelsUsed({ recent }: { recent: UsageEntry[] }) {
  const { t, i18n } = useTranslation();
  const uses = modelsUsedMost(recent);
  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="subkey-models-used-title" data-testid="subkey-models-used">
      <Title order={2} size="h5" id="subkey-models-used-title">
        {t('subkeyPage.modelsUsed')}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {t('subkeyPage.latestHint', { count: recent.length })}
      </Text>
      {uses.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('subkeyPage.modelsUsedNone')}
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('usage.model')}</Table.Th>
              <Table.Th ta="right">{t('usage.requests')}</Table.Th>
              <Table.Th ta="right">{t('usage.tokens')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {uses.map((use) => (
              <Table.Tr key={use.model} data-model={use.model}>
                <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {use.model}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatNumber(use.requests, i18n.language)}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatNumber(use.tokens, i18n.language)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
