import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import i18next from 'i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BudgetThreshold } from '../../electron/shared/types';
import { ThresholdBell } from '../../renderer/src/components/layout/threshold-bell';
import { alertText } from '../../renderer/src/lib/alert-text';
import { ALERTS_SEEN_KEY } from '../../renderer/src/lib/alerts-seen';
import { createKeygateStore, followPushEvents, loadAll } from '../../renderer/src/store/store';
import { fakeApi } from './fake-api';
import { fakeEvents } from './fake-events';
import { renderUi } from './render-ui';

const NOW = Date.parse('2026-12-04T10:00:00Z');

const budget = (percent: 80 | 100, extra: Partial<Extract<BudgetThreshold, { kind: 'budget' }>> = {}): BudgetThreshold => ({
  kind: 'budget',
  subkeyId: 'sk1',
  subkeyName: 'ci-bot',
  metric: 'requests',
  window: 'day',
  percent,
  spent: percent === 80 ? 4 : 5,
  limit: 5,
  resetsAt: '2026-12-04T23:00:00.000Z',
  at: new Date(NOW).toISOString(),
  ...extra,
});
const expiry: BudgetThreshold = { kind: 'expiry', subkeyId: 'sk2', subkeyName: 'temp', expiresAt: new Date(NOW + 3 * 3_600_000).toISOString(), at: new Date(NOW).toISOString() };

async function bellWithPushes() {
  const store = createKeygateStore(fakeApi().api);
  const events = fakeEvents();
  const stop = followPushEvents(store, events);
  await renderUi(<ThresholdBell />, store);
  return { store, events, stop };
}

const bell = () => screen.getByTestId('threshold-bell');
const badge = () => screen.getByTestId('threshold-badge');

describe('the notifications bell', () => {
  it('counts budget:threshold pushes not yet seen, lists them newest first when opened, and clears the count', async () => {
    const { events, stop } = await bellWithPushes();
    expect(bell().getAttribute('aria-label')).toBe('Notifications');
    expect(badge().textContent).toBe('');

    act(() => {
      events.emit('budget:threshold', budget(80));
      events.emit('budget:threshold', budget(100, { resetsAt: new Date(Date.now() + 5 * 3_600_000 + 60_000).toISOString() }));
    });
    await waitFor(() => expect(bell().getAttribute('aria-label')).toBe('Notifications: 2 new'));
    expect(badge().textContent).toBe('2');

    fireEvent.click(bell());
    const list = await screen.findByTestId('threshold-list');
    const items = within(list).getAllByRole('listitem').map((item) => item.textContent ?? '');
    expect(items[0]).toContain('“ci-bot” spent its budget: 5 of 5 requests a day');
    expect(items[1]).toContain('“ci-bot” used 80% of its budget: 4 of 5 requests a day');
    expect(items[0]).toContain('resets in 5 hours');
    await waitFor(() => expect(bell().getAttribute('aria-label')).toBe('Notifications'));
    expect(badge().textContent).toBe('');

    act(() => events.emit('budget:threshold', expiry));
    await waitFor(() => expect(badge().textContent).toBe('1'));
    stop();
  });

  it('says so when nothing arrived yet', async () => {
    await bellWithPushes();
    fireEvent.click(bell());
    const list = await screen.findByTestId('threshold-list');
    expect(list.textContent).toContain('Nothing yet.');
  });

  it('shows the key in the Sub-keys list when a notification is chosen', async () => {
    const { store, events } = await bellWithPushes();
    store.getState().setPage('usage');
    act(() => events.emit('budget:threshold', expiry));
    fireEvent.click(bell());
    const list = await screen.findByTestId('threshold-list');
    fireEvent.click(within(list).getByText(/“temp” expires/));
    expect(store.getState().page).toBe('subkeys');
    expect(store.getState().subkeyFilter.text).toBe('temp');
  });
});

describe('the notifications bell at start', () => {
  const HOUR = 3_600_000;
  const at = (ms: number) => new Date(ms).toISOString();

  afterEach(() => {
    vi.useRealTimers();
    localStorage.clear();
  });

  /** Opens the window: a new store loaded as the app loads it, over what main kept (`alerts:list`). */
  async function openWindow(stored: BudgetThreshold[]) {
    const fake = fakeApi();
    fake.data.alerts = stored;
    const store = createKeygateStore(fake.api);
    const view = await renderUi(<ThresholdBell />, store);
    await act(() => loadAll(store));
    expect(fake.channelsCalled()).toContain('alerts:list');
    return view;
  }

  it('lists what fired while the window was closed, counts what came after the bell was last opened, and remembers the opening across a reload', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    localStorage.setItem(ALERTS_SEEN_KEY, String(NOW - 2 * HOUR));
    const stored = [
      budget(100, { at: at(NOW - HOUR) }),
      { ...expiry, at: at(NOW - 90 * 60_000) },
      budget(80, { at: at(NOW - 3 * HOUR) }),
    ];
    const first = await openWindow(stored);
    expect(badge().textContent).toBe('2');
    expect(bell().getAttribute('aria-label')).toBe('Notifications: 2 new');

    fireEvent.click(bell());
    const items = within(await screen.findByTestId('threshold-list'))
      .getAllByRole('listitem')
      .map((item) => item.textContent ?? '');
    expect(items).toHaveLength(3);
    expect(items[0]).toContain('“ci-bot” spent its budget: 5 of 5 requests a day');
    expect(items[1]).toContain('“temp” expires');
    expect(items[2]).toContain('“ci-bot” used 80% of its budget');
    await waitFor(() => expect(badge().textContent).toBe(''));
    expect(Number(localStorage.getItem(ALERTS_SEEN_KEY))).toBe(NOW);
    first.unmount();

    // A reload: the same events are listed, none of them new any more.
    vi.setSystemTime(NOW + HOUR);
    const second = await openWindow(stored);
    expect(badge().textContent).toBe('');
    expect(bell().getAttribute('aria-label')).toBe('Notifications');
    second.unmount();

    // One more fired while the window was closed: only that one is new.
    vi.setSystemTime(NOW + 3 * HOUR);
    await openWindow([{ ...expiry, subkeyName: 'later', at: at(NOW + 2 * HOUR) }, ...stored]);
    expect(badge().textContent).toBe('1');
  });

  it('counts a push already received once, when alerts:list answers it too', async () => {
    const fake = fakeApi();
    fake.data.alerts = [budget(100), budget(80, { at: at(NOW - HOUR) })];
    const store = createKeygateStore(fake.api);
    store.getState().receiveAlert(budget(100));
    await store.getState().loadAlerts();
    expect(store.getState().alerts).toEqual(fake.data.alerts);
    expect(store.getState().unseenAlerts).toBe(2);
  });
});

describe('alertText', () => {
  it('words each kind in Chinese too', async () => {
    await renderUi(<span />);
    const zh = i18next.getFixedT('zh');
    expect(alertText(budget(80), zh, 'zh', NOW)).toEqual({ text: '“ci-bot”已用掉预算的 80%：每天预算 5 次请求，已用 4', resets: expect.stringContaining('重置') });
    expect(alertText(budget(100, { metric: 'usd', spent: 5.02, limit: 5, window: 'month' }), zh, 'zh', NOW).text).toBe('“ci-bot”的预算已用完：每月预算 $5，已用 $5.02');
    expect(alertText(budget(100, { metric: 'tokens', spent: 120_000, limit: 100_000, window: 'total', resetsAt: null }), i18next.getFixedT('en'), 'en', NOW)).toEqual({
      text: '“ci-bot” spent its budget: 120,000 of 100,000 tokens in total',
      resets: null,
    });
    expect(alertText(expiry, zh, 'zh', NOW).text).toMatch(/^“temp”将在.+过期$/);
  });
});
