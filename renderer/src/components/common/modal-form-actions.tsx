import { Button, Group, type MantineSpacing } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export interface ModalFormActionsProps {
  submitLabel: string;
  saving: boolean;
  onCancel: () => void;
  mt?: MantineSpacing;
}

/**
 * A form dialog's Cancel and submit buttons, kept in view while the form scrolls; submit shows progress and cannot be
 * pressed twice while saving.
 */
export function ModalFormActions({ submitLabel, saving, onCancel, mt }: ModalFormActionsProps) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end" gap="xs" mt={mt} className="modal-footer">
      <Button variant="default" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" loading={saving} disabled={saving}>
        {submitLabel}
      </Button>
    </Group>
  );
}
