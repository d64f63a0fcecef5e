import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../renderer/src/api/api-error';
import { UsagePage } from '../../renderer/src/components/usage/usage-page';
import { formatBytes } from '../../renderer/src/lib/format';
import { createKeygateStore } from '../../renderer/src/store/store';
import { fakeApi, proxyStatus } from './fake-api';
import { renderUi } from './render-ui';

async function renderUsage(fake: ReturnType<typeof fakeApi>) {
  const store = createKeygateStore(fake.api);
  await Promise.all([store.getState().refreshUsage(), store.getState().refreshProxy()]);
  await renderUi(<UsagePage />, store);
  const panel = screen.getByTestId('usage-storage');
  await waitFor(() => expect(within(panel).getByText(/The usage log takes/)).toBeTruthy());
  return { store, panel };
}

describe('the Usage screen: storage', () => {
  it("shows the store's size, the oldest request kept and the retention setting", async () => {
    const fake = fakeApi();
    fake.data.proxy = proxyStatus({ usageRetentionDays: 45 });
    const { panel } = await renderUsage(fake);
    expect(within(panel).getByText(/The usage log takes 1\.5 MB on disk\. Oldest request kept: /)).toBeTruthy();
    expect((within(panel).getByLabelText('Keep requests for (days)') as HTMLInputElement).value).toBe('45');
    // The file reuses its space until a restart switches it over: said only then.
    expect(within(panel).queryByText(/Space freed by pruning is reused/)).toBeNull();
  });

  it('validates the number of days on the field as the user types, and saves a good one through proxy:configure', async () => {
    const fake = fakeApi({ 'proxy:configure': async (input) => (fake.data.proxy = proxyStatus({ usageRetentionDays: input.usageRetentionDays! })) });
    const { panel } = await renderUsage(fake);
    const field = within(panel).getByLabelText('Keep requests for (days)');
    await userEvent.clear(field);
    await userEvent.type(field, '0');
    expect(await within(panel).findByText('Keep request rows at least 1 day')).toBeTruthy();
    await userEvent.clear(field);
    await userEvent.type(field, '4000');
    expect(await within(panel).findByText('Keep request rows at most 3,650 days')).toBeTruthy();
    await userEvent.click(within(panel).getByRole('button', { name: 'Save' }));
    expect(fake.channelsCalled()).not.toContain('proxy:configure');

    await userEvent.clear(field);
    expect(await within(panel).findByText('Retention must be a number of days')).toBeTruthy();
    await userEvent.type(field, '30');
    await userEvent.click(within(panel).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.calls.find((call) => call.channel === 'proxy:configure')?.input).toEqual({ usageRetentionDays: 30 }));
    expect(fake.channelsCalled().filter((channel) => channel === 'usage:storage')).toHaveLength(2);
    expect((within(panel).getByLabelText('Keep requests for (days)') as HTMLInputElement).value).toBe('30');
  });

  it("puts the server's refusal on the field", async () => {
    const fake = fakeApi({
      'proxy:configure': () =>
        Promise.reject(new ApiError({ code: 'INVALID_INPUT', message: 'Invalid input', issues: [{ path: ['usageRetentionDays'], message: 'Keep request rows at most 3,650 days' }] })),
    });
    const { panel } = await renderUsage(fake);
    const field = within(panel).getByLabelText('Keep requests for (days)');
    await userEvent.clear(field);
    await userEvent.type(field, '12');
    await userEvent.click(within(panel).getByRole('button', { name: 'Save' }));
    expect(await within(panel).findByText('Keep request rows at most 3,650 days')).toBeTruthy();
  });

  it('says that the space is reused when the store cannot shrink yet', async () => {
    const fake = fakeApi({ 'usage:storage': async () => ({ sizeBytes: 3 * 1024 ** 3, oldestRequestAt: null, shrinks: false }) });
    const { panel } = await renderUsage(fake);
    expect(within(panel).getByText(/3 GB on disk\. No requests kept yet\./)).toBeTruthy();
    expect(within(panel).getByText(/Space freed by pruning is reused/)).toBeTruthy();
  });
});

describe('formatBytes', () => {
  it('words sizes in units of 1,024 with a digit after the point below 100', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1_572_864, 'en')).toBe('1.5 MB');
    expect(formatBytes(812 * 1024, 'en')).toBe('812 KB');
    expect(formatBytes(190 * 1024 ** 2, 'zh')).toBe('190 MB');
  });
});
