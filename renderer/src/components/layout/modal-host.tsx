import { useFocusReturn } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';
import { ConfirmModal } from '../common/confirm-modal';
import { SubkeyEditModal } from '../subkeys/subkey-edit-modal';
import { SubkeyIssueModal } from '../subkeys/subkey-issue-modal';
import { SubkeyRotateModal } from '../subkeys/subkey-rotate-modal';
import { UpstreamFormModal } from '../upstreams/upstream-form-modal';
import { UpstreamRemoveModal } from '../upstreams/upstream-remove-modal';

/** Renders the one open dialog named by the store's modal state; a closed dialog is unmounted, with all it held. */
export function ModalHost() {
  const { t } = useTranslation();
  const modal = useKeygate((state) => state.modal);
  const closeModal = useKeygate((state) => state.closeModal);
  const upstreams = useKeygate((state) => state.upstreams);
  const subkeys = useKeygate((state) => state.subkeys);
  const removeSubkey = useKeygate((state) => state.removeSubkey);
  // Dialogs mount already open and unmount on close, so Modal's own returnFocus never fires: the host remembers
  // the control that had focus when a dialog opened and gives focus back to it when the dialog closes.
  useFocusReturn({ opened: modal.kind !== 'none' });

  switch (modal.kind) {
    case 'none':
      return null;
    case 'upstream-add':
      return <UpstreamFormModal onClose={closeModal} />;
    case 'upstream-edit':
    case 'upstream-remove': {
      const upstream = upstreams.find((each) => each.id === modal.upstreamId);
      if (!upstream) return null;
      return modal.kind === 'upstream-edit' ? (
        <UpstreamFormModal upstream={upstream} onClose={closeModal} />
      ) : (
        <UpstreamRemoveModal upstream={upstream} onClose={closeModal} />
      );
    }
    case 'subkey-issue':
      return <SubkeyIssueModal onClose={closeModal} />;
    case 'subkey-edit':
    case 'subkey-rotate':
    case 'subkey-remove': {
      const subkey = subkeys.find((each) => each.id === modal.subkeyId);
      if (!subkey) return null;
      if (modal.kind === 'subkey-edit') return <SubkeyEditModal subkey={subkey} onClose={closeModal} />;
      if (modal.kind === 'subkey-rotate') return <SubkeyRotateModal subkey={subkey} onClose={closeModal} />;
      return (
        <ConfirmModal
          title={t('subkeys.removeTitle')}
          text={t('subkeys.removeText', { name: subkey.name })}
          confirmLabel={t('common.delete')}
          onConfirm={async () => {
            await removeSubkey(subkey.id);
            notifications.show({ message: t('subkeys.removed', { name: subkey.name }) });
          }}
          onClose={closeModal}
        />
      );
    }
  }
}
