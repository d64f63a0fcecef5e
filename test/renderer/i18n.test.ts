import { describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en';
import { detectLanguage } from '../../renderer/src/i18n/i18n';
import { localizeMessage } from '../../renderer/src/i18n/schema-messages';
import { zh } from '../../renderer/src/i18n/zh';
import schemasSource from '../../electron/shared/schemas.ts?raw';

function leaves(value: unknown, path: string[] = []): [string, string][] {
  if (typeof value === 'string') return [[path.join('.'), value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leaves(child, [...path, key]));
}

describe('languages', () => {
  it('Chinese has every English string, with the same {{placeholders}}', () => {
    const chinese = new Map(leaves(zh));
    for (const [key, english] of leaves(en)) {
      expect(chinese.has(key), key).toBe(true);
      const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();
      expect(placeholders(chinese.get(key)!), key).toEqual(placeholders(english));
    }
  });

  it('every message in the contract schemas has a Chinese version', () => {
    // Descriptions (`.meta`) document the admin API; they are never shown in the window.
    const shown = schemasSource.replace(/description: '[^']*'/g, '');
    const messages = [...shown.matchAll(/'([A-Z][^']*)'/g)].map((match) => match[1]!);
    expect(messages.length).toBeGreaterThan(20);
    const untranslated = messages.filter((message) => localizeMessage(message, 'zh') === message);
    expect(untranslated).toEqual([]);
    expect(localizeMessage('Name is required', 'en')).toBe('Name is required');
  });

  it('follows the OS language: any Chinese variant → Simplified Chinese, anything else → English', () => {
    expect(detectLanguage(['zh-CN', 'en'])).toBe('zh');
    expect(detectLanguage(['zh-TW'])).toBe('zh');
    expect(detectLanguage(['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLanguage(['de-DE'])).toBe('en');
    expect(detectLanguage([])).toBe('en');
  });
});
