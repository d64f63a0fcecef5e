import type { BudgetMetric, BudgetThreshold, BudgetWindow } from '../shared/types';

/** The languages the window ships (renderer/src/i18n); a notification speaks the one the window does. */
export type NoticeLanguage = 'en' | 'zh';

/** Where the window keeps the language the user chose (renderer/src/i18n/i18n.ts). */
export const LANGUAGE_STORAGE_KEY = 'keygate.language';

/** The window's language: the user's choice, else the system's, as the window picks it (Chinese of any region → zh). */
export function noticeLanguage(saved: unknown, systemLanguages: readonly string[]): NoticeLanguage {
  if (saved === 'en' || saved === 'zh') return saved;
  return (systemLanguages[0] ?? 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export interface NoticeContext {
  language: NoticeLanguage;
  /** The window is in front: its bell already shows the event, so the desktop is not interrupted. */
  windowFocused: boolean;
  /** Time zone dates are written in (the system's by default; tests pin it). */
  timeZone?: string;
}

/** What the desktop notification says. */
export interface Notice {
  title: string;
  body: string;
}

const LOCALES: Record<NoticeLanguage, string> = { en: 'en-GB', zh: 'zh-CN' };

function amount(metric: BudgetMetric, value: number, language: NoticeLanguage): string {
  if (metric === 'usd') return `$${Number(value.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 4 })}`;
  return Math.round(value).toLocaleString(LOCALES[language]);
}

const EN_UNITS: Record<BudgetMetric, string> = { requests: ' requests', tokens: ' tokens', usd: '' };
const EN_WINDOWS: Record<BudgetWindow, string> = { day: 'a day', week: 'a week', month: 'a month', total: 'in total' };
const ZH_UNITS: Record<BudgetMetric, string> = { requests: ' 次请求', tokens: ' 个 token', usd: '' };
const ZH_WINDOWS: Record<BudgetWindow, string> = { day: '每天', week: '每周', month: '每月', total: '总计' };

/**
 * The desktop notification for a `budget:threshold` push, in the window's language, or null when none is shown
 * (the window is in front). Dates are local, in `timeZone`.
 */
export function thresholdNotice(event: BudgetThreshold, context: NoticeContext): Notice | null {
  if (context.windowFocused) return null;
  const { language } = context;
  const date = (iso: string) =>
    new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeStyle: 'short', ...(context.timeZone && { timeZone: context.timeZone }) }).format(new Date(iso));
  const name = event.subkeyName;
  if (event.kind === 'expiry') {
    return language === 'zh'
      ? { title: `Keygate：子密钥“${name}”即将过期`, body: `它将于 ${date(event.expiresAt)} 过期，之后使用它的请求会被拒绝。` }
      : { title: `Keygate: sub-key “${name}” expires soon`, body: `It expires ${date(event.expiresAt)}; requests with it are refused after that.` };
  }
  const spent = amount(event.metric, event.spent, language);
  const limit = amount(event.metric, event.limit, language);
  if (language === 'zh') {
    const used = `${ZH_WINDOWS[event.window]}预算 ${limit}${ZH_UNITS[event.metric]}，已用 ${spent}${ZH_UNITS[event.metric]}`;
    if (event.percent === 80) {
      const reset = event.resetsAt === null ? '' : `，${date(event.resetsAt)} 重置`;
      return { title: `Keygate：子密钥“${name}”已用掉预算的 80%`, body: `${used}${reset}。` };
    }
    const until = event.resetsAt === null ? '提高预算之前，它的请求会被拒绝。' : `${date(event.resetsAt)} 之前，它的请求会被拒绝。`;
    return { title: `Keygate：子密钥“${name}”的预算已用完`, body: `${used}。${until}` };
  }
  const used = `${spent} of ${limit}${EN_UNITS[event.metric]} ${EN_WINDOWS[event.window]}`;
  if (event.percent === 80) {
    const reset = event.resetsAt === null ? '' : `; resets ${date(event.resetsAt)}`;
    return { title: `Keygate: sub-key “${name}” used 80% of its budget`, body: `${used}${reset}.` };
  }
  const until = event.resetsAt === null ? 'until its budget is raised' : `until ${date(event.resetsAt)}`;
  return { title: `Keygate: sub-key “${name}” spent its budget`, body: `${used}. Its requests are refused ${until}.` };
}
