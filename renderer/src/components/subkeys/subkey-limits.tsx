import { Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { BudgetStatus, Subkey } from '../../../../electron/shared/types';
import { formatMetricNumber, spentPercent } from '../../lib/budgets';
import { formatDateTime, formatNumber, fromNow } from '../../lib/format';

function barColor(percent: number): string {
  if (percent >= 100) return 'red';
  if (percent >= 80) return 'orange';
  return 'blue';
}

/** One budget as a bar: what is spent of it, and when its window starts again. */
function BudgetBar({ budget, now }: { budget: BudgetStatus; now: number }) {
  const { t, i18n } = useTranslation();
  const percent = spentPercent(budget);
  const number = (amount: number) => formatMetricNumber(budget.metric, amount, i18n.language);
  const text = t('budgets.bar', {
    spent: budget.metric === 'usd' ? `$${number(budget.spent)}` : number(budget.spent),
    limit: t(`budgets.amount.${budget.metric}`, { amount: number(budget.limit) }),
    window: t(`budgets.windows.${budget.window}`),
  });
  return (
    <Stack gap={2} data-testid="budget-bar" data-metric={budget.metric} data-window={budget.window}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" data-testid="budget-spent">
          {text}
        </Text>
        {budget.resetsAt ? (
          <Tooltip label={t('budgets.resetsAt', { date: formatDateTime(budget.resetsAt) })} withArrow>
            <Text size="xs" c="dimmed" data-testid="budget-reset">
              {t('budgets.resets', { when: fromNow(budget.resetsAt, now) })}
            </Text>
          </Tooltip>
        ) : (
          <Text size="xs" c="dimmed" data-testid="budget-reset">
            {t('budgets.neverResets')}
          </Text>
        )}
      </Group>
      <Progress value={percent} size="sm" color={barColor(percent)} aria-label={text} />
    </Stack>
  );
}

/** A sub-key's budgets as progress bars with their reset times, and its rate limits in one line; nothing for a key with neither. */
export function SubkeyLimits({ subkey, now }: { subkey: Subkey; now: number }) {
  const { t, i18n } = useTranslation();
  const { requestsPerMinute, tokensPerMinute, maxConcurrent } = subkey.rateLimits;
  const rates = [
    requestsPerMinute !== null && t('rateLimits.summaryRequests', { value: formatNumber(requestsPerMinute, i18n.language) }),
    tokensPerMinute !== null && t('rateLimits.summaryTokens', { value: formatNumber(tokensPerMinute, i18n.language) }),
    maxConcurrent !== null && t('rateLimits.summaryConcurrent', { value: formatNumber(maxConcurrent, i18n.language) }),
  ].filter((part): part is string => Boolean(part));
  if (subkey.budgets.length === 0 && rates.length === 0) return null;
  return (
    <Stack gap={4} mt={4} maw={320} data-testid="subkey-limits">
      {subkey.budgets.map((budget) => (
        <BudgetBar key={`${budget.metric} ${budget.window}`} budget={budget} now={now} />
      ))}
      {rates.length > 0 && (
        <Text size="xs" c="dimmed" data-testid="rate-limits-summary">
          {rates.join(' · ')}
        </Text>
      )}
    </Stack>
  );
}
