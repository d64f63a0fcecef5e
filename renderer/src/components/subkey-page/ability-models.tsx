import { Code, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AbilityProps } from './subkey-abilities';
import { AbilityItem } from './ability-item';

/** Which models the key may call: all, only some, or all but some (patterns as typed). */
export function AbilityModels({ subkey }: AbilityProps) {
  const { t } = useTranslation();
  const list = subkey.allowModels.length > 0 ? subkey.allowModels : subkey.denyModels;
  const lead = subkey.allowModels.length > 0 ? t('subkeyPage.modelsOnly') : subkey.denyModels.length > 0 ? t('subkeyPage.modelsExcept') : t('subkeyPage.modelsAll');
  return (
    <AbilityItem title={t('policy.label')} testId="ability-models">
      <Text size="sm">{lead}</Text>
      {list.length > 0 && (
        <Group gap={4}>
          {list.map((model) => (
            <Code key={model}>{model}</Code>
          ))}
        </Group>
      )}
    </AbilityItem>
  );
}
