import { Button, Kbd, Paper, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { lazy, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { naturalDirection, visibleSubkeys } from '../../lib/subkey-list';
import { useCompact } from '../../lib/use-compact';
import { useNow } from '../../lib/use-now';
import { useKeygate } from '../../store/store';
import type { SubkeySort } from '../../store/ui-slice';
import { EmptyState } from '../common/empty-state';
import { PageHeader } from '../common/page-header';
import { SortableTh } from '../common/sortable-th';
import { SubkeyFilters } from './subkey-filters';
import { SubkeyRow } from './subkey-row';

// A key's page holds the usage chart, whose library loads with the first page (or Usage screen) opened.
const SubkeyPage = lazy(() => import('../subkey-page/subkey-page').then((module) => ({ default: module.SubkeyPage })));

/** The sub-key list with its filters, sortable columns and the button that issues one; or one key's own page. */
export function SubkeysPage() {
  const { t } = useTranslation();
  const subkeys = useKeygate((state) => state.subkeys);
  const upstreams = useKeygate((state) => state.upstreams);
  const filter = useKeygate((state) => state.subkeyFilter);
  const sort = useKeygate((state) => state.subkeySort);
  const direction = useKeygate((state) => state.subkeySortDirection) ?? naturalDirection(sort);
  const toggleSort = useKeygate((state) => state.toggleSubkeySort);
  const pageId = useKeygate((state) => state.subkeyPageId);
  const openModal = useKeygate((state) => state.openModal);
  const setPage = useKeygate((state) => state.setPage);
  const now = useNow();
  const compact = useCompact();
  // `now` ticks, so a key that expires while the list is open moves to "Expired" without a reload.
  const upstreamNames = useMemo(() => new Map(upstreams.map((upstream) => [upstream.id, upstream.name])), [upstreams]);
  const visible = useMemo(() => visibleSubkeys(subkeys, filter, sort, now, { direction, upstreamNames }), [subkeys, filter, sort, now, direction, upstreamNames]);
  const issue = () => openModal({ kind: 'subkey-issue' });
  const sortable = (column: SubkeySort, label: string, align?: 'right') => (
    <SortableTh label={label} active={sort === column} direction={direction} onSort={() => toggleSort(column)} align={align} />
  );

  // A deleted key's page has nothing left to show: the list does.
  const opened = pageId ? subkeys.find((subkey) => subkey.id === pageId) : undefined;
  if (opened) return <SubkeyPage subkey={opened} />;

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
                  {sortable('name', t('subkeys.name'))}
                  {!compact && sortable('upstream', t('subkeys.upstream'))}
                  {sortable('status', t('subkeys.status'))}
                  {sortable('remaining', t('subkeys.remaining'), 'right')}
                  {sortable('expiry', t('subkeys.expires'))}
                  {sortable('lastUsed', t('subkeys.lastUsed'))}
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
