import { describe, expect, it } from 'vitest';
import { noticeLanguage, thresholdNotice, type NoticeContext } from '../../electron/main/threshold-notice';
import type { BudgetThreshold } from '../../electron/shared/types';

const budget = (extra: Partial<Extract<BudgetThreshold, { kind: 'budget' }>> = {}): BudgetThreshold => ({
  kind: 'budget',
  subkeyId: 'k1',
  subkeyName: 'ci-bot',
  metric: 'requests',
  window: 'day',
  percent: 80,
  spent: 4,
  limit: 5,
  resetsAt: '2026-12-04T23:00:00.000Z',
  at: '2026-12-04T10:00:00.000Z',
  ...extra,
});
const expiry: BudgetThreshold = { kind: 'expiry', subkeyId: 'k1', subkeyName: 'ci-bot', expiresAt: '2026-06-02T18:00:00.000Z', at: '2026-06-01T18:00:00.000Z' };
const en: NoticeContext = { language: 'en', windowFocused: false, timeZone: 'Europe/Berlin' };
const zh: NoticeContext = { ...en, language: 'zh' };

describe('thresholdNotice', () => {
  it('words 80 % of a budget with what is spent and when it resets, in local time', () => {
    expect(thresholdNotice(budget(), en)).toEqual({
      title: 'Keygate: sub-key “ci-bot” used 80% of its budget',
      body: '4 of 5 requests a day; resets 5 Dec 2026, 00:00.',
    });
    expect(thresholdNotice(budget(), zh)).toEqual({
      title: 'Keygate：子密钥“ci-bot”已用掉预算的 80%',
      body: '每天预算 5 次请求，已用 4 次请求，2026年12月5日 00:00 重置。',
    });
  });

  it('words a spent budget with until when requests are refused, and a total budget that never resets', () => {
    expect(thresholdNotice(budget({ percent: 100, spent: 5, metric: 'usd', limit: 5, window: 'month', resetsAt: '2026-12-31T23:00:00.000Z' }), en)).toEqual({
      title: 'Keygate: sub-key “ci-bot” spent its budget',
      body: '$5 of $5 a month. Its requests are refused until 1 Jan 2027, 00:00.',
    });
    expect(thresholdNotice(budget({ percent: 100, spent: 120_000, metric: 'tokens', limit: 100_000, window: 'total', resetsAt: null }), en)?.body).toBe(
      '120,000 of 100,000 tokens in total. Its requests are refused until its budget is raised.',
    );
    expect(thresholdNotice(budget({ percent: 100, spent: 5, window: 'total', resetsAt: null }), zh)).toEqual({
      title: 'Keygate：子密钥“ci-bot”的预算已用完',
      body: '总计预算 5 次请求，已用 5 次请求。提高预算之前，它的请求会被拒绝。',
    });
  });

  it('words an expiry warning', () => {
    expect(thresholdNotice(expiry, en)).toEqual({
      title: 'Keygate: sub-key “ci-bot” expires soon',
      body: 'It expires 2 Jun 2026, 20:00; requests with it are refused after that.',
    });
    expect(thresholdNotice(expiry, zh)?.title).toBe('Keygate：子密钥“ci-bot”即将过期');
  });

  it('shows nothing while the window is in front (its bell shows the event)', () => {
    expect(thresholdNotice(budget(), { ...en, windowFocused: true })).toBeNull();
    expect(thresholdNotice(expiry, { ...zh, windowFocused: true })).toBeNull();
  });
});

describe('noticeLanguage', () => {
  it("speaks the language chosen in the window, else the system's as the window would pick it", () => {
    expect(noticeLanguage('zh', ['en-US'])).toBe('zh');
    expect(noticeLanguage('en', ['zh-TW'])).toBe('en');
    expect(noticeLanguage(null, ['zh-Hans-CN', 'en'])).toBe('zh');
    expect(noticeLanguage('fr', ['de-DE'])).toBe('en');
    expect(noticeLanguage(null, [])).toBe('en');
  });
});
