import { Alert } from '@mantine/core';
import { IconShieldExclamation } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';

/** A lasting warning while upstream keys are protected only by a key on this disk (no OS keychain). */
export function WeakKeychainAlert() {
  const { t } = useTranslation();
  const weak = useKeygate((state) => state.appInfo?.secretStorage === 'weak');
  if (!weak) return null;
  return (
    <Alert color="orange" variant="light" icon={<IconShieldExclamation size={18} />} title={t('upstreams.weakTitle')} mb="md" data-testid="weak-keychain">
      {t('upstreams.weakText')}
    </Alert>
  );
}
