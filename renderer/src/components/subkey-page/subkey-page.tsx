import { Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowLeft, IconChartBar } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Subkey } from '../../../../electron/shared/types';
import { errorMessage } from '../../api/api-error';
import { formatDateTime } from '../../lib/format';
import { statusAt } from '../../lib/subkey-list';
import { useNow } from '../../lib/use-now';
import { useKeygate } from '../../store/store';
import { StatusChip } from '../common/status-chip';
import { SubkeyActions } from '../subkeys/subkey-actions';
import { UsageChart } from '../usage/usage-chart';
import { UsageTable } from '../usage/usage-table';
import { SubkeyAbilities } from './subkey-abilities';
import { SubkeyConnect } from './subkey-connect';
import { SubkeyModelsUsed } from './subkey-models-used';
import { SubkeyRefusals } from './subkey-refusals';

/** How many of the key's latest requests its page lists; the Usage screen pages through the rest. */
const LOG_ROWS = 25;

/** Gives the focus back to the key's name in the list once the list is shown again. */
function focusListEntry(subkeyId: string): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-open-subkey="${CSS.escape(subkeyId)}"]`)?.focus());
}

/**
 * One sub-key's own page: what it may do, its usage over time and latest requests, the models it used most, its
 * refusals by reason, and how to connect with it. Opening it moves the focus to its title; Back returns to the list.
 */
export function SubkeyPage({ subkey }: { subkey: Subkey }) {
  const { t } = useTranslation();
  const upstreamName = useKeygate((state) => state.upstreams.find((upstream) => upstream.id === subkey.upstreamId)?.name ?? '—');
  const usage = useKeygate((state) => (state.subkeyUsage?.subkeyId === subkey.id ? state.subkeyUsage : null));
  const refreshSubkeyUsage = useKeygate((state) => state.refreshSubkeyUsage);
  const closeSubkeyPage = useKeygate((state) => state.closeSubkeyPage);
  const setUsageSubkey = useKeygate((state) => state.setUsageSubkey);
  const setPage = useKeygate((state) => state.setPage);
  const now = useNow();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    // A keyboard or screen-reader user lands on the page's title, not on the button that is gone.
    heading.current?.focus();
    refreshSubkeyUsage(subkey.id).catch((error) => notifications.show({ color: 'red', message: errorMessage(error) }));
  }, [subkey.id, refreshSubkeyUsage]);

  function back() {
    closeSubkeyPage();
    focusListEntry(subkey.id);
  }

  function openInUsage() {
    setPage('usage');
    setUsageSubkey(subkey.id).catch((error) => notifications.show({ color: 'red', message: errorMessage(error) }));
  }

  return (
    <Stack gap="md" data-testid="subkey-page">
      <div>
        <Button variant="subtle" size="compact-sm" leftSection={<IconArrowLeft size={14} />} onClick={back} mb={4} ml={-8}>
          {t('subkeyPage.back')}
        </Button>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Group gap="xs" wrap="wrap">
              <Title order={1} size="h3" ref={heading} tabIndex={-1} style={{ overflowWrap: 'anywhere', outline: 'none' }}>
                {subkey.name}
              </Title>
              <StatusChip status={statusAt(subkey, now)} />
            </Group>
            <Text size="sm" c="dimmed">
              {t('subkeyPage.subtitle', { hint: subkey.hint, upstream: upstreamName, created: formatDateTime(subkey.createdAt) })}
            </Text>
          </Stack>
          <SubkeyActions subkey={subkey} />
        </Group>
      </div>
      <SubkeyAbilities subkey={subkey} now={now} />
      {usage === null ? (
        <Center mih={120}>
          <Loader size="sm" aria-label={t('subkeyPage.loading')} />
        </Center>
      ) : (
        <>
          <UsageChart daily={usage.daily} />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <SubkeyModelsUsed recent={usage.recent} />
            <SubkeyRefusals recent={usage.recent} now={now} />
          </SimpleGrid>
        </>
      )}
      <SubkeyConnect subkey={subkey} />
      {usage !== null && (
        <Stack gap="xs" component="section" aria-labelledby="subkey-log-title">
          <Group justify="space-between">
            <Title order={2} size="h5" id="subkey-log-title">
              {t('subkeyPage.log')}
            </Title>
            <Button variant="default" size="xs" leftSection={<IconChartBar size={14} />} onClick={openInUsage}>
              {t('subkeyPage.openInUsage')}
            </Button>
          </Group>
          {usage.recent.length === 0 ? (
            <Paper withBorder radius="md" p="md">
              <Text size="sm" c="dimmed">
                {t('subkeyPage.logEmpty')}
              </Text>
            </Paper>
          ) : (
            <UsageTable entries={usage.recent.slice(0, LOG_ROWS)} withKey={false} />
          )}
        </Stack>
      )}
    </Stack>
  );
}
