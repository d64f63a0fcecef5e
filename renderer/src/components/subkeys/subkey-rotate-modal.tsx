import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IssuedSubkey, Subkey } from '../../../../electron/shared/types';
import { errorMessage } from '../../api/api-error';
import { useModelIdsOf } from '../../lib/use-models-of';
import { useKeygate } from '../../store/store';
import { SecretView } from './secret-view';

/** Confirms a rotation, then shows the new secret once; closing forgets it. */
export function SubkeyRotateModal({ subkey, onClose }: { subkey: Subkey; onClose: () => void }) {
  const { t } = useTranslation();
  const rotateSubkey = useKeygate((state) => state.rotateSubkey);
  const proxy = useKeygate((state) => state.proxy);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedSubkey | null>(null);
  const models = useModelIdsOf(subkey.upstreamId);

  async function rotate() {
    setSaving(true);
    setError(null);
    try {
      setIssued(await rotateSubkey(subkey.id));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={issued ? t('secret.title') : t('subkeys.rotateTitle')} size={issued ? 'lg' : 'md'} closeOnClickOutside={!issued} closeOnEscape={!issued}>
      {issued ? (
        <SecretView
          secret={issued.secret}
          baseUrl={proxy?.url ?? ''}
          proxyRunning={proxy?.running ?? false}
          policy={issued.subkey}
          models={models}
          onDone={onClose}
        />
      ) : (
        <Stack gap="md">
          <Text size="sm">{t('subkeys.rotateText', { name: subkey.name })}</Text>
          {error && (
            <Alert color="red" variant="light" p="xs" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs" className="modal-footer">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button color="red" onClick={rotate} loading={saving} data-autofocus>
              {t('subkeys.rotateSubmit')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
