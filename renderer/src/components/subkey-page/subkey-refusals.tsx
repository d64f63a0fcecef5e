import { Paper, Table, Text, Title, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { UsageEntry } from '../../../../electron/shared/types';
import { ago, formatDateTime, formatNumber } from '../../lib/format';
import { refusalsByReason } from '../../lib/subkey-usage-summary';

/** A key's latest refused requests, grouped by the proxy's reason. */
export function SubkeyRefusals({ recent, now }: { recent: UsageEntry[]; now: number }) {
  const { t, i18n } = useTranslation();
  const groups = refusalsByReason(recent);
  // Codes Keygate adds later still show, as their code.
  const label = (reason: string) => t(`subkeyPage.refusalReasons.${reason}`, { defaultValue: t(`usage.refusalReasons.${reason}`, { defaultValue: reason }) });
  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="subkey-refusals-title" data-testid="subkey-refusals">
      <Title order={2} size="h5" id="subkey-refusals-title">
        {t('subkeyPage.refusals')}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {t('subkeyPage.latestHint', { count: recent.length })}
      </Text>
      {groups.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('subkeyPage.refusalsNone')}
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('usage.refusalsReason')}</Table.Th>
              <Table.Th ta="right">{t('usage.requests')}</Table.Th>
              <Table.Th>{t('subkeyPage.lastRefused')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.map((group) => (
              <Table.Tr key={group.reason} data-reason={group.reason}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {label(group.reason)}
                  <Text span size="xs" c="dimmed" ff="monospace" ml={6}>
                    {group.reason}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatNumber(group.count, i18n.language)}
                </Table.Td>
                <Table.Td>
                  <Tooltip label={formatDateTime(group.lastAt)} withArrow>
                    <Text span size="sm">
                      {ago(group.lastAt, now)}
                    </Text>
                  </Tooltip>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
