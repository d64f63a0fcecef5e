import { Checkbox, Modal, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { formResolver } from '../../lib/form-resolver';
import { useTranslation } from 'react-i18next';
import { FormErrorAlert } from '../common/form-error-alert';
import { ModalFormActions } from '../common/modal-form-actions';
import { UpstreamAddSchema, UpstreamUpdateSchema } from '../../../../electron/shared/schemas';
import type { Upstream } from '../../../../electron/shared/types';
import { useFormSubmit } from '../../lib/use-form-submit';
import { useKeygate } from '../../store/store';
import { presetOf, presets, type PresetId } from './presets';

type UpstreamValues = {
  preset: PresetId;
  name: string;
  baseUrl: string;
  apiKey: string;
  passThroughUnknownEndpoints: boolean;
};

const FIELDS = ['name', 'baseUrl', 'apiKey'];

/** Adds an upstream, or edits one (`upstream` given): the key field is write-only, empty keeps the current key. */
export function UpstreamFormModal({ upstream, onClose }: { upstream?: Upstream; onClose: () => void }) {
  const { t } = useTranslation();
  const addUpstream = useKeygate((state) => state.addUpstream);
  const updateUpstream = useKeygate((state) => state.updateUpstream);
  const addResolver = formResolver(UpstreamAddSchema);
  const updateResolver = formResolver(UpstreamUpdateSchema);

  const form = useForm<UpstreamValues>({
    initialValues: upstream
      ? {
          preset: presetOf(upstream.baseUrl),
          name: upstream.name,
          baseUrl: upstream.baseUrl,
          apiKey: '',
          passThroughUnknownEndpoints: upstream.passThroughUnknownEndpoints,
        }
      : { preset: 'openai', name: 'OpenAI', baseUrl: presets[0]!.baseUrl, apiKey: '', passThroughUnknownEndpoints: false },
    validate: ({ name, baseUrl, apiKey }) =>
      upstream ? updateResolver({ id: upstream.id, name, baseUrl, ...(apiKey ? { apiKey } : {}) }) : addResolver({ name, baseUrl, apiKey }),
    validateInputOnChange: FIELDS,
  });

  function choosePreset(id: PresetId) {
    const preset = presets.find((each) => each.id === id)!;
    const wasPresetName = presets.some((each) => t(`upstreams.presets.${each.id}`) === form.values.name) || !form.values.name;
    form.setValues({
      preset: id,
      ...(preset.baseUrl ? { baseUrl: preset.baseUrl } : {}),
      ...(wasPresetName && id !== 'custom' ? { name: t(`upstreams.presets.${id}`) } : {}),
    });
  }

  const { saving, formError, submit } = useFormSubmit(form.setErrors, FIELDS, async (values: UpstreamValues) => {
    const { name, baseUrl, apiKey, passThroughUnknownEndpoints } = values;
    if (upstream) await updateUpstream({ id: upstream.id, name, baseUrl, passThroughUnknownEndpoints, ...(apiKey ? { apiKey } : {}) });
    else await addUpstream({ name, baseUrl, apiKey, passThroughUnknownEndpoints });
    notifications.show({ message: upstream ? t('common.saved') : t('upstreams.added') });
    onClose();
  });

  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={upstream ? t('upstreams.editTitle') : t('upstreams.addTitle')}>
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack gap="sm">
          <Select
            label={t('upstreams.preset')}
            data={presets.map((preset) => ({ value: preset.id, label: t(`upstreams.presets.${preset.id}`) }))}
            value={form.values.preset}
            onChange={(value) => choosePreset((value ?? 'custom') as PresetId)}
            allowDeselect={false}
          />
          <TextInput label={t('upstreams.name')} data-autofocus {...form.getInputProps('name')} />
          <TextInput
            label={t('upstreams.baseUrl')}
            description={t('upstreams.baseUrlHint')}
            placeholder="https://api.example.com"
            {...form.getInputProps('baseUrl')}
            onChange={(event) => {
              form.setFieldValue('baseUrl', event.currentTarget.value);
              form.setFieldValue('preset', presetOf(event.currentTarget.value));
            }}
          />
          <PasswordInput
            label={t('upstreams.apiKey')}
            description={upstream ? `${t('upstreams.apiKeyKeep')} (${upstream.keyHint})` : t('upstreams.apiKeyHint')}
            placeholder={upstream ? upstream.keyHint : 'sk-…'}
            autoComplete="off"
            spellCheck={false}
            {...form.getInputProps('apiKey')}
          />
          <Checkbox
            label={t('upstreams.passThrough')}
            description={t('upstreams.passThroughHint')}
            {...form.getInputProps('passThroughUnknownEndpoints', { type: 'checkbox' })}
          />
          <FormErrorAlert message={formError} />
          <ModalFormActions submitLabel={t('common.save')} saving={saving} onCancel={onClose} mt="xs" />
        </Stack>
      </form>
    </Modal>
  );
}
