import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { rateLimitParts } from '../subkeys/subkey-limits';
import type { AbilityProps } from './subkey-abilities';
import { AbilityItem } from './ability-item';

/** How fast the key may go: requests and tokens per minute, and requests at once. */
export function AbilityRateLimits({ subkey }: AbilityProps) {
  const { t, i18n } = useTranslation();
  const parts = rateLimitParts(subkey.rateLimits, t, i18n.language);
  return (
    <AbilityItem title={t('rateLimits.label')} testId="ability-rate-limits">
      <Text size="sm">{parts.length === 0 ? t('subkeyPage.rateLimitsNone') : parts.join(' · ')}</Text>
    </AbilityItem>
  );
}
