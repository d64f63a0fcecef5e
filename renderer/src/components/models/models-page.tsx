import { Stack, TextInput } from '@mantine/core';
import { IconBox, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';
import { EmptyState } from '../common/empty-state';
import { PageHeader } from '../common/page-header';
import { UpstreamModels } from './upstream-models';

/** Synced models per upstream, searchable. */
export function ModelsPage() {
  const { t } = useTranslation();
  const upstreams = useKeygate((state) => state.upstreams);
  const setPage = useKeygate((state) => state.setPage);
  const [query, setQuery] = useState('');
  return (
    <>
      <PageHeader
        title={t('models.title')}
        subtitle={t('models.subtitle')}
        action={
          upstreams.length > 0 && (
            <TextInput
              size="xs"
              w={240}
              leftSection={<IconSearch size={14} />}
              placeholder={t('models.search')}
              aria-label={t('models.search')}
              value={query}
              onChange={(event) => setQuery(event.currentTarget.value)}
            />
          )
        }
      />
      {upstreams.length === 0 ? (
        <EmptyState icon={<IconBox size={22} />} title={t('upstreams.emptyTitle')} text={t('models.emptyUpstreams')} action={{ label: t('upstreams.add'), onClick: () => setPage('upstreams') }} />
      ) : (
        <Stack gap="sm">
          {upstreams.map((upstream) => (
            <UpstreamModels key={upstream.id} upstream={upstream} query={query} />
          ))}
        </Stack>
      )}
    </>
  );
}
