import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useFocusTrap } from '@mantine/hooks';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { ModelPolicy } from '../../../../electron/shared/model-policy';
import { CopyField } from '../common/copy-field';
import { SnippetTabs } from './snippet-tabs';

export interface SecretViewProps {
  secret: string;
  /** The proxy's base URL, from `proxy:status`. */
  baseUrl: string;
  proxyRunning: boolean;
  /** The key's model policy, as answered with the secret (issue or rotate). */
  policy: ModelPolicy;
  /** Models synced for the key's upstream. */
  models: readonly string[];
  onDone: () => void;
}

/** The secret, shown once, with copy buttons and ready-to-paste snippets. Holds it only as a prop. */
export function SecretView({ secret, baseUrl, proxyRunning, policy, models, onDone }: SecretViewProps) {
  const { t } = useTranslation();
  // The view replaces the form that had focus (its submit button is gone): trap focus here, starting on the
  // secret's copy button, so the keyboard is not left on the page behind the dialog.
  const focusTrap = useFocusTrap();
  return (
    <Stack gap="sm" ref={focusTrap} data-testid="secret-view">
      <Alert variant="light" color="yellow" icon={<IconAlertTriangle size={18} />} p="xs">
        {t('secret.warning')}
      </Alert>
      <div>
        <Text size="sm" fw={500} mb={4}>
          {t('secret.secret')}
        </Text>
        <CopyField value={secret} label={t('secret.secret')} testId="issued-secret" prominent autoFocus />
      </div>
      {!proxyRunning && (
        <Text size="xs" c="orange">
          {t('secret.proxyStopped')}
        </Text>
      )}
      <SnippetTabs baseUrl={baseUrl} secret={secret} policy={policy} models={models} />
      <Group justify="flex-end" className="modal-footer">
        <Button onClick={onDone}>
          {t('secret.done')}
        </Button>
      </Group>
    </Stack>
  );
}
