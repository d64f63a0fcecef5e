import { Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Subkey } from '../../../../electron/shared/types';
import { useModelIdsOf } from '../../lib/use-models-of';
import { useKeygate } from '../../store/store';
import { CopyField } from '../common/copy-field';
import { SnippetTabs } from '../subkeys/snippet-tabs';

/** Where the snippets put the secret, which Keygate shows only once (at issue or rotation). */
export const SECRET_PLACEHOLDER = 'YOUR_SUBKEY_SECRET';

/** How to use the key: the proxy's base URL to copy, and the same snippets the secret dialog offers. */
export function SubkeyConnect({ subkey }: { subkey: Subkey }) {
  const { t } = useTranslation();
  const proxy = useKeygate((state) => state.proxy);
  const models = useModelIdsOf(subkey.upstreamId);
  const baseUrl = proxy?.url ?? '';
  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-labelledby="subkey-connect-title">
      <Title order={2} size="h5" mb="xs" id="subkey-connect-title">
        {t('subkeyPage.connect')}
      </Title>
      <Stack gap="xs">
        <div>
          <Text size="sm" fw={500} mb={4}>
            {t('subkeyPage.baseUrl')}
          </Text>
          <CopyField value={baseUrl} label={t('subkeyPage.baseUrl')} testId="subkey-base-url" />
        </div>
        {proxy && !proxy.running && (
          <Text size="xs" c="orange">
            {t('secret.proxyStopped')}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {t('subkeyPage.secretNote', { placeholder: SECRET_PLACEHOLDER, hint: subkey.hint })}
        </Text>
        <SnippetTabs baseUrl={baseUrl} secret={SECRET_PLACEHOLDER} policy={subkey} models={models} />
      </Stack>
    </Paper>
  );
}
