import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime, fromNow } from '../../lib/format';
import type { AbilityProps } from './subkey-abilities';
import { AbilityItem } from './ability-item';

/** When the key stops working, or that it never does. */
export function AbilityExpiry({ subkey, now }: AbilityProps) {
  const { t } = useTranslation();
  const expiresAt = subkey.expiresAt;
  return (
    <AbilityItem title={t('subkeyPage.expiry')} testId="ability-expiry">
      <Text size="sm">
        {expiresAt === null
          ? t('expiry.resultNever')
          : t(Date.parse(expiresAt) <= now ? 'subkeyPage.expiredOn' : 'subkeyPage.expiresOn', { date: formatDateTime(expiresAt), when: fromNow(expiresAt, now) })}
      </Text>
    </AbilityItem>
  );
}
