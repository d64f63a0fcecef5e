import { ActionIcon, Button, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import type { FormErrors } from '@mantine/form';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Budget, BudgetMetric, BudgetWindow } from '../../../../electron/shared/types';
import { BUDGET_METRICS, BUDGET_PRESETS, BUDGET_WINDOWS, duplicateBudgets, formatMetricNumber, nextBudget, withBudget } from '../../lib/budgets';
import { errorUnder } from '../../lib/errors-under';

export interface BudgetPickerProps {
  /** The budgets as the contract takes them; a limit is NaN while its field is empty. */
  value: Budget[];
  onChange: (value: Budget[]) => void;
  /** The form's errors: the picker shows those under `budgets` next to the budget they name. */
  errors: FormErrors;
}

/** A budget in words, as a preset button says it: "$5 a month", "1,000 requests a day". */
export function useBudgetPhrase(): (budget: Budget) => string {
  const { t, i18n } = useTranslation();
  return (budget) =>
    t('budgets.phrase', {
      amount: t(`budgets.amount.${budget.metric}`, { amount: formatMetricNumber(budget.metric, budget.limit, i18n.language) }),
      window: t(`budgets.windows.${budget.window}`),
    });
}

/**
 * Budgets per metric and window: presets ("$5 a month") and rows of metric, limit and window. A preset for a metric
 * and window already present sets that budget's limit rather than adding a second one; a repeated pair is flagged on
 * its row (the contract takes one of each).
 */
export function BudgetPicker({ value, onChange, errors }: BudgetPickerProps) {
  const { t } = useTranslation();
  const phrase = useBudgetPhrase();
  const labelId = useId();
  const duplicates = duplicateBudgets(value);
  const listError = errors.budgets;

  function change(index: number, patch: Partial<Budget>) {
    onChange(value.map((budget, at) => (at === index ? { ...budget, ...patch } : budget)));
  }

  return (
    <Stack gap={6} role="group" aria-labelledby={labelId} data-testid="budget-picker">
      <Text size="sm" fw={500} id={labelId}>
        {t('budgets.label')}
      </Text>
      <Group gap={6}>
        <Text size="xs" c="dimmed">
          {t('budgets.presets')}
        </Text>
        {BUDGET_PRESETS.map((preset) => (
          <Button key={`${preset.metric} ${preset.window}`} size="compact-xs" variant="light" onClick={() => onChange(withBudget(value, preset))}>
            {phrase(preset)}
          </Button>
        ))}
      </Group>
      {value.map((budget, index) => {
        const position = index + 1;
        const rowError = duplicates.has(index) ? t('budgets.duplicate') : errorUnder(errors, `budgets.${index}`);
        return (
          <Stack key={index} gap={2}>
            <Group gap="xs" align="flex-start" wrap="nowrap">
              <Select
                aria-label={t('budgets.metric', { index: position })}
                data={BUDGET_METRICS.map((metric) => ({ value: metric, label: t(`budgets.metrics.${metric}`) }))}
                value={budget.metric}
                onChange={(metric) => metric && change(index, { metric: metric as BudgetMetric })}
                allowDeselect={false}
                size="xs"
                w={130}
              />
              <NumberInput
                aria-label={t('budgets.limit', { index: position })}
                value={Number.isNaN(budget.limit) ? '' : budget.limit}
                onChange={(next) => change(index, { limit: typeof next === 'number' ? next : next === '' ? Number.NaN : Number(next) })}
                // As in the quota picker: what was typed stays as typed and is refused with a message if it is not a limit.
                allowDecimal
                allowNegative
                clampBehavior="none"
                thousandSeparator=","
                prefix={budget.metric === 'usd' ? '$' : undefined}
                size="xs"
                style={{ flex: 1 }}
                error={Boolean(rowError)}
              />
              <Select
                aria-label={t('budgets.window', { index: position })}
                data={BUDGET_WINDOWS.map((window) => ({ value: window, label: t(`budgets.windows.${window}`) }))}
                value={budget.window}
                onChange={(window) => window && change(index, { window: window as BudgetWindow })}
                allowDeselect={false}
                size="xs"
                w={110}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={t('budgets.remove', { index: position })}
                onClick={() => onChange(value.filter((_, at) => at !== index))}
              >
                <IconX size={14} />
              </ActionIcon>
            </Group>
            {rowError && (
              <Text size="xs" c="red" role="alert" data-testid={`budget-error-${index}`}>
                {rowError}
              </Text>
            )}
          </Stack>
        );
      })}
      <Group gap="xs">
        <Button size="compact-sm" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => onChange([...value, nextBudget(value)])}>
          {t('budgets.add')}
        </Button>
        <Text size="xs" c={listError ? 'red' : 'dimmed'} role={listError ? 'alert' : undefined}>
          {listError ?? (value.length === 0 ? t('budgets.none') : t('budgets.hint'))}
        </Text>
      </Group>
    </Stack>
  );
}
