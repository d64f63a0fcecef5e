import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setDateLocale } from '../lib/format';
import { en } from './en';
import { zh } from './zh';

export type Language = 'en' | 'zh';
export const languages: Language[] = ['en', 'zh'];
const STORAGE_KEY = 'keygate.language';

/** The OS / browser language mapped to one we ship: Chinese of any region → Simplified Chinese, else English. */
export function detectLanguage(preferred: readonly string[] = navigator.languages ?? [navigator.language]): Language {
  const first = preferred[0] ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** The language the user chose with the switch, or the OS one. */
export function initialLanguage(): Language {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  return saved === 'en' || saved === 'zh' ? saved : detectLanguage();
}

/** Switches the UI language and remembers the choice. */
export async function changeLanguage(language: Language): Promise<void> {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  setDateLocale(language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  await i18next.changeLanguage(language);
}

/** Initialises i18next with both languages bundled (no network loading: the CSP allows none). */
export async function setupI18n(language: Language = initialLanguage()): Promise<i18n> {
  setDateLocale(language);
  if (typeof document !== 'undefined') document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, zh: { translation: zh } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  return i18next;
}
