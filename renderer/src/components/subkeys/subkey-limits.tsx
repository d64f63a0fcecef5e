import { Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { BudgetStatus, RateLimits, Subkey } from '../../../../electron/shared/types';
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

/** A key's rate limits in words, one part per limit it has ("60 requests/min"); empty for a key without any. */
export function rateLimitParts(limits: RateLimits, t: (key: string, options?: Record<string, unknown>) => string, language: string): string[] {
  const { requestsPerMinute, tokensPerMinute, maxConcurrent } = limits;
  return [
    requestsPerMinute !== null && t('rateLimits.summaryRequests', { value: formatNumber(requestsPerMinute, language) }),
    tokensPerMinute !== null && t('rateLimits.summaryTokens', { value: formatNumber(tokensPerMinute, language) }),
    maxConcurrent !== null && t('rateLimits.summaryConcurrent', { value: formatNumber(maxConcurrent, language) }),
  ].filter((part): part is string => Boolean(part));
}

/** A sub-key's budgets as progress bars with their reset times, and its rate limits in one line; nothing for a key with neither. */
export function SubkeyLimits({ subkey, now }: { subkey: Subkey; now: number }) {
  const { t, i18n } = useTranslation();
  const rates = rateLimitParts(subkey.rateLimits, t, i18n.language);
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
