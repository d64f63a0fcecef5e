import { Alert, Text } from '@mantine/core';
import { IconDatabaseOff } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';

/** A lasting alert, on every screen, while Keygate cannot write its store: the proxy refuses every request meanwhile. */
export function StoreAlert() {
  const { t } = useTranslation();
  const storeError = useKeygate((state) => state.proxy?.storeError ?? null);
  if (!storeError) return null;
  return (
    <Alert color="red" variant="light" icon={<IconDatabaseOff size={18} />} title={t('store.unavailableTitle')} mb="md" role="alert" data-testid="store-unavailable">
      {t('store.unavailableText')}
      <Text size="xs" ff="monospace" mt={4}>
        {storeError}
      </Text>
    </Alert>
  );
}
