import { Radio, Select, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Upstream } from '../../../../electron/shared/types';
import { useKeygate } from '../../store/store';
import { ConfirmModal } from '../common/confirm-modal';

type SubkeyChoice = 'move' | 'remove';

/**
 * Removes an upstream. When sub-keys use it, says how many before asking, and offers to move them to another
 * upstream or delete them with it; the core does either in the same step as the removal.
 */
export function UpstreamRemoveModal({ upstream, onClose }: { upstream: Upstream; onClose: () => void }) {
  const { t } = useTranslation();
  const upstreams = useKeygate((state) => state.upstreams);
  const subkeys = useKeygate((state) => state.subkeys);
  const removeUpstream = useKeygate((state) => state.removeUpstream);
  const others = upstreams.filter((each) => each.id !== upstream.id);
  const count = subkeys.filter((subkey) => subkey.upstreamId === upstream.id).length;
  const [choice, setChoice] = useState<SubkeyChoice>(others.length > 0 ? 'move' : 'remove');
  const [moveTo, setMoveTo] = useState<string | null>(others[0]?.id ?? null);

  async function confirm() {
    const subkeysChoice = count === 0 ? undefined : choice === 'move' && moveTo ? { moveTo } : 'remove';
    await removeUpstream(upstream.id, subkeysChoice);
    notifications.show({ message: t('upstreams.removed') });
  }

  return (
    <ConfirmModal
      title={t('upstreams.removeTitle')}
      text={count === 0 ? t('upstreams.removeText', { name: upstream.name }) : t('upstreams.removeWithSubkeys', { name: upstream.name, count })}
      confirmLabel={t('upstreams.remove')}
      onConfirm={confirm}
      onClose={onClose}
    >
      {count > 0 && (
        <Radio.Group value={choice} onChange={(value) => setChoice(value as SubkeyChoice)} aria-label={t('upstreams.subkeysChoice')}>
          <Stack gap="xs">
            {others.length > 0 && <Radio value="move" label={t('upstreams.moveSubkeys', { count })} />}
            {others.length > 0 && choice === 'move' && (
              <Select
                size="sm"
                ml="xl"
                aria-label={t('upstreams.moveTo')}
                data={others.map((each) => ({ value: each.id, label: each.name }))}
                value={moveTo}
                onChange={setMoveTo}
                allowDeselect={false}
              />
            )}
            <Radio value="remove" label={t('upstreams.deleteSubkeys', { count })} />
          </Stack>
        </Radio.Group>
      )}
    </ConfirmModal>
  );
}
