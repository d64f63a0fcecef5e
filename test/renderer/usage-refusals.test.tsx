import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { UsagePage } from '../../renderer/src/components/usage/usage-page';
import { createKeygateStore } from '../../renderer/src/store/store';
import { fakeApi, subkey } from './fake-api';
import { renderUi } from './render-ui';

describe('the Usage screen: refusals before authentication', () => {
  it('shows the counts per reason for the last 24 hours and 7 days, with a name for known reasons', async () => {
    const fake = fakeApi();
    fake.data.refusals = [
      { reason: 'missing_api_key', lastDay: 1234, lastWeek: 5678 },
      { reason: 'host_not_allowed', lastDay: 0, lastWeek: 3 },
      { reason: 'some_future_code', lastDay: 1, lastWeek: 1 },
    ];
    const store = createKeygateStore(fake.api);
    await store.getState().refreshUsage();
    await renderUi(<UsagePage />, store);

    const panel = screen.getByTestId('usage-refusals');
    expect(within(panel).getByText('Refused before authentication')).toBeTruthy();
    const row = (reason: string) => panel.querySelector(`[data-reason="${reason}"]`) as HTMLElement;
    expect([...row('missing_api_key').querySelectorAll('td')].map((cell) => cell.textContent)).toEqual(['No API keymissing_api_key', '1,234', '5,678']);
    expect(within(row('host_not_allowed')).getByText('Host header not allowed')).toBeTruthy();
    expect(row('some_future_code').querySelectorAll('td')[0]!.textContent).toBe('some_future_codesome_future_code');
  });

  it('says when there were none, and is left out while one sub-key is shown (they belong to no key)', async () => {
    const fake = fakeApi();
    fake.data.subkeys = [subkey()];
    const store = createKeygateStore(fake.api);
    await Promise.all([store.getState().refreshUsage(), store.getState().refreshSubkeys()]);
    await renderUi(<UsagePage />, store);
    expect(within(screen.getByTestId('usage-refusals')).getByText('None in the last 7 days.')).toBeTruthy();

    await store.getState().setUsageSubkey('sk1');
    await waitFor(() => expect(screen.queryByTestId('usage-refusals')).toBeNull());
  });
});
