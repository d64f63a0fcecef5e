import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SubkeyStatus } from '../../../../electron/shared/types';

const colors: Record<SubkeyStatus, string> = { active: 'teal', disabled: 'gray', expired: 'orange', exhausted: 'red' };

/** A sub-key's status as a small coloured chip. */
export function StatusChip({ status }: { status: SubkeyStatus }) {
  const { t } = useTranslation();
  return (
    // Never narrower than its word: a squeezed table column would otherwise cut it to "Acti…".
    <Badge color={colors[status]} variant={status === 'disabled' ? 'default' : 'light'} size="sm" radius="sm" miw="max-content" data-status={status}>
      {t(`subkeys.statuses.${status}`)}
    </Badge>
  );
}
