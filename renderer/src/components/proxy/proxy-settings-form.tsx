import { Button, Group, NumberInput, Paper, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { formResolver } from '../../lib/form-resolver';
import { useTranslation } from 'react-i18next';
import { FormErrorAlert } from '../common/form-error-alert';
import { ProxyConfigureSchema } from '../../../../electron/shared/schemas';
import type { ProxyStatus } from '../../../../electron/shared/types';
import { useFormSubmit } from '../../lib/use-form-submit';
import { localizeError } from '../../i18n/error-messages';
import { useKeygate } from '../../store/store';

type SettingsValues = {
  host: string;
  port: number;
  autoStart: boolean;
};

const FIELDS = ['host', 'port', 'autoStart'];

/** Host, port and start-with-app; errors such as "port in use" land on the field they concern. */
export function ProxySettingsForm({ status }: { status: ProxyStatus }) {
  const { t } = useTranslation();
  const configureProxy = useKeygate((state) => state.configureProxy);
  const headless = useKeygate((state) => state.appInfo?.mode === 'headless');
  const form = useForm<SettingsValues>({
    initialValues: { host: status.host, port: status.port, autoStart: status.autoStart },
    validate: formResolver(ProxyConfigureSchema),
    validateInputOnChange: true,
  });

  const { saving, formError, submit } = useFormSubmit(form.setErrors, FIELDS, async (values: SettingsValues) => {
    const next = await configureProxy(headless ? { autoStart: values.autoStart } : values);
    form.resetDirty({ host: next.host, port: next.port, autoStart: next.autoStart });
    // Saved, but the proxy could not listen there (port in use): say so on the field.
    if (next.error && !next.running && !headless) form.setFieldError('port', localizeError({ message: next.error, reason: next.errorReason, params: next.errorParams }));
    else notifications.show({ message: t('proxy.applied') });
  });

  return (
    <Paper withBorder radius="md" p="md">
      <Text fw={600} size="sm" mb="sm">
        {t('proxy.settings')}
      </Text>
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack gap="sm">
          <Group grow align="flex-start">
            <TextInput
              label={t('proxy.host')}
              description={headless ? t('proxy.headlessAddress') : t('proxy.hostHint')}
              disabled={headless}
              {...form.getInputProps('host')}
            />
            <NumberInput
              label={t('proxy.port')}
              description={headless ? t('proxy.headlessAddress') : t('proxy.portHint')}
              disabled={headless}
              allowDecimal={false}
              allowNegative={false}
              {...form.getInputProps('port')}
              onChange={(value) => form.setFieldValue('port', typeof value === 'number' ? value : Number.NaN)}
            />
          </Group>
          <Switch label={t('proxy.autoStart')} {...form.getInputProps('autoStart', { type: 'checkbox' })} />
          <FormErrorAlert message={formError} />
          <Group justify="flex-end">
            <Button type="submit" loading={saving} disabled={saving || !form.isDirty()}>
              {t('proxy.apply')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
