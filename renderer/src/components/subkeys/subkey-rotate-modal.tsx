import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Subkey } from '../../../../electron/shared/types';
import { errorMessage } from '../../api/api-error';
import { useKeygate } from '../../store/store';
import { SecretView } from './secret-view';

/** Confirms a rotation, then shows the new secret once; closing forgets it. */
export function SubkeyRotateModal({ subkey, onClose }: { subkey: Subkey; onClose: () => void }) {
  const { t } = useTranslation();
  const rotateSubkey = useKeygate((state) => state.rotateSubkey);
  const proxy = useKeygate((state) => state.proxy);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  async function rotate() {
    setSaving(true);
    setError(null);
    try {
      setSecret((await rotateSubkey(subkey.id)).secret);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal opened onClose={onClose} title={secret ? t('secret.title') : t('subkeys.rotateTitle')} size={secret ? 'lg' : 'md'} closeOnClickOutside={!secret} closeOnEscape={!secret}>
      {secret ? (
        <SecretView secret={secret} baseUrl={proxy?.url ?? ''} proxyRunning={proxy?.running ?? false} onDone={onClose} />
      ) : (
        <Stack gap="md">
          <Text size="sm">{t('subkeys.rotateText', { name: subkey.name })}</Text>
          {error && (
            <Alert color="red" variant="light" p="xs" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button color="orange" onClick={rotate} loading={saving} data-autofocus>
              {t('subkeys.rotateSubmit')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
