import { Alert } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** A form's error that belongs to no single field (say, the server refused the whole request); nothing when null. */
export function FormErrorAlert({ message }: { message: string | null }) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <Alert color="red" variant="light" p="xs" role="alert">
      {t('validation.formError', { message })}
    </Alert>
  );
}
