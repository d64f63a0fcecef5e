import { Group, NumberInput, Stack, Text } from '@mantine/core';
import type { FormErrors } from '@mantine/form';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { RateLimits } from '../../../../electron/shared/types';

export interface RateLimitPickerProps {
  /** Each limit, null for none; NaN never (an emptied field is no limit). */
  value: RateLimits;
  onChange: (value: RateLimits) => void;
  /** The form's errors: `rateLimits.requestsPerMinute` and the like show under their field. */
  errors: FormErrors;
}

const FIELDS = ['requestsPerMinute', 'tokensPerMinute', 'maxConcurrent'] as const;

/** Three optional numbers: requests and tokens per minute, requests at once. An empty field lifts that limit. */
export function RateLimitPicker({ value, onChange, errors }: RateLimitPickerProps) {
  const { t } = useTranslation();
  const labelId = useId();
  return (
    <Stack gap={6} role="group" aria-labelledby={labelId} data-testid="rate-limit-picker">
      <Text size="sm" fw={500} id={labelId}>
        {t('rateLimits.label')}
      </Text>
      <Group grow align="flex-start" gap="xs">
        {FIELDS.map((field) => (
          <NumberInput
            key={field}
            label={t(`rateLimits.${field}`)}
            placeholder={t('rateLimits.noLimit')}
            value={value[field] ?? ''}
            onChange={(next) => onChange({ ...value, [field]: next === '' ? null : typeof next === 'number' ? next : Number(next) })}
            // Typed as typed: "0" or "1.5" is refused with the contract's message, never rounded into another limit.
            allowDecimal
            allowNegative
            clampBehavior="none"
            thousandSeparator=","
            size="xs"
            error={errors[`rateLimits.${field}`]}
          />
        ))}
      </Group>
      <Text size="xs" c={errors.rateLimits ? 'red' : 'dimmed'} role={errors.rateLimits ? 'alert' : undefined}>
        {errors.rateLimits ?? t('rateLimits.hint')}
      </Text>
    </Stack>
  );
}
