import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { formResolver } from '../../lib/form-resolver';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormErrorAlert } from '../common/form-error-alert';
import { ModalFormActions } from '../common/modal-form-actions';
import type { SubkeyUpdateInput } from '../../../../electron/shared/schemas';
import { SubkeyUpdateSchema } from '../../../../electron/shared/schemas';
import type { Subkey } from '../../../../electron/shared/types';
import { errorUnder } from '../../lib/errors-under';
import { useFormSubmit } from '../../lib/use-form-submit';
import { formatNumber } from '../../lib/format';
import { useModelIdsOf } from '../../lib/use-models-of';
import { useKeygate } from '../../store/store';
import { ExpiryPicker } from './expiry-picker';
import { isIncompletePolicy, ModelPolicyPicker, policyModeOf, type PolicyMode } from './model-policy-picker';
import { PermissionsPicker } from './permissions-picker';
import type { Permissions } from '../../../../electron/shared/permissions';
import { QuotaPicker } from './quota-picker';

type EditValues = {
  name: string;
  expiresAt: string | null;
  remainingRequests: number | null;
  allowModels: string[];
  denyModels: string[];
  permissions: Permissions;
};

const FIELDS = ['name', 'expiresAt', 'remainingRequests', 'allowModels', 'denyModels', 'permissions'];
const ADD_STEPS = [10, 100, 1000];

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** Only what the user changed: an untouched past expiry or a quota spent meanwhile is never written back. */
export function patchOf(subkey: Subkey, values: EditValues): SubkeyUpdateInput {
  const patch: SubkeyUpdateInput = { id: subkey.id };
  if (values.name !== subkey.name) patch.name = values.name;
  if (values.expiresAt !== subkey.expiresAt) patch.expiresAt = values.expiresAt;
  if (values.remainingRequests !== subkey.remainingRequests) patch.remainingRequests = values.remainingRequests;
  if (!sameList(values.allowModels, subkey.allowModels) || !sameList(values.denyModels, subkey.denyModels)) {
    patch.allowModels = values.allowModels;
    patch.denyModels = values.denyModels;
  }
  if (JSON.stringify(values.permissions) !== JSON.stringify(subkey.permissions)) patch.permissions = values.permissions;
  return patch;
}

/** Edits a sub-key: rename, extend its expiry, add requests, change its models. */
export function SubkeyEditModal({ subkey, onClose }: { subkey: Subkey; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const updateSubkey = useKeygate((state) => state.updateSubkey);
  const models = useModelIdsOf(subkey.upstreamId);
  const [quotaKey, setQuotaKey] = useState(0);
  const resolver = formResolver(SubkeyUpdateSchema);
  const [policyMode, setPolicyMode] = useState<PolicyMode>(policyModeOf(subkey));

  const form = useForm<EditValues>({
    initialValues: {
      name: subkey.name,
      expiresAt: subkey.expiresAt,
      remainingRequests: subkey.remainingRequests,
      allowModels: subkey.allowModels,
      denyModels: subkey.denyModels,
      permissions: subkey.permissions,
    },
    validate: (values) => ({
      ...resolver(patchOf(subkey, values) as Record<string, unknown>),
      ...(isIncompletePolicy(policyMode, values) ? { allowModels: t('policy.pickOne') } : {}),
    }),
    validateInputOnChange: true,
  });

  function addRequests(count: number) {
    const current = form.values.remainingRequests;
    form.setFieldValue('remainingRequests', (current === null || Number.isNaN(current) ? 0 : current) + count);
    setQuotaKey((key) => key + 1);
  }

  const { saving, formError, submit } = useFormSubmit(form.setErrors, FIELDS, async (values: EditValues) => {
    const saved = await updateSubkey(patchOf(subkey, values));
    notifications.show({ message: t('subkeys.updated', { name: saved.name }) });
    onClose();
  });

  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={t('subkeys.editTitle', { name: subkey.name })} size="lg">
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack gap="md">
          <TextInput label={t('subkeys.name')} data-autofocus {...form.getInputProps('name')} />
          <ExpiryPicker value={form.values.expiresAt} onChange={(value) => form.setFieldValue('expiresAt', value)} error={form.errors.expiresAt} />
          <Stack gap={4}>
            <QuotaPicker
              key={quotaKey}
              label={t('subkeys.remaining')}
              value={form.values.remainingRequests}
              onChange={(value) => form.setFieldValue('remainingRequests', value)}
              error={form.errors.remainingRequests}
            />
            {form.values.remainingRequests !== null && (
              <Group gap={6}>
                <Text size="xs" c="dimmed">
                  {t('subkeys.addRequests')}
                </Text>
                {ADD_STEPS.map((step) => (
                  <Button key={step} size="compact-xs" variant="light" onClick={() => addRequests(step)}>
                    +{formatNumber(step, i18n.language)}
                  </Button>
                ))}
              </Group>
            )}
          </Stack>
          <ModelPolicyPicker
            models={models}
            value={{ allowModels: form.values.allowModels, denyModels: form.values.denyModels }}
            onChange={(policy, mode) => {
              setPolicyMode(mode);
              form.setValues(policy);
              if (!isIncompletePolicy(mode, policy)) form.clearFieldError('allowModels');
            }}
            error={errorUnder(form.errors, 'allowModels', 'denyModels')}
          />
          <PermissionsPicker
            value={form.values.permissions}
            onChange={(permissions) => form.setFieldValue('permissions', permissions)}
            error={errorUnder(form.errors, 'permissions')}
          />
          <FormErrorAlert message={formError} />
          <ModalFormActions submitLabel={t('common.save')} saving={saving} onCancel={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}
