import { Badge, Paper, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { INTERRUPTED_REFUSAL, WS_CLOSE_REFUSAL_PREFIX, type UsageEntry } from '../../../../electron/shared/types';
import type { TFunction } from 'i18next';
import { formatDateTime, formatLatency, formatNumber, formatRequestTime } from '../../lib/format';
import { formatCost } from '../../lib/format-cost';
import { useCompact } from '../../lib/use-compact';
import { useKeygate } from '../../store/store';

function refusalHint(refusal: string | null, t: TFunction): string {
  if (refusal === null) return '';
  if (refusal.startsWith(WS_CLOSE_REFUSAL_PREFIX)) return t('usage.webSocketClosed', { code: refusal.slice(WS_CLOSE_REFUSAL_PREFIX.length) });
  return refusal === INTERRUPTED_REFUSAL ? t('usage.interruptedHint') : t('usage.refused', { reason: refusal });
}

function statusColor(status: number | null): string {
  if (status === null) return 'gray';
  if (status < 300) return 'teal';
  if (status < 500) return 'orange';
  return 'red';
}

/** What a charged request cost; "no price" (explained) for a finished one the proxy could not price; blank otherwise. */
function CostCell({ entry, language, t }: { entry: UsageEntry; language: string; t: TFunction }) {
  if (entry.costUsd !== null) return formatCost(entry.costUsd, language);
  if (entry.refusal !== null || entry.status === null || entry.status < 200 || entry.status >= 300) return '—';
  return (
    <Tooltip label={t('cost.unpricedHint')} withArrow multiline w={260}>
      <Text span size="xs" c="dimmed">
        {t('cost.unpriced')}
      </Text>
    </Tooltip>
  );
}

/**
 * The most recent requests, newest first. A narrow window stacks the model under the endpoint and the latency under
 * the tokens instead of scrolling sideways; `withKey={false}` leaves out the sub-key column (a key's own page).
 */
export function UsageTable({ entries, withKey = true }: { entries: UsageEntry[]; withKey?: boolean }) {
  const { t, i18n } = useTranslation();
  const compact = useCompact();
  const subkeys = useKeygate((state) => state.subkeys);
  const names = new Map(subkeys.map((subkey) => [subkey.id, subkey.name]));
  // The list's name is the freshest for a live key (a rename since this page of the log was read).
  const nameOf = (entry: UsageEntry) => (entry.subkeyId ? (names.get(entry.subkeyId) ?? entry.subkeyName ?? '') : (entry.subkeyName ?? ''));
  const number = (value: number | null) => (value === null ? '—' : formatNumber(value, i18n.language));
  const latency = (entry: UsageEntry) => (entry.latencyMs === null ? '—' : formatLatency(entry.latencyMs, i18n.language));
  return (
    <Paper withBorder radius="md">
      <Table verticalSpacing={4} fz="sm" striped="even" data-testid="usage-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('usage.time')}</Table.Th>
            {withKey && <Table.Th>{t('usage.key')}</Table.Th>}
            <Table.Th>{t('usage.endpoint')}</Table.Th>
            {!compact && <Table.Th>{t('usage.model')}</Table.Th>}
            <Table.Th>{t('usage.status')}</Table.Th>
            {!compact && <Table.Th ta="right">{t('usage.latency')}</Table.Th>}
            <Table.Th ta="right">{t('usage.tokens')}</Table.Th>
            <Table.Th ta="right">{t('cost.column')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => (
            <Table.Tr key={entry.id} data-usage-key={nameOf(entry)} data-usage-deleted={entry.subkeyDeleted || undefined}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Tooltip label={formatDateTime(entry.at)} withArrow openDelay={500}>
                  <span>{formatRequestTime(entry.at)}</span>
                </Tooltip>
              </Table.Td>
              {withKey && (
                <Table.Td>
                  {entry.subkeyDeleted ? (
                    <>
                      {entry.subkeyName}{' '}
                      <Badge color="gray" variant="outline" size="xs" radius="sm">
                        {t('usage.deleted')}
                      </Badge>
                    </>
                  ) : entry.subkeyId ? (
                    nameOf(entry)
                  ) : (
                    <Text span c="dimmed" size="sm">
                      {t('usage.unknownKey')}
                    </Text>
                  )}
                </Table.Td>
              )}
              <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                <Text span size="xs" c="dimmed" mr={4}>
                  {entry.method}
                </Text>
                {entry.path}
                {compact && (
                  <Text size="xs" c="dimmed" ff="monospace">
                    {entry.model ?? '—'}
                  </Text>
                )}
              </Table.Td>
              {!compact && <Table.Td ff="monospace">{entry.model ?? '—'}</Table.Td>}
              <Table.Td>
                <Tooltip label={refusalHint(entry.refusal, t)} disabled={!entry.refusal} withArrow>
                  <Badge color={statusColor(entry.status)} variant="light" size="sm" radius="sm" miw="max-content">
                    {entry.status ?? (entry.refusal === INTERRUPTED_REFUSAL ? t('usage.interrupted') : '…')}
                  </Badge>
                </Tooltip>
              </Table.Td>
              {!compact && (
                <Table.Td ta="right" ff="monospace">
                  {latency(entry)}
                </Table.Td>
              )}
              <Table.Td ta="right" ff="monospace">
                <Tooltip
                  label={`${number(entry.promptTokens)} + ${number(entry.completionTokens)}`}
                  disabled={entry.promptTokens === null && entry.completionTokens === null}
                  withArrow
                >
                  <span>{number(entry.totalTokens)}</span>
                </Tooltip>
                {compact && (
                  <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {latency(entry)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right" ff="monospace" data-usage-cost>
                <CostCell entry={entry} language={i18n.language} t={t} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
