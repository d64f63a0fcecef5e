import { Alert, Button, Group, Stack, Tabs, Text } from '@mantine/core';
import { useFocusTrap } from '@mantine/hooks';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { buildSnippets } from '../../lib/snippets';
import { CopyField } from '../common/copy-field';

export interface SecretViewProps {
  secret: string;
  /** The proxy's base URL, from `proxy:status`. */
  baseUrl: string;
  proxyRunning: boolean;
  /** A model the key may use, for the snippets. */
  model?: string;
  onDone: () => void;
}

/** The secret, shown once, with copy buttons and ready-to-paste snippets. Holds it only as a prop. */
export function SecretView({ secret, baseUrl, proxyRunning, model, onDone }: SecretViewProps) {
  const { t } = useTranslation();
  const snippets = buildSnippets(baseUrl, secret, model);
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
      <Tabs defaultValue="env" variant="outline" keepMounted={false}>
        <Tabs.List>
          {(['env', 'curl', 'python', 'node'] as const).map((tab) => (
            <Tabs.Tab key={tab} value={tab}>
              {t(`secret.${tab}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {(['env', 'curl', 'python', 'node'] as const).map((tab) => (
          <Tabs.Panel key={tab} value={tab} pt="xs">
            <CopyField value={snippets[tab]} label={t(`secret.${tab}`)} block />
          </Tabs.Panel>
        ))}
      </Tabs>
      <Group justify="flex-end">
        <Button onClick={onDone}>
          {t('secret.done')}
        </Button>
      </Group>
    </Stack>
  );
}
