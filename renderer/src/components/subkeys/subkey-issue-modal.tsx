import { Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { formResolver } from '../../lib/form-resolver';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormErrorAlert } from '../common/form-error-alert';
import { ModalFormActions } from '../common/modal-form-actions';
import { SubkeyCreateSchema } from '../../../../electron/shared/schemas';
import type { Subkey } from '../../../../electron/shared/types';
import { expiryFromChoice } from '../../lib/expiry';
import { errorUnder } from '../../lib/errors-under';
import { useFormSubmit } from '../../lib/use-form-submit';
import { useModelIdsOf } from '../../lib/use-models-of';
import { useKeygate } from '../../store/store';
import { ExpiryPicker } from './expiry-picker';
import { isIncompletePolicy, ModelPolicyPicker, type PolicyMode } from './model-policy-picker';
import { PermissionsPicker } from './permissions-picker';
import { suggestedPermissions, type Permissions } from '../../../../electron/shared/permissions';
import { QuotaPicker } from './quota-picker';
import { SecretView } from './secret-view';

type IssueValues = {
  name: string;
  upstreamId: string;
  expiresAt: string | null;
  remainingRequests: number | null;
  allowModels: string[];
  denyModels: string[];
  permissions: Permissions;
};

const FIELDS = ['name', 'upstreamId', 'expiresAt', 'remainingRequests', 'allowModels', 'denyModels', 'permissions'];

/** Issues a sub-key, then shows its secret once; closing forgets it. */
export function SubkeyIssueModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const upstreams = useKeygate((state) => state.upstreams);
  const proxy = useKeygate((state) => state.proxy);
  const createSubkey = useKeygate((state) => state.createSubkey);
  // The secret lives only here, in this dialog's own state, until the dialog closes.
  const [issued, setIssued] = useState<{ secret: string; subkey: Subkey } | null>(null);
  const [policyMode, setPolicyMode] = useState<PolicyMode>('all');
  const resolver = formResolver(SubkeyCreateSchema);

  const form = useForm<IssueValues>({
    initialValues: {
      name: '',
      upstreamId: upstreams[0]?.id ?? '',
      expiresAt: expiryFromChoice('30d'),
      remainingRequests: 1000,
      allowModels: [],
      denyModels: [],
      // Like OpenAI's restricted keys: models read; chat, responses and embeddings write; nothing else.
      permissions: suggestedPermissions(),
    },
    validate: (values) => ({ ...resolver(values), ...(isIncompletePolicy(policyMode, values) ? { allowModels: t('policy.pickOne') } : {}) }),
    validateInputOnChange: true,
  });
  const models = useModelIdsOf(form.values.upstreamId);

  const { saving, formError, submit } = useFormSubmit(form.setErrors, FIELDS, async (values: IssueValues) => {
    setIssued(await createSubkey(values));
  });

  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': t('common.close') }} title={issued ? t('secret.title') : t('subkeys.issueTitle')} size="lg" closeOnClickOutside={!issued} closeOnEscape={!issued}>
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
        <form onSubmit={form.onSubmit(submit)} noValidate>
          <Stack gap="md">
            <Group grow align="flex-start">
              <TextInput label={t('subkeys.name')} placeholder="ci-bot" data-autofocus {...form.getInputProps('name')} />
              <Select
                label={t('subkeys.upstream')}
                data={upstreams.map((upstream) => ({ value: upstream.id, label: upstream.name }))}
                allowDeselect={false}
                {...form.getInputProps('upstreamId')}
              />
            </Group>
            <ExpiryPicker
              value={form.values.expiresAt}
              initialChoice="30d"
              onChange={(value) => form.setFieldValue('expiresAt', value)}
              error={form.errors.expiresAt}
            />
            <QuotaPicker
              value={form.values.remainingRequests}
              onChange={(value) => form.setFieldValue('remainingRequests', value)}
              error={form.errors.remainingRequests}
            />
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
            <ModalFormActions submitLabel={t('subkeys.submitIssue')} saving={saving} onCancel={onClose} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
