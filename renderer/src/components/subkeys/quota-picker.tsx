import { NumberInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelledChoice } from './labelled-choice';
import { MAX_REMAINING_REQUESTS } from '../../../../electron/shared/schemas';
import { formatNumber } from '../../lib/format';
import { choiceOfQuota, quotaChoices, quotaFromChoice, type QuotaChoice } from '../../lib/quota';

export interface QuotaPickerProps {
  /**
   * A whole number of requests, or null for unlimited. NaN while the custom field is empty or unreadable; a fraction
   * or a negative number while the field shows one (the picker then says it is refused).
   */
  value: number | null;
  onChange: (value: number | null) => void;
  label?: string;
  error?: React.ReactNode;
}

/** Whether a quota is one the contract takes: null, a whole number ≥ 0, or NaN (an empty field, not yet an answer). */
function isWholeQuota(value: number | null): boolean {
  return value === null || Number.isNaN(value) || (Number.isInteger(value) && value >= 0);
}

/** Unlimited, a preset or a custom count; emits what was typed and refuses anything but a whole number ≥ 0. */
export function QuotaPicker({ value, onChange, label, error }: QuotaPickerProps) {
  const { t, i18n } = useTranslation();
  const [choice, setChoice] = useState<QuotaChoice>(choiceOfQuota(value));

  const shownError = error ?? (isWholeQuota(value) ? undefined : t('quota.wholeNumber'));

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
          // What was typed stays as typed ("12.5", "-5") and is refused with a message, never silently rewritten:
          // stripping the point or the sign, or clamping on blur, would turn it into a different quota.
          allowDecimal
          allowNegative
          clampBehavior="none"
          min={0}
          max={MAX_REMAINING_REQUESTS}
          thousandSeparator=","
          size="sm"
          error={Boolean(shownError)}
        />
      )}
      <Text size="xs" c={shownError ? 'red' : 'dimmed'} role={shownError ? 'alert' : undefined} data-testid="quota-result">
        {shownError ??
          (value === null
            ? t('quota.resultUnlimited')
            : Number.isNaN(value)
              ? t('quota.custom')
              : t('quota.result', { requests: formatNumber(value, i18n.language) }))}
      </Text>
    </Stack>
  );
}
