import { Paper, SimpleGrid, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Subkey } from '../../../../electron/shared/types';
import { AbilityBudgets } from './ability-budgets';
import { AbilityExpiry } from './ability-expiry';
import { AbilityModels } from './ability-models';
import { AbilityPermissions } from './ability-permissions';
import { AbilityQuota } from './ability-quota';
import { AbilityRateLimits } from './ability-rate-limits';

/** What every section of "What it may do" is given. */
export interface AbilityProps {
  subkey: Subkey;
  /** The clock the page re-renders with, so "expires in 3 hours" stays true. */
  now: number;
}

/**
 * The sections of "What it may do", in order. A new kind of limit on a key (permissions, rate limits) is one more
 * component here, reading its field of `Subkey`.
 */
export const abilitySections: { id: string; Section: (props: AbilityProps) => React.ReactNode }[] = [
  { id: 'expiry', Section: AbilityExpiry },
  { id: 'quota', Section: AbilityQuota },
  { id: 'models', Section: AbilityModels },
  { id: 'budgets', Section: AbilityBudgets },
  { id: 'rateLimits', Section: AbilityRateLimits },
  { id: 'permissions', Section: AbilityPermissions },
];

/** "What it may do": every section of `abilitySections` for one key. */
export function SubkeyAbilities({ subkey, now }: AbilityProps) {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="subkey-abilities-title">
      <Title order={2} size="h5" mb="xs" id="subkey-abilities-title">
        {t('subkeyPage.mayDo')}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
        {abilitySections.map(({ id, Section }) => (
          <Section key={id} subkey={subkey} now={now} />
        ))}
      </SimpleGrid>
    </Paper>
  );
}
