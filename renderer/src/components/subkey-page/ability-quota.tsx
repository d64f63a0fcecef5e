import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format';
import type { AbilityProps } from './subkey-abilities';
import { AbilityItem } from './ability-item';

/** How many requests the key has left. */
export function AbilityQuota({ subkey }: AbilityProps) {
  const { t, i18n } = useTranslation();
  return (
    <AbilityItem title={t('quota.label')} testId="ability-quota">
      <Text size="sm">
        {subkey.remainingRequests === null ? t('quota.resultUnlimited') : t('subkeyPage.requestsLeft', { count: subkey.remainingRequests, value: formatNumber(subkey.remainingRequests, i18n.language) })}
      </Text>
    </AbilityItem>
  );
}
