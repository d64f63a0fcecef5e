import { Alert, Group, Paper, Stack, Switch, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/api-error';
import { localizeError } from '../../i18n/error-messages';
import { useKeygate } from '../../store/store';
import { CopyField } from '../common/copy-field';

/** Running/stopped toggle and the base URL; a failed start (port in use) shows here, in place. */
export function ProxyStatusCard() {
  const { t } = useTranslation();
  const proxy = useKeygate((state) => state.proxy);
  const busy = useKeygate((state) => state.proxyBusy);
  const setProxyRunning = useKeygate((state) => state.setProxyRunning);
  const [error, setError] = useState<string | null>(null);
  if (!proxy) return null;

  async function toggle(running: boolean) {
    setError(null);
    try {
      await setProxyRunning(running);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  const shownError = error ?? (proxy.error === null ? null : localizeError({ message: proxy.error, reason: proxy.errorReason, params: proxy.errorParams }));
  return (
    <Paper withBorder radius="md" p="md" mb="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Text span c={proxy.running ? 'teal' : 'dimmed'} fz={10} aria-hidden>
              ●
            </Text>
            <Text fw={600} data-testid="proxy-state">
              {proxy.running ? t('proxy.running') : t('proxy.stopped')}
            </Text>
          </Group>
          <Switch checked={proxy.running} disabled={busy} onChange={(event) => toggle(event.currentTarget.checked)} label={t('proxy.toggle')} labelPosition="left" />
        </Group>
        <div>
          <Text size="sm" fw={500} mb={4}>
            {t('proxy.baseUrl')}
          </Text>
          <CopyField value={proxy.url} label={t('proxy.baseUrl')} testId="proxy-url" />
        </div>
        {shownError && (
          <Alert color="red" variant="light" p="xs" icon={<IconAlertCircle size={16} />} role="alert">
            {t('proxy.startFailed', { message: shownError })}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
