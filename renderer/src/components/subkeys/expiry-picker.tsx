import { Stack, Text } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import dayjs from 'dayjs';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelledChoice } from './labelled-choice';
import { choiceOfExpiry, expiryChoices, expiryFromChoice, type ExpiryChoice } from '../../lib/expiry';
import { formatDateTime, fromNow } from '../../lib/format';

export interface ExpiryPickerProps {
  /** Canonical: an ISO 8601 instant, or null for never. */
  value: string | null;
  onChange: (value: string | null) => void;
  /** The choice to show first; defaults to what `value` looks like (never or custom). */
  initialChoice?: ExpiryChoice;
  error?: React.ReactNode;
}

/**
 * Past days are greyed out, except the day of the current value: the calendar focuses the selected day when it opens,
 * and with that day disabled the focus had nowhere to go, so Escape no longer closed the dropdown.
 */
function pastDayExcept(value: string | null): (date: string) => boolean {
  return (date) => dayjs(date).isBefore(dayjs(), 'day') && !(value !== null && dayjs(date).isSame(dayjs(value), 'day'));
}

/** Presets or a custom date and time; always emits an ISO string or null, and shows the resulting local date. */
export function ExpiryPicker({ value, onChange, initialChoice, error }: ExpiryPickerProps) {
  const { t } = useTranslation();
  // One id for the field and its popover, so the calendar dialog is named by the field it belongs to.
  const pickerId = useId();
  const [choice, setChoice] = useState<ExpiryChoice>(initialChoice ?? choiceOfExpiry(value));

  function choose(next: ExpiryChoice) {
    setChoice(next);
    if (next !== 'custom') onChange(expiryFromChoice(next));
    // Custom starts from the current expiry, or this time tomorrow on the hour.
    else onChange(value ?? dayjs().add(1, 'day').startOf('hour').toISOString());
  }

  return (
    <Stack gap={6}>
      <LabelledChoice label={t('expiry.label')} choices={expiryChoices} value={choice} labelOf={(each) => t(`expiry.choices.${each}`)} onChange={choose} />
      {choice === 'custom' && (
        <DateTimePicker
          id={pickerId}
          popoverProps={{ id: pickerId }}
          // A visible label, not an aria-label: the field's text is the date, and a name set by aria-label must
          // contain the visible text (WCAG 2.5.3), which "Date and time" alone does not.
          label={t('expiry.custom')}
          // The month and year buttons keep their visible text ("January 2027") as their name, for the same reason.
          ariaLabels={{
            previousMonth: t('expiry.previousMonth'),
            nextMonth: t('expiry.nextMonth'),
            previousYear: t('expiry.previousYear'),
            nextYear: t('expiry.nextYear'),
            previousDecade: t('expiry.previousDecade'),
            nextDecade: t('expiry.nextDecade'),
          }}
          submitButtonProps={{ 'aria-label': t('expiry.confirm') }}
          timePickerProps={{ 'aria-label': t('expiry.time') }}
          value={value ? dayjs(value).format('YYYY-MM-DD HH:mm:ss') : null}
          onChange={(next) => onChange(next ? dayjs(next).toISOString() : null)}
          // Past days are greyed out, but nothing is clamped: a `minDate` would silently turn a past time typed
          // for today into "now" when the dropdown closes. The form says it must be in the future instead.
          excludeDate={pastDayExcept(value)}
          valueFormat="YYYY-MM-DD HH:mm"
          size="sm"
        />
      )}
      <Text size="xs" c={error ? 'red' : 'dimmed'} data-testid="expiry-result" role={error ? 'alert' : undefined}>
        {error ?? (value ? `${t('expiry.result', { date: formatDateTime(value) })} (${fromNow(value)})` : t('expiry.resultNever'))}
      </Text>
    </Stack>
  );
}
