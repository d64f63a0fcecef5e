import type { TFunction } from 'i18next';
import type { BudgetMetric, BudgetThreshold } from '../../../electron/shared/types';
import { fromNow } from './format';

/** One notification in words: what happened, and when the budget resets (null: it never does, or an expiry). */
export interface AlertText {
  text: string;
  resets: string | null;
}

/** A budget's amount in the UI language's digits ("1,234", "$0.0042"), with its unit when `unit` ("5 requests"). */
function amount(t: TFunction, metric: BudgetMetric, value: number, language: string, unit: boolean): string {
  const digits = metric === 'usd' ? { maximumFractionDigits: value < 1 ? 4 : 2 } : { maximumFractionDigits: 0 };
  const number = new Intl.NumberFormat(language, digits).format(value);
  if (metric === 'usd') return `$${number}`;
  return unit ? t(`alerts.units.${metric}`, { value: number }) : number;
}

/** Words a `budget:threshold` push in the UI language; times are relative to `now`. */
export function alertText(alert: BudgetThreshold, t: TFunction, language: string, now: number = Date.now()): AlertText {
  if (alert.kind === 'expiry') return { text: t('alerts.expiry', { name: alert.subkeyName, when: fromNow(alert.expiresAt, now) }), resets: null };
  const text = t(alert.percent === 100 ? 'alerts.budget100' : 'alerts.budget80', {
    name: alert.subkeyName,
    spent: amount(t, alert.metric, alert.spent, language, false),
    limit: amount(t, alert.metric, alert.limit, language, true),
    window: t(`alerts.windows.${alert.window}`),
  });
  return { text, resets: alert.resetsAt === null ? null : t('alerts.resets', { when: fromNow(alert.resetsAt, now) }) };
}
