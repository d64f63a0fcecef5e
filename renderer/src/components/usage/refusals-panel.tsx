import { Paper, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format';
import { useKeygate } from '../../store/store';

/** Requests refused before a sub-key was known, per reason: the proxy counts them instead of logging each one. */
export function RefusalsPanel() {
  const { t, i18n } = useTranslation();
  const refusals = useKeygate((state) => state.usageRefusals);
  return (
    <Paper withBorder radius="md" p="sm" mb="md" data-testid="usage-refusals">
      <Text size="sm" fw={600}>
        {t('usage.refusalsTitle')}
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        {t('usage.refusalsHint')}
      </Text>
      {refusals.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('usage.refusalsNone')}
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('usage.refusalsReason')}</Table.Th>
              <Table.Th ta="right">{t('usage.refusalsLastDay')}</Table.Th>
              <Table.Th ta="right">{t('usage.refusalsLastWeek')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {refusals.map((refusal) => (
              <Table.Tr key={refusal.reason} data-reason={refusal.reason}>
                <Table.Td>
                  {/* Codes Keygate adds later still show, as their code. */}
                  {t(`usage.refusalReasons.${refusal.reason}`, { defaultValue: refusal.reason })}
                  <Text span size="xs" c="dimmed" ff="monospace" ml={6}>
                    {refusal.reason}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatNumber(refusal.lastDay, i18n.language)}
                </Table.Td>
                <Table.Td ta="right" ff="monospace">
                  {formatNumber(refusal.lastWeek, i18n.language)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
