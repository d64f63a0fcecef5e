import { Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { BudgetStatus } from '../../../../electron/shared/types';
import { formatNumber, fromNow } from '../../lib/format';
import type { AbilityProps } from './subkey-abilities';
import { AbilityItem } from './ability-item';

/** A budget's number: dollars as currency, requests and tokens as a number (`withUnit` adds "requests"/"tokens"). */
function amount(metric: BudgetStatus['metric'], value: number, language: string, withUnit: boolean, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (metric === 'usd') return new Intl.NumberFormat(language, { style: 'currency', currency: 'USD', maximumFractionDigits: value < 1 ? 4 : 2 }).format(value);
  return withUnit ? t(`subkeyPage.budgetUnits.${metric}`, { value: formatNumber(value, language) }) : formatNumber(value, language);
}

/** What the key may spend per window, with what it has spent in the current one. */
export function AbilityBudgets({ subkey, now }: AbilityProps) {
  const { t, i18n } = useTranslation();
  return (
    <AbilityItem title={t('subkeyPage.budgets')} testId="ability-budgets">
      {subkey.budgets.length === 0 ? (
        <Text size="sm">{t('subkeyPage.budgetsNone')}</Text>
      ) : (
        <Stack gap={6}>
          {subkey.budgets.map((budget) => {
            const text = t('subkeyPage.budgetLine', {
              spent: amount(budget.metric, budget.spent, i18n.language, false, t),
              limit: amount(budget.metric, budget.limit, i18n.language, true, t),
              window: t(`subkeyPage.budgetWindows.${budget.window}`),
            });
            return (
              <div key={`${budget.metric}-${budget.window}`} data-budget={`${budget.metric}-${budget.window}`}>
                <Text size="sm">
                  {text}
                  {budget.resetsAt && (
                    <Text span size="xs" c="dimmed">
                      {' · '}
                      {t('subkeyPage.resets', { when: fromNow(budget.resetsAt, now) })}
                    </Text>
                  )}
                </Text>
                <Progress value={budget.limit > 0 ? Math.min(100, (budget.spent / budget.limit) * 100) : 100} color={budget.spent >= budget.limit ? 'red' : 'indigo'} size="sm" aria-label={text} />
              </div>
            );
          })}
        </Stack>
      )}
    </AbilityItem>
  );
}
