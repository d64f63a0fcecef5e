import { Button, NumberInput, Paper, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { errorMessage } from '../../api/api-error';
import { RetentionDaysSchema } from '../../../../electron/shared/schemas';
import { formatBytes, formatDateTime } from '../../lib/format';
import { formResolver } from '../../lib/form-resolver';
import { useFormSubmit } from '../../lib/use-form-submit';
import { useKeygate } from '../../store/store';
import { FormErrorAlert } from '../common/form-error-alert';

const FIELDS = ['usageRetentionDays'];
const RetentionFormSchema = z.object({ usageRetentionDays: RetentionDaysSchema });
type RetentionValues = { usageRetentionDays: number };

/** How much room the usage log takes, and how long it keeps requests (the retention setting, editable here). */
export function StoragePanel() {
  const { t, i18n } = useTranslation();
  const storage = useKeygate((state) => state.usageStorage);
  const refreshUsageStorage = useKeygate((state) => state.refreshUsageStorage);
  const retentionDays = useKeygate((state) => state.proxy?.usageRetentionDays);

  useEffect(() => {
    refreshUsageStorage().catch((error) => notifications.show({ color: 'red', message: errorMessage(error) }));
  }, [refreshUsageStorage]);

  return (
    <Paper withBorder radius="md" p="sm" mt="md" data-testid="usage-storage">
      <Text size="sm" fw={600}>
        {t('usage.storageTitle')}
      </Text>
      {storage && (
        <Text size="sm" mb="xs">
          {t('usage.storageSize', { size: formatBytes(storage.sizeBytes, i18n.language) })}{' '}
          {storage.oldestRequestAt ? t('usage.storageOldest', { date: formatDateTime(storage.oldestRequestAt) }) : t('usage.storageNone')}
        </Text>
      )}
      {storage && !storage.shrinks && (
        <Text size="xs" c="dimmed" mb="xs">
          {t('usage.storageReused')}
        </Text>
      )}
      {/* Keyed by the saved value: a change saved here or elsewhere starts the form from it. */}
      {retentionDays !== undefined && <RetentionForm key={retentionDays} days={retentionDays} />}
    </Paper>
  );
}

function RetentionForm({ days }: { days: number }) {
  const { t } = useTranslation();
  const configureProxy = useKeygate((state) => state.configureProxy);
  const refreshUsageStorage = useKeygate((state) => state.refreshUsageStorage);
  const form = useForm<RetentionValues>({
    initialValues: { usageRetentionDays: days },
    validate: formResolver(RetentionFormSchema),
    validateInputOnChange: true,
  });

  const { saving, formError, submit } = useFormSubmit(form.setErrors, FIELDS, async (values: RetentionValues) => {
    const next = await configureProxy({ usageRetentionDays: values.usageRetentionDays });
    notifications.show({ message: t('usage.retentionSaved', { count: next.usageRetentionDays }) });
    await refreshUsageStorage();
  });

  return (
    <form onSubmit={form.onSubmit(submit)} noValidate>
      <Stack gap="xs" align="flex-start">
        <NumberInput
          w={360}
          label={t('usage.retention')}
          description={t('usage.retentionHint')}
          allowDecimal={false}
          allowNegative={false}
          {...form.getInputProps('usageRetentionDays')}
          onChange={(value) => form.setFieldValue('usageRetentionDays', typeof value === 'number' ? value : Number.NaN)}
        />
        <FormErrorAlert message={formError} />
        <Button type="submit" size="xs" loading={saving} disabled={saving || !form.isDirty()}>
          {t('usage.retentionSave')}
        </Button>
      </Stack>
    </form>
  );
}
