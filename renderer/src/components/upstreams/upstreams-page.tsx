import { Button, Paper, Table, VisuallyHidden } from '@mantine/core';
import { IconPlus, IconServer } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';
import { EmptyState } from '../common/empty-state';
import { PageHeader } from '../common/page-header';
import { UpstreamRow } from './upstream-row';
import { WeakKeychainAlert } from './weak-keychain-alert';

/** The real keys Keygate forwards to. */
export function UpstreamsPage() {
  const { t } = useTranslation();
  const upstreams = useKeygate((state) => state.upstreams);
  const openModal = useKeygate((state) => state.openModal);
  const revisions = useKeygate((state) => state.upstreamRevisions);
  const add = () => openModal({ kind: 'upstream-add' });
  return (
    <>
      <PageHeader
        title={t('upstreams.title')}
        subtitle={t('upstreams.subtitle')}
        action={
          <Button leftSection={<IconPlus size={16} />} onClick={add}>
            {t('upstreams.add')}
          </Button>
        }
      />
      <WeakKeychainAlert />
      {upstreams.length === 0 ? (
        <EmptyState icon={<IconServer size={22} />} title={t('upstreams.emptyTitle')} text={t('upstreams.emptyText')} action={{ label: t('upstreams.add'), onClick: add }} />
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={640} type="native">
            <Table verticalSpacing={8}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('upstreams.name')}</Table.Th>
                  <Table.Th>{t('upstreams.key')}</Table.Th>
                  <Table.Th>{t('upstreams.lastSynced')}</Table.Th>
                  <Table.Th>{t('upstreams.connection')}</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {upstreams.map((upstream) => (
                  // A saved upstream (a new key, say) gets a fresh row: the last connection test no longer applies.
                  <UpstreamRow key={`${upstream.id}:${revisions[upstream.id] ?? 0}`} upstream={upstream} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
