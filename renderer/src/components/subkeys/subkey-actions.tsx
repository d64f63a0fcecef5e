import { ActionIcon, Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDots, IconPencil, IconPlayerPause, IconPlayerPlay, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Subkey } from '../../../../electron/shared/types';
import { errorMessage } from '../../api/api-error';
import { useKeygate } from '../../store/store';
import type { Modal } from '../../store/ui-slice';

/** The row menu: edit, enable/disable, rotate, delete. */
export function SubkeyActions({ subkey }: { subkey: Subkey }) {
  const { t } = useTranslation();
  const openModal = useKeygate((state) => state.openModal);
  const setSubkeyEnabled = useKeygate((state) => state.setSubkeyEnabled);

  const target = useRef<HTMLButtonElement>(null);

  // The menu's own button, not the menu item (gone once the menu closes), is what focus returns to from the dialog.
  function open(modal: Modal) {
    target.current?.focus();
    openModal(modal);
  }

  async function toggle() {
    try {
      await setSubkeyEnabled(subkey.id, !subkey.enabled);
      notifications.show({ message: subkey.enabled ? t('subkeys.disabled') : t('subkeys.enabled') });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  }

  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={180}>
      <Menu.Target>
        <ActionIcon ref={target} variant="subtle" color="gray" aria-label={t('subkeys.actions', { name: subkey.name })}>
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => open({ kind: 'subkey-edit', subkeyId: subkey.id })}>
          {t('common.edit')}
        </Menu.Item>
        <Menu.Item leftSection={subkey.enabled ? <IconPlayerPause size={14} /> : <IconPlayerPlay size={14} />} onClick={toggle}>
          {subkey.enabled ? t('subkeys.disable') : t('subkeys.enable')}
        </Menu.Item>
        <Menu.Item leftSection={<IconRefresh size={14} />} onClick={() => open({ kind: 'subkey-rotate', subkeyId: subkey.id })}>
          {t('subkeys.rotate')}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          // color="red" paints red.6 in both schemes (3.3:1 on white); the scheme's red text passes 4.5:1.
          color="var(--mantine-color-red-text)"
          leftSection={<IconTrash size={14} />} onClick={() => open({ kind: 'subkey-remove', subkeyId: subkey.id })}>
          {t('common.delete')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
