import { List, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PERMISSION_GROUPS, levelOf } from '../../../../electron/shared/permissions';
import { permissionsSummary } from '../subkeys/permissions-picker';
import type { AbilityProps } from './subkey-abilities';
import { AbilityItem } from './ability-item';

/** Which endpoints the key may call: its mode, each group it may use in restricted mode, and the two opt-in powers. */
export function AbilityPermissions({ subkey }: AbilityProps) {
  const { t } = useTranslation();
  const { permissions } = subkey;
  const granted = permissions.mode === 'restricted' ? PERMISSION_GROUPS.filter((group) => levelOf(permissions, group) !== 'none') : [];
  return (
    <AbilityItem title={t('permissions.label')} testId="ability-permissions">
      <Text size="sm">{permissionsSummary(permissions, t)}</Text>
      {granted.length > 0 && (
        <List size="sm" spacing={0}>
          {granted.map((group) => (
            <List.Item key={group} data-group={group}>
              {t('subkeyPage.permissionLine', { group: t(`permissions.groups.${group}`), level: t(`permissions.levels.${levelOf(permissions, group)}`) })}
            </List.Item>
          ))}
        </List>
      )}
      {permissions.mintCredentials && <Text size="sm">{t('subkeyPage.mintsCredentials')}</Text>}
      {permissions.shareProjectObjects && <Text size="sm">{t('subkeyPage.sharesObjects')}</Text>}
    </AbilityItem>
  );
}
