import { Group, Select, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { SubkeyStatus } from '../../../../electron/shared/types';
import { useKeygate } from '../../store/store';
import type { SubkeySort } from '../../store/ui-slice';

const statuses: (SubkeyStatus | 'all')[] = ['all', 'active', 'disabled', 'expired', 'exhausted'];
const sorts: SubkeySort[] = ['created', 'name', 'expiry', 'remaining', 'lastUsed', 'upstream', 'status'];

/** Text filter, status, upstream and sort for the sub-key list. */
export function SubkeyFilters() {
  const { t } = useTranslation();
  const filter = useKeygate((state) => state.subkeyFilter);
  const sort = useKeygate((state) => state.subkeySort);
  const upstreams = useKeygate((state) => state.upstreams);
  const setFilter = useKeygate((state) => state.setSubkeyFilter);
  const setSort = useKeygate((state) => state.setSubkeySort);
  return (
    <Group gap="xs" mb="sm" wrap="nowrap">
      <TextInput
        size="xs"
        flex={1}
        leftSection={<IconSearch size={14} />}
        placeholder={t('subkeys.filter')}
        aria-label={t('subkeys.filter')}
        value={filter.text}
        onChange={(event) => setFilter({ text: event.currentTarget.value })}
      />
      <Select
        size="xs"
        w={150}
        aria-label={t('subkeys.status')}
        value={filter.status}
        allowDeselect={false}
        onChange={(value) => setFilter({ status: (value ?? 'all') as SubkeyStatus | 'all' })}
        data={statuses.map((status) => ({ value: status, label: t(`subkeys.statuses.${status}`) }))}
      />
      {upstreams.length > 1 && (
        <Select
          size="xs"
          w={160}
          aria-label={t('subkeys.upstream')}
          value={filter.upstreamId ?? 'all'}
          allowDeselect={false}
          onChange={(value) => setFilter({ upstreamId: !value || value === 'all' ? null : value })}
          data={[{ value: 'all', label: t('subkeys.allUpstreams') }, ...upstreams.map((upstream) => ({ value: upstream.id, label: upstream.name }))]}
        />
      )}
      <Select
        size="xs"
        w={140}
        aria-label={t('subkeys.sortBy')}
        value={sort}
        allowDeselect={false}
        onChange={(value) => setSort((value ?? 'created') as SubkeySort)}
        data={sorts.map((each) => ({ value: each, label: `${t('subkeys.sortBy')}: ${t(`subkeys.sort.${each}`)}` }))}
      />
    </Group>
  );
}
