import { describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en';
import { detectLanguage } from '../../renderer/src/i18n/i18n';
import { localizeMessage } from '../../renderer/src/i18n/schema-messages';
import { localizeError } from '../../renderer/src/i18n/error-messages';
import { setupI18n } from '../../renderer/src/i18n/i18n';
import { errorReasons, networkCauses } from '../../electron/shared/errors';
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

describe('messages from the core', () => {
  it('has a wording for every error reason and network cause', () => {
    const errors = en.errors as Record<string, unknown>;
    for (const reason of errorReasons) expect(reason in errors || `${reason}_other` in errors, reason).toBe(true);
    for (const cause of networkCauses) expect(en.errors.causes, cause).toHaveProperty(cause);
  });

  it('words a message from its reason and values in the UI language, and the same English as the core', async () => {
    await setupI18n('en');
    const conflict = { message: 'This upstream still has 4 sub-keys. Remove them first.', reason: 'upstream_has_subkeys' as const, params: { count: 4 } };
    expect(localizeError(conflict, 'en')).toBe(conflict.message);
    expect(localizeError({ ...conflict, params: { count: 1 } }, 'en')).toBe('This upstream still has 1 sub-key. Remove it first.');
    expect(localizeError(conflict, 'zh')).toBe('此上游仍有 4 个子密钥，请先删除。');

    const unreachable = {
      message: 'Could not reach Work at http://10.0.0.9/v1/models: no answer within 15 s.',
      reason: 'upstream_unreachable' as const,
      params: { name: 'Work', url: 'http://10.0.0.9/v1/models', cause: 'timeout', seconds: 15 },
    };
    expect(localizeError(unreachable, 'en')).toBe(unreachable.message);
    expect(localizeError(unreachable, 'zh')).toBe('无法连接 Work（http://10.0.0.9/v1/models）：15 秒内没有响应。');

    const refused = { message: 'OpenAI answered 401 (the API key was refused): Incorrect API key', reason: 'upstream_refused_key' as const, params: { name: 'OpenAI', status: 401, detail: 'Incorrect API key' } };
    expect(localizeError(refused, 'en')).toBe(refused.message);
    expect(localizeError(refused, 'zh')).toBe('OpenAI 返回 401（API 密钥被拒绝）：Incorrect API key');
    expect(localizeError({ ...refused, params: { name: 'OpenAI', status: 401 } }, 'en')).toBe('OpenAI answered 401 (the API key was refused).');

    const network = { message: 'Could not reach A at u: network error.', reason: 'upstream_unreachable' as const, params: { name: 'A', url: 'u', cause: 'network' } };
    expect(localizeError(network, 'en')).toBe(network.message);
    // A message without a reason falls back to the fixed-message map, then passes through.
    expect(localizeError({ message: 'Choose an existing upstream' }, 'zh')).toBe('请选择已有的上游');
    expect(localizeError({ message: 'Something new' }, 'zh')).toBe('Something new');
  });
});
