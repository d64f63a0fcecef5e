import { Button, Kbd, Paper, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { visibleSubkeys } from '../../lib/subkey-list';
import { useCompact } from '../../lib/use-compact';
import { useNow } from '../../lib/use-now';
import { useKeygate } from '../../store/store';
import { EmptyState } from '../common/empty-state';
import { PageHeader } from '../common/page-header';
import { SubkeyFilters } from './subkey-filters';
import { SubkeyRow } from './subkey-row';

/** The sub-key list with its filters, and the button that issues one. */
export function SubkeysPage() {
  const { t } = useTranslation();
  const subkeys = useKeygate((state) => state.subkeys);
  const upstreams = useKeygate((state) => state.upstreams);
  const filter = useKeygate((state) => state.subkeyFilter);
  const sort = useKeygate((state) => state.subkeySort);
  const openModal = useKeygate((state) => state.openModal);
  const setPage = useKeygate((state) => state.setPage);
  const now = useNow();
  const compact = useCompact();
  // `now` ticks, so a key that expires while the list is open moves to "Expired" without a reload.
  const visible = useMemo(() => visibleSubkeys(subkeys, filter, sort, now), [subkeys, filter, sort, now]);
  const upstreamNames = useMemo(() => new Map(upstreams.map((upstream) => [upstream.id, upstream.name])), [upstreams]);
  const issue = () => openModal({ kind: 'subkey-issue' });

  return (
    <>
      <PageHeader
        title={t('subkeys.title')}
        subtitle={t('subkeys.subtitle')}
        action={
          <Tooltip
            label={
              <>
                {t('app.shortcut')} <Kbd size="xs">N</Kbd>
              </>
            }
            openDelay={600}
            withArrow
          >
            <Button leftSection={<IconPlus size={16} />} onClick={issue} disabled={upstreams.length === 0}>
              {t('subkeys.issue')}
            </Button>
          </Tooltip>
        }
      />
      {subkeys.length === 0 ? (
        upstreams.length === 0 ? (
          <EmptyState
            icon={<IconKey size={22} />}
            title={t('subkeys.emptyTitle')}
            text={t('subkeys.emptyNeedsUpstream')}
            action={{ label: t('upstreams.add'), onClick: () => setPage('upstreams') }}
          />
        ) : (
          <EmptyState icon={<IconKey size={22} />} title={t('subkeys.emptyTitle')} text={t('subkeys.emptyText')} action={{ label: t('subkeys.issue'), onClick: issue }} />
        )
      ) : (
        <>
          <SubkeyFilters />
          <Paper withBorder radius="md">
            {/* No minimum width: columns wrap, and a narrow window stacks the upstream under the name rather than scroll. */}
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('subkeys.name')}</Table.Th>
                  {!compact && <Table.Th>{t('subkeys.upstream')}</Table.Th>}
                  <Table.Th>{t('subkeys.status')}</Table.Th>
                  <Table.Th ta="right">{t('subkeys.remaining')}</Table.Th>
                  <Table.Th>{t('subkeys.expires')}</Table.Th>
                  <Table.Th>{t('subkeys.lastUsed')}</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {visible.map((subkey) => (
                  <SubkeyRow key={subkey.id} subkey={subkey} upstreamName={upstreamNames.get(subkey.upstreamId) ?? '—'} now={now} compact={compact} />
                ))}
              </Table.Tbody>
            </Table>
            {visible.length === 0 && (
              <Text size="sm" c="dimmed" ta="center" p="md">
                {t('subkeys.noMatch')}
              </Text>
            )}
          </Paper>
        </>
      )}
    </>
  );
}
