import { Alert, Group, SegmentedControl, Stack, Switch, Table, Text } from '@mantine/core';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelledChoice } from './labelled-choice';
import { PERMISSION_GROUPS, PERMISSION_LEVELS, PERMISSION_MODES, type PermissionLevel, type Permissions } from '../../../../electron/shared/permissions';

export interface PermissionsPickerProps {
  value: Permissions;
  onChange: (value: Permissions) => void;
  error?: React.ReactNode;
}

/**
 * Re-rendered only when its own value or error changes: twenty rows of choices would otherwise redraw on every
 * keystroke in the rest of the form. Laid out like OpenAI's restricted-key page: All / Restricted / Read only, and in Restricted one row per endpoint
 * group with None / Read / Write; then the two opt-ins, each with a plain warning.
 */
export const PermissionsPicker = memo(PermissionsPickerView, (before, after) => before.value === after.value && before.error === after.error);

function PermissionsPickerView({ value, onChange, error }: PermissionsPickerProps) {
  const { t } = useTranslation();
  const setLevel = (group: (typeof PERMISSION_GROUPS)[number], level: PermissionLevel) => onChange({ ...value, groups: { ...value.groups, [group]: level } });
  return (
    <Stack gap={6} data-testid="permissions-picker">
      <LabelledChoice label={t('permissions.label')} choices={PERMISSION_MODES} value={value.mode} labelOf={(mode) => t(`permissions.modes.${mode}`)} onChange={(mode) => onChange({ ...value, mode })} />
      <Text size="xs" c="dimmed">
        {t(`permissions.modeHint.${value.mode}`)}
      </Text>
      {value.mode === 'restricted' && (
        <Table verticalSpacing={4} withRowBorders={false}>
          <Table.Tbody>
            {PERMISSION_GROUPS.map((group) => (
              <Table.Tr key={group} data-group={group}>
                <Table.Td>
                  <Text size="sm" id={`permission-${group}`}>
                    {t(`permissions.groups.${group}`)}
                  </Text>
                </Table.Td>
                <Table.Td w={220}>
                  <SegmentedControl
                    aria-labelledby={`permission-${group}`}
                    size="xs"
                    fullWidth
                    value={value.groups[group]}
                    onChange={(level) => setLevel(group, level as PermissionLevel)}
                    data={PERMISSION_LEVELS.map((level) => ({ value: level, label: t(`permissions.levels.${level}`) }))}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <Switch checked={value.mintCredentials} onChange={(event) => onChange({ ...value, mintCredentials: event.currentTarget.checked })} label={t('permissions.mintCredentials')} />
      </Group>
      {value.mintCredentials && (
        <Alert color="orange" variant="light" p="xs">
          <Text size="xs">{t('permissions.mintWarning')}</Text>
        </Alert>
      )}
      <Switch checked={value.shareProjectObjects} onChange={(event) => onChange({ ...value, shareProjectObjects: event.currentTarget.checked })} label={t('permissions.shareProjectObjects')} />
      {value.shareProjectObjects && (
        <Alert color="orange" variant="light" p="xs">
          <Text size="xs">{t('permissions.shareWarning')}</Text>
        </Alert>
      )}
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Stack>
  );
}

/** One line for the key list: "All endpoints", "Read only", or "Restricted: chat, responses, embeddings". */
export function permissionsSummary(permissions: Permissions, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (permissions.mode !== 'restricted') return t(`permissions.summary.${permissions.mode}`);
  const granted = PERMISSION_GROUPS.filter((group) => permissions.groups[group] !== 'none' && group !== 'models');
  if (granted.length === 0) return t('permissions.summary.nothing');
  return t('permissions.summary.restricted', { groups: granted.map((group) => t(`permissions.short.${group}`)).join(', ') });
}
