import { NumberInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelledChoice } from './labelled-choice';
import { MAX_REMAINING_REQUESTS } from '../../../../electron/shared/schemas';
import { formatNumber } from '../../lib/format';
import { choiceOfQuota, quotaChoices, quotaFromChoice, type QuotaChoice } from '../../lib/quota';

export interface QuotaPickerProps {
  /** Canonical: a whole number of requests, or null for unlimited. NaN only while the custom field is empty. */
  value: number | null;
  onChange: (value: number | null) => void;
  label?: string;
  error?: React.ReactNode;
}

/** Unlimited, a preset or a custom count; emits an integer or null. */
export function QuotaPicker({ value, onChange, label, error }: QuotaPickerProps) {
  const { t, i18n } = useTranslation();
  const [choice, setChoice] = useState<QuotaChoice>(choiceOfQuota(value));

  function choose(next: QuotaChoice) {
    setChoice(next);
    onChange(next === 'custom' ? (value ?? 500) : quotaFromChoice(next));
  }

  return (
    <Stack gap={6}>
      <LabelledChoice label={label ?? t('quota.label')} choices={quotaChoices} value={choice} labelOf={(each) => t(`quota.choices.${each}`)} onChange={choose} />
      {choice === 'custom' && (
        <NumberInput
          aria-label={t('quota.custom')}
          value={value === null || Number.isNaN(value) ? '' : value}
          onChange={(next) => onChange(typeof next === 'number' ? next : next === '' ? Number.NaN : Number(next))}
          allowDecimal={false}
          allowNegative={false}
          min={0}
          max={MAX_REMAINING_REQUESTS}
          thousandSeparator=","
          size="sm"
        />
      )}
      <Text size="xs" c={error ? 'red' : 'dimmed'} role={error ? 'alert' : undefined} data-testid="quota-result">
        {error ??
          (value === null
            ? t('quota.resultUnlimited')
            : Number.isNaN(value)
              ? t('quota.custom')
              : t('quota.result', { requests: formatNumber(value, i18n.language) }))}
      </Text>
    </Stack>
  );
}
